"""The public board's page, /board: no sign-in; BOARD_ENABLED off answers 404, as if there were no board."""

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from server.board import queries
from server.database import utcnow

bp = Blueprint("board", __name__)


@bp.get("/board")
def index():
    """Show this week's and this month's figures and the hazards closed lately, to anyone."""
    if not current_app.config["BOARD_ENABLED"]:
        abort(404)
    now = utcnow()
    return render_template("board/index.html", board=queries.board(now, str(get_locale())), now=now,
                           periods=queries.PERIODS, dimensions=[d.name for d in queries.DIMENSIONS],
                           refresh_seconds=int(current_app.config["BOARD_REFRESH_SECONDS"]))
