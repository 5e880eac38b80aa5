"""Times on pages in the school's time zone (Asia/Shanghai in the tests): the numeric patterns, written by
strftime for speed, read exactly as Babel writes them, and any other pattern is still Babel's."""

from datetime import UTC, datetime

import pytest

EVENING_UTC = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # already the 25th at the school
NEW_YEAR_NAIVE = datetime(2025, 12, 31, 20, 5)  # naive: read as UTC, as Babel does


@pytest.mark.parametrize(("moment", "pattern", "expected"), [
    (EVENING_UTC, "yyyy-MM-dd HH:mm", "2026-11-25 00:30"),
    (EVENING_UTC, "yyyy-MM-dd", "2026-11-25"),
    (EVENING_UTC, "HH:mm", "00:30"),
    (NEW_YEAR_NAIVE, "yyyy-MM-dd HH:mm", "2026-01-01 04:05"),
    (NEW_YEAR_NAIVE, "yyyy-MM-dd", "2026-01-01"),
    (EVENING_UTC, "yyyy/MM/dd HH:mm", "2026/11/25 00:30"),  # not a fast pattern: Babel's
    (None, "yyyy-MM-dd", ""),
])
def test_localtime_writes_the_school_time(app, moment, pattern, expected):
    from server.web import localtime

    with app.test_request_context():
        assert localtime(moment, pattern) == expected


@pytest.mark.parametrize("pattern", ["yyyy-MM-dd HH:mm", "yyyy-MM-dd", "HH:mm"])
def test_the_fast_patterns_read_as_babel_writes_them(app, pattern):
    from flask_babel import format_datetime

    from server.web import localtime

    with app.test_request_context():
        assert localtime(EVENING_UTC, pattern) == format_datetime(EVENING_UTC, pattern)
