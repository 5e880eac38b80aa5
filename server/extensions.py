"""Extensions, made unbound here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, registry

# Named constraints, so Alembic migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class Model(DeclarativeBase):
    """The base of every model: named constraints, and whole numbers 64-bit on every database."""

    # PostgreSQL's integer is 32-bit, SQLite's 64-bit: an id past 2^31 sent to PostgreSQL failed (a 500)
    # where SQLite answered 404 (server/converters.py bounds numbers at 64 bits). SQLite keeps INTEGER, the
    # only type its primary keys autoincrement with.
    registry = registry(metadata=MetaData(naming_convention=NAMING),
                        type_annotation_map={int: BigInteger().with_variant(Integer(), "sqlite")})


db = SQLAlchemy(model_class=Model)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
