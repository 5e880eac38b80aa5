"""The SQL a request runs, for tests that hold a page or answer to the statements it needs (issue 12)."""

from sqlalchemy import event

from server.extensions import db


def ran(app, fetch) -> tuple:
    """Return what `fetch()` returns and the SQL statements it ran, in order."""
    said = []
    with app.app_context():
        engine = db.engine

    def keep(_conn, _cursor, statement, *_):
        said.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        return fetch(), said
    finally:
        event.remove(engine, "before_cursor_execute", keep)
