"""Expectations and satisfaction (issue 17): satisfaction gaps and their trend against hand-built
perception records with the figures written out; an expectation closes as met only with a linked
action done (a next step done, an internal request done) of its own account; bad input refused
with every problem and nothing kept; stale versions 409; every write audited."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import expectations as services
from salesflow.key_accounts import expectations_satisfaction as satisfaction
from salesflow.key_accounts.expectations_models import (
    AccountExpectation,
    ExpectationStatus,
    PerceptionRecord,
)
from salesflow.requests.models import InternalRequest
from salesflow.requests.models import Status as RequestStatus
from tests import factories as f

# FROZEN_NOW is 2026-11-20 09:30 UTC (17:30 in Shanghai): this quarter began on 2026-10-01.


def _at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _perceive(account, perceived, expected, day, source="survey"):
    record = PerceptionRecord(
        account_id=account.id,
        perceived=perceived,
        expected=expected,
        source=source,
        at=_at(day),
    )
    db.session.add(record)
    return record


def _expectation(world, actor=None, **data):
    values = {"statement": "Spare parts within 48 hours", "category": "delivery"}
    values |= {"owner_role": "FR", "due": date(2026, 12, 31)}
    return services.add_expectation(
        world.account_a, values | data, actor=actor or world.rep_a, now=clock.now()
    )


def _done_request(world, account, status=RequestStatus.done):
    made = InternalRequest(
        kind="delivery_plan",
        title="Delivery plan for the spare parts",
        account_id=account.id,
        requester_id=world.rep_a.id,
        assignee_id=world.rep_a2.id,
        needed_by=date(2026, 11, 30),
        status=status,
        created_at=clock.now() - timedelta(days=5),
        done_at=clock.now() - timedelta(days=1) if status == RequestStatus.done else None,
    )
    db.session.add(made)
    db.session.flush()
    return made


def _done_step(world, account, done=True):
    step = f.make_interaction(
        account=account, owner=world.rep_a, next_step="Send the stock list", days_ago=3
    )
    step.next_step_due = date(2026, 11, 18)
    step.next_step_done_at = clock.now() - timedelta(days=1) if done else None
    db.session.flush()
    return step


# Satisfaction: pure trend -------------------------------------------------------------------


def test_quarters_end_with_todays_and_cross_the_year():
    assert satisfaction.quarters(date(2026, 2, 10)) == [
        date(2025, 4, 1),
        date(2025, 7, 1),
        date(2025, 10, 1),
        date(2026, 1, 1),
    ]


def test_trend_from_the_written_out_example():
    today = date(2026, 11, 20)
    rows = [
        (date(2026, 11, 2), 3, 5),  # −2
        (date(2026, 10, 1), 4, 4),  # 0  → Q4 mean −1.0 from 2 records
        (date(2026, 8, 15), 5, 3),  # +2 → Q3 +2.0
        (date(2026, 1, 5), 2, 2),  # before the window (Q1 2026 is not one of the four): ignored
        (date(2026, 11, 21), 1, 5),  # after today: ignored
    ]
    t = satisfaction.trend(rows, today)
    assert [(p.quarter, p.gap, p.records) for p in t.points] == [
        (date(2026, 1, 1), 0.0, 1),
        (date(2026, 4, 1), None, 0),
        (date(2026, 7, 1), 2.0, 1),
        (date(2026, 10, 1), -1.0, 2),
    ]
    # every record of the window: (0 + 2 − 2 + 0) / 4 = 0.0
    assert (t.gap, t.records, t.below) == (0.0, 4, False)


def test_trend_below_expectations_and_rounded():
    t = satisfaction.trend(
        [(date(2026, 11, 1), 2, 5), (date(2026, 11, 2), 4, 5)], date(2026, 11, 3)
    )
    # (2 − 5) + (4 − 5) = −4 over two records: −2.0; a third at 0 makes −4 / 3 = −1.33
    assert (t.gap, t.below) == (-2.0, True)
    t3 = satisfaction.trend(
        [(date(2026, 11, 1), 2, 5), (date(2026, 11, 2), 4, 5), (date(2026, 11, 3), 5, 5)],
        date(2026, 11, 3),
    )
    assert t3.gap == -1.33


def test_for_accounts_and_teams_from_the_database(world, now):
    _perceive(world.account_a, 2, 4, "2026-11-10")  # −2
    _perceive(world.account_a, 5, 4, "2026-09-10")  # +1
    _perceive(world.shared, 3, 3, "2026-11-01")  # 0
    _perceive(world.account_b, 1, 5, "2026-11-01")  # −4
    _perceive(world.account_b, 5, 1, "2025-06-01")  # outside the window
    db.session.flush()
    by_account = satisfaction.for_accounts([world.account_a.id, world.account_b.id], now)
    assert set(by_account) == {world.account_a.id, world.account_b.id}
    a = by_account[world.account_a.id]
    assert [p.gap for p in a.points] == [None, None, 1.0, -2.0]
    assert (a.gap, a.records) == (-0.5, 2)
    assert by_account[world.account_b.id].gap == -4.0
    # team A: account_a's −2 and +1, shared's 0 → −1/3 = −0.33; team B: −4
    by_team = satisfaction.for_teams(sa.true(), now)
    assert by_team[world.team_a.id].gap == -0.33
    assert by_team[world.team_b.id].gap == -4.0
    # below expectations, worst first: account_b (−4.0), account_a (−0.5); shared (0) is not
    assert list(satisfaction.below(sa.true(), now, 10)) == [world.account_b.id, world.account_a.id]
    assert list(satisfaction.below(sa.true(), now, 1)) == [world.account_b.id]
    assert satisfaction.below(sa.true(), now, 10)[world.account_a.id].gap == -0.5


def test_a_record_at_the_shanghai_quarter_boundary_counts_in_the_new_quarter(world, now):
    # 2026-09-30 17:00 UTC is 2026-10-01 01:00 in Shanghai: the fourth quarter
    db.session.add(
        PerceptionRecord(
            account_id=world.account_a.id,
            perceived=1,
            expected=2,
            source="meeting",
            at=datetime(2026, 9, 30, 17, tzinfo=UTC),
        )
    )
    db.session.flush()
    points = satisfaction.for_accounts([world.account_a.id], now)[world.account_a.id].points
    assert points[-1].gap == -1.0 and points[-2].gap is None


# The register's writes ----------------------------------------------------------------------


def test_add_expectation_is_open_and_audited(world, now):
    e = _expectation(world)
    assert (e.status, e.category, e.owner_role, e.due) == (
        ExpectationStatus.open,
        "delivery",
        "FR",
        date(2026, 12, 31),
    )
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "account_expectations", AuditEntry.entity_id == e.id
        )
    )
    assert entry.action == "create" and entry.account_id == world.account_a.id
    assert entry.changes["statement"] == [None, "Spare parts within 48 hours"]
    assert services.open_for_account(world.account_a.id) == [e]


def test_add_expectation_refuses_every_problem_at_once(world, now):
    with pytest.raises(ValidationFailed) as refused:
        _expectation(world, statement="  ", category="weather", owner_role="CEO", due="soon")
    assert set(refused.value.fields) == {"statement", "category", "owner_role", "due"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountExpectation)) == 0


def test_add_expectation_refuses_control_characters_and_overlong_text(world, now):
    with pytest.raises(ValidationFailed) as refused:
        _expectation(world, statement="a\x00b")
    assert "statement" in refused.value.fields
    with pytest.raises(ValidationFailed):
        _expectation(world, statement="x" * 2001)


def test_a_rep_outside_the_account_may_not_write(world, now):
    with pytest.raises(Forbidden):
        _expectation(world, actor=world.rep_b)


def test_met_needs_a_linked_action(world, now):
    e = _expectation(world)
    with pytest.raises(ValidationFailed) as refused:
        services.close_expectation(
            e, world.account_a, {"status": "met", "version": e.version}, actor=world.rep_a, now=now
        )
    assert set(refused.value.fields) == {"action"}
    assert e.status == ExpectationStatus.open


def test_met_by_a_next_step_done_closes_and_audits(world, now):
    e = _expectation(world)
    step = _done_step(world, world.account_a)
    data = {"status": "met", "interaction_id": step.id, "version": e.version}
    services.close_expectation(e, world.account_a, data, actor=world.rep_a, now=now)
    assert (e.status, e.interaction_id, e.closed_at) == (ExpectationStatus.met, step.id, now)
    assert services.open_for_account(world.account_a.id) == []
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "account_expectations", AuditEntry.action == "update"
        )
    )
    assert entry.changes["status"] == ["open", "met"]
    assert entry.changes["interaction_id"] == [None, step.id]


def test_met_by_a_done_request_closes(world, now):
    e = _expectation(world)
    request = _done_request(world, world.account_a)
    data = {"status": "met", "request_id": request.id, "version": e.version}
    services.close_expectation(e, world.account_a, data, actor=world.rep_a, now=now)
    assert (e.status, e.request_id) == (ExpectationStatus.met, request.id)


@pytest.mark.parametrize(
    "case",
    ["step not done", "step of another account", "request not done", "request elsewhere", "two"],
)
def test_met_refuses_an_action_not_done_or_of_another_account(world, now, case):
    e = _expectation(world)
    data = {"status": "met", "version": e.version}
    if case == "step not done":
        data["interaction_id"] = _done_step(world, world.account_a, done=False).id
    elif case == "step of another account":
        data["interaction_id"] = _done_step(world, world.shared).id
    elif case == "request not done":
        data["request_id"] = _done_request(world, world.account_a, RequestStatus.in_progress).id
    elif case == "request elsewhere":
        data["request_id"] = _done_request(world, world.shared).id
    else:
        data["interaction_id"] = _done_step(world, world.account_a).id
        data["request_id"] = _done_request(world, world.account_a).id
    with pytest.raises(ValidationFailed):
        services.close_expectation(e, world.account_a, data, actor=world.rep_a, now=now)
    db.session.refresh(e)
    assert e.status == ExpectationStatus.open


def test_missed_and_withdrawn_need_no_action_and_closed_is_final(world, now):
    e = _expectation(world)
    services.close_expectation(
        e, world.account_a, {"status": "missed", "version": e.version}, actor=world.rep_a, now=now
    )
    assert e.status == ExpectationStatus.missed
    with pytest.raises(ValidationFailed) as refused:
        services.close_expectation(
            e,
            world.account_a,
            {"status": "withdrawn", "version": e.version},
            actor=world.rep_a,
            now=now,
        )
    assert "status" in refused.value.fields


def test_close_with_a_stale_version_is_a_conflict(world, now):
    e = _expectation(world)
    with pytest.raises(Conflict):
        services.close_expectation(
            e,
            world.account_a,
            {"status": "withdrawn", "version": e.version + 1},
            actor=world.rep_a,
            now=now,
        )
    with pytest.raises(ValidationFailed):  # no version at all
        services.close_expectation(
            e, world.account_a, {"status": "withdrawn"}, actor=world.rep_a, now=now
        )


def test_record_perception_keeps_the_gap_and_audits(world, now):
    r = services.record_perception(
        world.account_a,
        {"perceived": "2", "expected": 4, "source": "complaint", "contact_id": world.contact_a.id},
        actor=world.rep_a,
        now=now,
    )
    assert (r.perceived, r.expected, r.gap, r.at, r.contact_id) == (
        2,
        4,
        -2,
        now,
        world.contact_a.id,
    )
    assert db.session.scalar(
        sa.select(AuditEntry.id).where(
            AuditEntry.entity_type == "perception_records", AuditEntry.entity_id == r.id
        )
    )


def test_record_perception_refuses_every_problem(world, now):
    data = {
        "perceived": 0,
        "expected": "6",
        "source": "rumour",
        "contact_id": world.contact_b.id,  # another account's
        "interaction_id": 2**40,
        "at": now + timedelta(days=1),
    }
    with pytest.raises(ValidationFailed) as refused:
        services.record_perception(world.account_a, data, actor=world.rep_a, now=now)
    assert set(refused.value.fields) == {
        "perceived",
        "expected",
        "source",
        "contact_id",
        "interaction_id",
        "at",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PerceptionRecord)) == 0


def test_open_for_account_soonest_due_first_undated_last(world, now):
    later = _expectation(world, due=date(2027, 3, 1))
    undated = _expectation(world, due=None)
    sooner = _expectation(world, due=date(2026, 12, 1))
    _expectation(world, due=date(2026, 11, 1)).status = ExpectationStatus.withdrawn
    db.session.flush()
    assert services.open_for_account(world.account_a.id) == [sooner, later, undated]
    assert services.is_overdue(sooner, date(2026, 12, 2))
    assert not services.is_overdue(undated, date(2030, 1, 1))
