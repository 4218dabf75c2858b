"""Interaction services: logging, validation (every problem at once), edit, done, delete."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions import services
from salesflow.interactions.models import Interaction
from tests.factories import make_contact, make_opportunity, make_user


def _data(world, **overrides):
    data = {
        "account_id": world.account_a.id,
        "kind": "visit",
        "occurred_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        "summary": "Walked the plant with the CEO",
        "contact_ids": [world.contact_a.id],
    }
    return {**data, **overrides}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))


def test_log_with_two_contacts_makes_one_interaction_with_me_as_participant(now, world):
    cfo = make_contact(account=world.account_a, name="CFO Qian")
    before = _count()
    interaction = services.log_interaction(
        _data(
            world,
            contact_ids=[world.contact_a.id, cfo.id],
            cost="120.50",
            next_step="Send quote",
            next_step_due=date(2026, 11, 25),
        ),
        actor=world.rep_a,
        now=now,
    )
    assert _count() == before + 1
    assert {c.id for c in interaction.attendees} == {world.contact_a.id, cfo.id}
    assert [u.id for u in interaction.participants] == [world.rep_a.id]
    assert interaction.owner_id == world.rep_a.id and interaction.cost == Decimal("120.50")
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "interactions", AuditEntry.entity_id == interaction.id
        )
    )
    assert entry.action == "create" and entry.account_id == world.account_a.id
    assert entry.changes["contact_ids"][1] == sorted([world.contact_a.id, cfo.id])
    assert entry.changes["participant_ids"][1] == [world.rep_a.id]


def test_contact_of_another_account_is_refused_and_nothing_saved(now, world):
    before = _count()
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(world, contact_ids=[world.contact_shared.id]), actor=world.rep_a, now=now
        )
    assert "contact_ids" in error.value.fields
    assert _count() == before


@pytest.mark.parametrize("state", ["left", "deleted"])
def test_left_or_deleted_contact_is_refused(now, world, state):
    gone = make_contact(
        account=world.account_a,
        left_on=date(2026, 1, 1) if state == "left" else None,
        deleted=state == "deleted",
    )
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(_data(world, contact_ids=[gone.id]), actor=world.rep_a, now=now)
    assert "contact_ids" in error.value.fields


def test_account_outside_scope_is_not_found(now, world):
    with pytest.raises(NotFound):
        services.log_interaction(
            _data(world, account_id=world.account_b.id, contact_ids=[]), actor=world.rep_a, now=now
        )


def test_every_problem_is_reported_at_once(now, world):
    other_accounts_deal = make_opportunity(account=world.account_b)
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(
                world,
                kind="banquet",
                occurred_at=datetime(2026, 11, 20, 8, 0),
                summary="x" * 5001,
                outcome="y" * 5001,
                next_step_due=date(2026, 12, 1),
                cost="-1",
                opportunity_id=other_accounts_deal.id,
            ),
            actor=world.rep_a,
            now=now,
        )
    assert set(error.value.fields) == {
        "kind",
        "occurred_at",
        "summary",
        "outcome",
        "next_step_due",
        "cost",
        "opportunity_id",
    }


def test_opportunity_of_the_account_is_stored(now, world):
    deal = make_opportunity(account=world.account_a)
    interaction = services.log_interaction(
        _data(world, opportunity_id=deal.id), actor=world.rep_a, now=now
    )
    assert interaction.opportunity_id == deal.id


@pytest.mark.parametrize("which", ["missing", "other_account", "deleted", "text"])
def test_opportunity_must_be_a_live_one_of_the_same_account(now, world, which):
    deals = {
        "missing": lambda: 2**31 - 1,
        "other_account": lambda: make_opportunity(account=world.shared).id,
        "deleted": lambda: make_opportunity(account=world.account_a, deleted=True).id,
        "text": lambda: str(make_opportunity(account=world.account_a).id),
    }
    before = _count()
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(world, opportunity_id=deals[which]()), actor=world.rep_a, now=now
        )
    assert set(error.value.fields) == {"opportunity_id"}
    assert _count() == before


@pytest.mark.parametrize(
    ("cost", "ok"),
    [
        ("0", True),
        ("12.34", True),
        (12, True),
        ("9999999999.99", True),
        ("12.345", False),
        ("-0.01", False),
        ("10000000000", False),
        ("abc", False),
        ("NaN", False),
        (True, False),
    ],
)
def test_cost_boundaries(now, world, cost, ok):
    data = _data(world, cost=cost)
    if ok:
        assert services.log_interaction(data, actor=world.rep_a, now=now).cost is not None
    else:
        with pytest.raises(ValidationFailed) as error:
            services.log_interaction(data, actor=world.rep_a, now=now)
        assert "cost" in error.value.fields


def test_occurred_more_than_a_day_ahead_is_refused(now, world):
    services.log_interaction(
        _data(world, occurred_at=now + timedelta(hours=23)), actor=world.rep_a, now=now
    )
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(world, occurred_at=now + timedelta(days=1, minutes=1)), actor=world.rep_a, now=now
        )
    assert "occurred_at" in error.value.fields


def test_summary_is_required(now, world):
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(_data(world, summary="   "), actor=world.rep_a, now=now)
    assert "summary" in error.value.fields


def test_inactive_participant_is_refused(now, world):
    gone = make_user(team=world.team_a, active=False)
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(world, participant_ids=[world.rep_a.id, gone.id]), actor=world.rep_a, now=now
        )
    assert "participant_ids" in error.value.fields


def test_update_with_stale_version_conflicts(now, world):
    interaction = world.interaction_a
    read = interaction.version
    services.update_interaction(
        interaction, {"summary": "First", "version": read}, actor=world.rep_a, now=now
    )
    with pytest.raises(Conflict):
        services.update_interaction(
            interaction, {"summary": "Second", "version": read}, actor=world.rep_a, now=now
        )
    assert interaction.summary == "First"


def test_update_without_version_is_refused(now, world):
    with pytest.raises(ValidationFailed) as refused:
        services.update_interaction(
            world.interaction_a, {"summary": "Blind"}, actor=world.rep_a, now=now
        )
    assert set(refused.value.fields) == {"version"}
    assert world.interaction_a.summary != "Blind"


def test_update_by_someone_who_did_not_take_part_is_forbidden(now, world):
    with pytest.raises(Forbidden):
        services.update_interaction(
            world.interaction_a,
            {"version": world.interaction_a.version, "summary": "Mine now"},
            actor=world.rep_a2,
            now=now,
        )


def test_update_changes_fields_and_audits_people_as_ids(now, world):
    interaction = world.interaction_a
    services.update_interaction(
        interaction,
        {
            "summary": "Better summary",
            "participant_ids": [world.rep_a.id, world.rep_a2.id],
            "version": interaction.version,
        },
        actor=world.rep_a,
        now=now,
    )
    assert interaction.summary == "Better summary"
    assert {u.id for u in interaction.participants} == {world.rep_a.id, world.rep_a2.id}
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_id == interaction.id, AuditEntry.entity_type == "interactions")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.action == "update"
    assert entry.changes["participant_ids"] == [
        [world.rep_a.id],
        sorted([world.rep_a.id, world.rep_a2.id]),
    ]


def test_attendee_who_left_since_stays_on_edit(now, world):
    interaction = world.interaction_a
    world.contact_a.left_on = date(2026, 11, 1)
    services.update_interaction(
        interaction,
        {"version": interaction.version, "summary": "Edited", "contact_ids": [world.contact_a.id]},
        actor=world.rep_a,
        now=now,
    )
    assert [c.id for c in interaction.attendees] == [world.contact_a.id]


def test_complete_next_step_sets_done_once(now, world):
    interaction = world.interaction_a
    interaction.next_step = "Send the quote"
    read = {"version": interaction.version}
    services.complete_next_step(interaction, read, actor=world.rep_a, now=now)
    assert interaction.next_step_done_at == now
    # A double tap, with the version the page showed: nothing changes, nothing is refused.
    services.complete_next_step(interaction, read, actor=world.rep_a, now=now + timedelta(hours=1))
    assert interaction.next_step_done_at == now


def test_complete_next_step_needs_the_version_read(now, world):
    interaction = world.interaction_a
    read = interaction.version
    interaction.next_step = "Send the revised quote"  # changed by someone else meanwhile
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        services.complete_next_step(interaction, {}, actor=world.rep_a, now=now)
    assert set(refused.value.fields) == {"version"}
    with pytest.raises(Conflict):
        services.complete_next_step(interaction, {"version": read}, actor=world.rep_a, now=now)
    assert interaction.next_step_done_at is None


def test_complete_without_next_step_is_refused(now, world):
    with pytest.raises(ValidationFailed):
        services.complete_next_step(
            world.interaction_a,
            {"version": world.interaction_a.version},
            actor=world.rep_a,
            now=now,
        )


def test_rep_cannot_delete(now, world):
    with pytest.raises(Forbidden):
        services.delete_interaction(world.interaction_a, actor=world.rep_a, now=now)


def test_director_deletes_and_restores_with_audit(now, world):
    interaction = world.interaction_a
    services.delete_interaction(interaction, actor=world.director_a, now=now)
    assert interaction.deleted_at == now
    services.restore_interaction(interaction, actor=world.director_a, now=now)
    assert interaction.deleted_at is None
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "interactions", AuditEntry.entity_id == interaction.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["delete", "restore"]


def test_other_teams_director_cannot_delete(now, world):
    with pytest.raises(Forbidden):
        services.delete_interaction(world.interaction_a, actor=world.director_b, now=now)
