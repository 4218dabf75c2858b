"""The requests' jobs: the daily reminder to the person asked (needed by the next working day,
overdue; one message per person and day) and the weekly escalation to leadership of decisions
waiting more than DECISION_WAIT_DAYS working days."""

from datetime import date, timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from salesflow.opportunities import services as deals
from salesflow.requests import jobs
from salesflow.requests.models import Status
from tests import factories as f
from tests.conftest import sql_statements
from tests.requests.conftest import ask


def _notes(user, kind):
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


def test_the_person_asked_is_reminded_once_a_day_of_what_is_due_and_overdue(world, now):
    monday = date(2026, 11, 23)  # the next working day after Friday 20 November
    ask(world, needed_by=monday, rush_reason="Soon")
    ask(world, needed_by=monday, rush_reason="Soon", kind="demo")
    late = ask(world, needed_by=date(2026, 11, 20), rush_reason="Today")
    late.needed_by = date(2026, 11, 18)  # asked earlier, now overdue
    ask(world, needed_by=date(2026, 12, 4))  # not yet
    done = ask(world, needed_by=monday, rush_reason="Soon", assignee_id=world.director_a.id)
    done.status = Status.done
    db.session.flush()
    with sql_statements() as statements:
        jobs.request_reminders(now)
    assert len(statements) <= 4
    (note,) = _notes(world.rep_a2, "requests_due")
    assert render(note.kind, note.params) == (
        "Requests asked of you: 2 needed tomorrow, 1 overdue."
    )
    assert _notes(world.director_a, "requests_due") == []  # theirs is done
    jobs.request_reminders(now + timedelta(hours=2))
    assert len(_notes(world.rep_a2, "requests_due")) == 1  # once a day
    jobs.request_reminders(now + timedelta(days=1))
    assert len(_notes(world.rep_a2, "requests_due")) == 2


def test_decisions_waiting_too_long_are_escalated_to_leadership_weekly(world, deal, now):
    other = f.make_opportunity(account=world.account_a, stage="shape", name="Fresh")
    data = {"stage": "shape", "gate": "atb", "decision": "requested"}
    deals.decide(deal, data, actor=world.rep_a, now=now - timedelta(days=7))  # 5 working days
    deals.decide(other, data, actor=world.rep_a, now=now - timedelta(days=1))  # 1 working day
    jobs.decisions_waiting(now)
    (note,) = _notes(world.leader, "decisions_waiting")
    assert render(note.kind, note.params) == (
        "1 decision has waited more than 2 working days for its director; the longest: "
        "Approve to bid · Grid upgrade (Huadong Power), asked of Director North."
    )
    assert note.link == "/pipeline/review"
    assert _notes(world.director_a, "decisions_waiting") == []
    jobs.decisions_waiting(now + timedelta(days=1))
    assert len(_notes(world.leader, "decisions_waiting")) == 1  # once a week


def test_nothing_waits_nothing_is_told(world, deal, now):
    data = {"stage": "shape", "gate": "atb", "decision": "requested"}
    deals.decide(deal, data, actor=world.rep_a, now=now - timedelta(days=7))
    deals.decide(deal, {**data, "decision": "approve"}, actor=world.director_a, now=now)
    jobs.decisions_waiting(now)
    assert _notes(world.leader, "decisions_waiting") == []
