"""The company calendar (clock.py): the day a moment falls on is the day in the company's time zone
(Asia/Shanghai, UTC+8 all year), whatever the hour in UTC; and no other module works it out."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask

from salesflow import clock

SALESFLOW = Path(clock.__file__).parent


@pytest.fixture
def shanghai():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (datetime(2026, 11, 20, 9, 30, tzinfo=UTC), date(2026, 11, 20)),  # Friday 17:30 there
        (datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC), date(2026, 11, 20)),  # 23:59:59
        (datetime(2026, 11, 20, 16, 0, tzinfo=UTC), date(2026, 11, 21)),  # midnight: Saturday
        (datetime(2026, 11, 20, 23, 30, tzinfo=UTC), date(2026, 11, 21)),  # Friday 23:30 UTC
        (datetime(2026, 11, 19, 17, 30, tzinfo=UTC), date(2026, 11, 20)),  # 01:30 on the 20th
    ],
)
def test_the_day_is_the_companys_not_utcs(shanghai, at, day):
    assert clock.today(at) == day
    assert clock.day_number(at) == (day - date(1970, 1, 1)).days
    assert clock.day_date(clock.day_number(at)) == day


def test_friday_2330_utc_is_already_saturday_in_shanghai(shanghai):
    friday_late_utc = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert friday_late_utc.weekday() == 4
    assert clock.today(friday_late_utc).weekday() == 5
    assert clock.day_number(friday_late_utc) == clock.day_number(friday_late_utc.replace(hour=16))
    assert clock.day_number(friday_late_utc) == 1 + clock.day_number(
        friday_late_utc.replace(hour=9)
    )


def test_day_numbers_count_days_since_1970(shanghai):
    assert clock.day_date(0) == date(1970, 1, 1)
    assert clock.day_date(20_777) == date(2026, 11, 20)  # the tie touches' stored days


def test_the_zone_is_the_configured_one():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "America/New_York"
    with app.app_context():
        # 03:00 UTC on Saturday is still Friday evening in New York
        assert clock.today(datetime(2026, 11, 21, 3, 0, tzinfo=UTC)) == date(2026, 11, 20)
        assert clock.zone().key == "America/New_York"


def _company_zone_readers(path: Path) -> list[str]:
    """Lines of `path` that name the company's zone setting or build a ZoneInfo (any: the only
    zone the app has is the company's; a `ZoneInfo` type hint is fine)."""
    source = path.read_text(encoding="utf-8")
    lines, found = source.splitlines(), set()
    for node in ast.walk(ast.parse(source, str(path))):
        func = node.func if isinstance(node, ast.Call) else None
        reads = (isinstance(node, ast.Constant) and node.value == "BABEL_DEFAULT_TIMEZONE") or (
            isinstance(func, ast.Name) and func.id == "ZoneInfo"
        )
        builds = isinstance(func, ast.Attribute) and func.attr == "ZoneInfo"
        if reads or builds:
            found.add(node.lineno)
    where = path.relative_to(SALESFLOW.parent)
    return [f"{where}:{n}: {lines[n - 1].strip()}" for n in sorted(found)]


def test_only_the_clock_knows_the_companys_time_zone():
    """Anything else asks clock.zone() / clock.today() / clock.day_number() (issue 13, item 1)."""
    offenders = [
        line
        for path in sorted(SALESFLOW.rglob("*.py"))
        if path != SALESFLOW / "clock.py"
        for line in _company_zone_readers(path)
    ]
    assert not offenders, "the company's calendar is clock.py's:\n" + "\n".join(offenders)
