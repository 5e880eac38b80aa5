"""Numbers from URLs, query strings and forms, kept within what the database can store.

SQLite's INTEGER and PostgreSQL's bigint are signed 64-bit: a larger Python int reaching a query raises
OverflowError (a 500) instead of "not found". Werkzeug's `<int:>` accepts any number of digits, and
`int()` takes any size too, so every number read from a request passes through here first.
"""

import math

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**63 - 1
DB_INT_MIN = -(2**63)


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` that matches only numbers the database can hold: a larger id does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value) -> int:
    """Return a whole number the database can store, from text or JSON; raise ValueError for anything else."""
    if isinstance(value, bool):  # True is an int to Python, never a number to a person
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, float):
        # JSON's 1e400 arrives as inf, and 1.5 would silently become 1.
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        value = int(value)
    elif isinstance(value, str):
        value = int(value.strip())
    elif not isinstance(value, int):
        raise ValueError(f"not a number: {value!r}")
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        raise ValueError(f"out of range: {value}")
    return value


def init_app(app) -> None:
    """Make `<int:…>` in every route bounded (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = DatabaseIntConverter
