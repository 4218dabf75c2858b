"""The company's working days (clock): weekends are never working days, nor the holidays of
COMPANY_HOLIDAYS; lead times and turnaround count the working days after a day up to another."""

from datetime import date

import pytest

from salesflow import clock

FRI, SAT, SUN, MON = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)


@pytest.fixture
def holidays(app):
    before = app.config["COMPANY_HOLIDAYS"]
    app.config["COMPANY_HOLIDAYS"] = ["2026-11-24", "2026-11-28"]  # a Tuesday and a Saturday
    yield
    app.config["COMPANY_HOLIDAYS"] = before


@pytest.mark.parametrize(("day", "working"), [(FRI, True), (SAT, False), (SUN, False), (MON, True)])
def test_weekends_are_not_working_days(ctx, day, working):
    assert clock.is_working_day(day) is working


def test_a_holiday_is_not_a_working_day(ctx, holidays):
    assert clock.is_working_day(date(2026, 11, 24)) is False
    assert clock.is_working_day(date(2026, 11, 25)) is True


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (FRI, FRI, 0),
        (FRI, SAT, 0),  # after Friday up to Saturday: no working day
        (FRI, MON, 1),
        (FRI, date(2026, 11, 27), 5),  # a whole week
        (FRI, date(2026, 12, 4), 10),
        (SAT, MON, 1),
        (MON, FRI, -1),  # backwards: minus the working days after Friday up to Monday
        (date(2026, 11, 16), date(2026, 11, 30), 10),
    ],
)
def test_working_days_between(ctx, a, b, days):
    assert clock.working_days_between(a, b) == days


def test_working_days_between_skips_holidays(ctx, holidays):
    assert clock.working_days_between(FRI, date(2026, 11, 27)) == 4  # Tuesday is off
    assert clock.working_days_between(FRI, date(2026, 11, 30)) == 5  # a Saturday off counts not


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (FRI, 0, FRI),
        (FRI, 1, MON),
        (FRI, 2, date(2026, 11, 24)),
        (SAT, 1, MON),
        (MON, 5, date(2026, 11, 30)),
        (MON, -1, FRI),
    ],
)
def test_add_working_days(ctx, start, n, expected):
    assert clock.add_working_days(start, n) == expected


def test_add_working_days_skips_holidays(ctx, holidays):
    assert clock.add_working_days(FRI, 2) == date(2026, 11, 25)


@pytest.mark.parametrize("n", range(-12, 13))
def test_adding_then_counting_gives_the_same_number(ctx, holidays, n):
    for start in (FRI, MON, date(2026, 11, 25)):
        assert clock.working_days_between(start, clock.add_working_days(start, n)) == n
