"""My day's order (interactions.my_day): today first, then the coming week soonest first, then
what is overdue newest first; and the days a next step can be snoozed to with one tap."""

from datetime import UTC, date, datetime, timedelta

import pytest

from salesflow.interactions.models import Interaction
from salesflow.interactions.my_day import arrange, snooze_days

FRIDAY = date(2026, 11, 20)


def _step(id_: int, due: date, *, done: bool = False) -> Interaction:
    step = Interaction(id=id_, next_step=f"step {id_}", next_step_due=due)
    if done:
        step.next_step_done_at = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    return step


def test_today_then_the_coming_week_soonest_first_then_overdue_newest_first():
    days = {1: -30, 2: 0, 3: 3, 4: -1, 5: 1, 6: 0, 7: -400}
    steps = [_step(i, FRIDAY + timedelta(days=d)) for i, d in days.items()]
    sections = arrange(steps, FRIDAY)
    assert [s.id for s in sections.today] == [2, 6]  # within a day, in the order logged
    assert [s.id for s in sections.upcoming] == [5, 3]
    assert [s.id for s in sections.overdue] == [4, 1, 7]


def test_yesterday_is_overdue_and_today_is_not():
    sections = arrange([_step(1, FRIDAY - timedelta(days=1)), _step(2, FRIDAY)], FRIDAY)
    assert [s.id for s in sections.overdue] == [1] and [s.id for s in sections.today] == [2]


def test_overdue_steps_on_one_day_newest_logged_first():
    late = FRIDAY - timedelta(days=2)
    assert [s.id for s in arrange([_step(1, late), _step(9, late)], FRIDAY).overdue] == [9, 1]


def test_a_done_step_is_never_overdue():
    assert arrange([_step(1, FRIDAY - timedelta(days=3), done=True)], FRIDAY).overdue == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (FRIDAY, [date(2026, 11, 21), date(2026, 11, 23)]),  # Saturday, then Monday
        (date(2026, 11, 22), [date(2026, 11, 23)]),  # Sunday: tomorrow is next Monday, once
        (date(2026, 11, 23), [date(2026, 11, 24), date(2026, 11, 30)]),  # a Monday: a week on
    ],
)
def test_snooze_to_tomorrow_and_next_monday(today, expected):
    assert [s.day for s in snooze_days(today)] == expected
