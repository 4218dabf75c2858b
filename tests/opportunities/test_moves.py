"""Moves (PLAYBOOKS.md): advance to the next stage only when the gates hold, override by a
director or admin with a reason, back with a reason, close won from the last stage only, lost from
any, reopen by a director; every move in the stage history."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, GatesUnmet, ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.models import Move, StageChange, Status
from tests import factories as f


def _history(opportunity) -> list[StageChange]:
    return list(
        db.session.scalars(
            sa.select(StageChange)
            .where(StageChange.opportunity_id == opportunity.id)
            .order_by(StageChange.id)
        )
    )


def _transactional_ready(world, *, stage="qualify"):
    """A transactional deal whose `qualify` gates (AR; amount and expected close) hold."""
    return f.make_opportunity(
        account=world.account_a, playbook="transactional", stage=stage, roles={world.rep_a: "AR"}
    )


def test_advance_with_every_gate_met_moves_to_the_next_stage_and_records_it(world, now):
    deal = _transactional_ready(world)
    moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert deal.stage_key == "quote"
    assert deal.stage_entered_at == now
    change = _history(deal)[-1]
    assert (change.move, change.from_stage, change.to_stage) == (Move.advanced, "qualify", "quote")
    assert change.actor_id == world.rep_a.id and change.at == now
    assert change.gates_met and not change.overridden
    assert [g["gate"] for g in change.gates] == ["roles", "fields"]
    assert all(g["met"] for g in change.gates)


def test_advance_with_unmet_gates_is_refused_with_the_list_and_nothing_changes(world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional", amount=None)
    with pytest.raises(GatesUnmet) as refused:
        moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert [u["gate"] for u in refused.value.unmet] == ["roles", "fields"]
    assert "AR" in refused.value.unmet[0]["message"]
    assert refused.value.unmet[1]["message"] == "Fill in: Amount"  # the label, not the key
    assert deal.stage_key == "qualify"
    assert _history(deal) == []


def test_a_skip_is_refused(world, now):
    deal = _transactional_ready(world)
    with pytest.raises(ValidationFailed) as refused:
        moves.advance(
            deal, {"version": deal.version, "to_stage": "order"}, actor=world.rep_a, now=now
        )
    assert "skipped" in refused.value.fields["to_stage"][0]
    assert deal.stage_key == "qualify"


@pytest.mark.parametrize("to_stage", ["qualify", "nowhere"])
def test_advance_to_the_same_or_an_unknown_stage_is_refused(world, now, to_stage):
    deal = _transactional_ready(world)
    with pytest.raises(ValidationFailed):
        moves.advance(
            deal, {"version": deal.version, "to_stage": to_stage}, actor=world.rep_a, now=now
        )
    assert deal.stage_key == "qualify"


def test_advance_naming_the_next_stage_is_allowed(world, now):
    deal = _transactional_ready(world)
    moves.advance(deal, {"version": deal.version, "to_stage": "quote"}, actor=world.rep_a, now=now)
    assert deal.stage_key == "quote"


def test_advance_from_the_last_stage_says_to_close_as_won(world, now):
    deal = _transactional_ready(world, stage="order")
    with pytest.raises(ValidationFailed) as refused:
        moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert "won" in refused.value.fields["to_stage"][0]


def test_a_rep_cannot_override_unmet_gates(world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    with pytest.raises(Forbidden):
        moves.advance(
            deal,
            {"version": deal.version, "override_reason": "trust me"},
            actor=world.rep_a,
            now=now,
        )
    assert deal.stage_key == "qualify"


@pytest.mark.parametrize("who", ["director_a", "admin"])
def test_director_or_admin_override_is_recorded_with_gates_and_reason(world, now, who):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    actor = getattr(world, who)
    moves.advance(
        deal, {"version": deal.version, "override_reason": "Framework deal"}, actor=actor, now=now
    )
    assert deal.stage_key == "quote"
    change = _history(deal)[-1]
    assert change.overridden and not change.gates_met
    assert change.reason == "Framework deal" and change.actor_id == actor.id
    assert [g["met"] for g in change.gates] == [False, True]


@pytest.mark.parametrize("who", ["director_b", "leader"])
def test_other_teams_director_and_leadership_cannot_override(world, now, who):
    deal = f.make_opportunity(account=world.account_b, playbook="transactional")
    deal_a = f.make_opportunity(account=world.account_a, playbook="transactional")
    target = deal if who == "leader" else deal_a
    with pytest.raises(Forbidden):
        moves.advance(
            target,
            {"version": target.version, "override_reason": "x"},
            actor=getattr(world, who),
            now=now,
        )


def test_a_blank_override_reason_is_no_override(world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    with pytest.raises(GatesUnmet):
        moves.advance(
            deal,
            {"version": deal.version, "override_reason": "   "},
            actor=world.director_a,
            now=now,
        )


def test_a_stale_version_is_a_conflict(world, now):
    deal = _transactional_ready(world)
    with pytest.raises(Conflict):
        moves.advance(deal, {"version": deal.version + 1}, actor=world.rep_a, now=now)
    assert deal.stage_key == "qualify"


def test_move_back_needs_an_earlier_stage_and_a_reason(world, now):
    deal = _transactional_ready(world, stage="order")
    with pytest.raises(ValidationFailed) as refused:
        moves.move_back(
            deal, {"version": deal.version, "to_stage": "order"}, actor=world.rep_a, now=now
        )
    assert set(refused.value.fields) == {"to_stage", "reason"}
    change = {"version": deal.version, "to_stage": "qualify", "reason": "Scope changed"}
    moves.move_back(deal, change, actor=world.rep_a, now=now)
    assert deal.stage_key == "qualify"
    change = _history(deal)[-1]
    assert (change.move, change.from_stage, change.to_stage) == (
        Move.moved_back,
        "order",
        "qualify",
    )
    assert change.reason == "Scope changed"


def test_close_won_only_from_the_last_stage(world, now):
    deal = _transactional_ready(world, stage="quote")
    with pytest.raises(ValidationFailed) as refused:
        moves.close(deal, {"version": deal.version, "status": "won"}, actor=world.rep_a, now=now)
    assert "last stage" in refused.value.fields["status"][0]
    assert deal.status == Status.open


def test_close_won_from_the_last_stage_needs_its_gates(world, now):
    deal = _transactional_ready(world, stage="order")
    with pytest.raises(GatesUnmet) as refused:
        moves.close(deal, {"version": deal.version, "status": "won"}, actor=world.rep_a, now=now)
    assert [u["gate"] for u in refused.value.unmet] == ["checklist"]
    from salesflow.opportunities.services import tick_item

    tick_item(
        deal,
        {"stage": "order", "item": "order_received", "evidence": "PO 4711"},
        actor=world.rep_a,
        now=now,
    )
    moves.close(
        deal,
        {"version": deal.version, "status": "won", "reason": "Best price"},
        actor=world.rep_a,
        now=now,
    )
    assert deal.status == Status.won and deal.closed_at == now
    assert _history(deal)[-1].move == Move.won


@pytest.mark.parametrize("stage", ["qualify", "quote", "order"])
def test_close_lost_from_any_stage_with_a_reason(world, now, stage):
    deal = _transactional_ready(world, stage=stage)
    with pytest.raises(ValidationFailed) as refused:
        moves.close(deal, {"version": deal.version, "status": "lost"}, actor=world.rep_a, now=now)
    assert "reason" in refused.value.fields
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "Price"},
        actor=world.rep_a,
        now=now,
    )
    assert deal.status == Status.lost and (deal.loss_reason, deal.close_reason) == ("price", None)
    change = _history(deal)[-1]
    assert (change.move, change.to_stage, change.reason) == (Move.lost, stage, "Price")


def test_closed_deals_cannot_move(world, now):
    deal = _transactional_ready(world, stage="quote")
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "Price"},
        actor=world.rep_a,
        now=now,
    )
    with pytest.raises(ValidationFailed):
        moves.advance(
            deal, {"version": deal.version, "override_reason": "x"}, actor=world.director_a, now=now
        )


@pytest.mark.parametrize("who", ["rep_a", "leader", "director_b"])
def test_reopen_is_refused_to_all_but_the_teams_director_and_admins(world, now, who):
    deal = _transactional_ready(world, stage="quote")
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "Price"},
        actor=world.rep_a,
        now=now,
    )
    with pytest.raises(Forbidden):
        moves.reopen(
            deal,
            {"version": deal.version, "reason": "Came back"},
            actor=getattr(world, who),
            now=now,
        )
    assert deal.status == Status.lost


def test_director_reopens_with_a_reason_in_the_stage_it_closed_in(world, now):
    deal = _transactional_ready(world, stage="quote")
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "Price"},
        actor=world.rep_a,
        now=now,
    )
    later = now + timedelta(days=3)
    with pytest.raises(ValidationFailed):
        moves.reopen(deal, {"version": deal.version}, actor=world.director_a, now=later)
    moves.reopen(
        deal,
        {"version": deal.version, "reason": "Budget came back"},
        actor=world.director_a,
        now=later,
    )
    assert deal.status == Status.open and deal.stage_key == "quote"
    assert deal.stage_entered_at == later and deal.close_reason is None
    assert [c.move for c in _history(deal)] == [Move.lost, Move.reopened]


def _audit(deal) -> list[tuple[str, dict, int | None]]:
    """The deal's audit entries as the history shows them: action, changes, actor."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "opportunities", AuditEntry.entity_id == deal.id)
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.changes, e.actor_id) for e in entries]


def test_every_move_writes_its_audit_entry_from_and_to_by_whom(world, now):
    deal = _transactional_ready(world)
    data = {"version": deal.version}
    moves.advance(deal, data, actor=world.rep_a, now=now)
    moves.move_back(
        deal,
        {"version": deal.version, "to_stage": "qualify", "reason": "Scope changed"},
        actor=world.rep_a2,
        now=now,
    )
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "Price"},
        actor=world.rep_a,
        now=now,
    )
    moves.reopen(
        deal, {"version": deal.version, "reason": "Came back"}, actor=world.director_a, now=now
    )
    assert _audit(deal) == [
        ("update", {"stage_key": ["qualify", "quote"]}, world.rep_a.id),
        ("update", {"stage_key": ["quote", "qualify"]}, world.rep_a2.id),
        ("update", {"status": ["open", "lost"], "loss_reason": [None, "price"]}, world.rep_a.id),
        (
            "update",
            {"status": ["lost", "open"], "loss_reason": ["price", None]},
            world.director_a.id,
        ),
    ]
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "opportunities", AuditEntry.entity_id == deal.id
        )
    )
    assert {(e.at, e.account_id) for e in entries} == {(now, world.account_a.id)}
