"""Opportunity services through the database: create, update, the iron triangle, checklist ticks
and decisions (PLAYBOOKS.md). Moves are in test_moves.py; pure gate rules in tests/unit."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import facts, services
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Move,
    Opportunity,
    OpportunityRole,
    StageChange,
    Status,
    TriangleRole,
)
from salesflow.playbooks import registry
from tests import factories as f

MISSING = object()


def _data(world, **overrides) -> dict:
    """Valid input for create_opportunity; MISSING drops a key."""
    data = {
        "account_id": world.account_a.id,
        "playbook": "enterprise",
        "name": "Grid upgrade",
        "amount": "1200000.50",
        "currency": "cny",
        "expected_close": date(2027, 3, 31),
        "customer_need": "Ageing relays",
        "competitors": "Acme",
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not MISSING}


def _audit(deal) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == "opportunities", AuditEntry.entity_id == deal.id)
            .order_by(AuditEntry.id)
        )
    )


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _nothing_saved() -> bool:
    return (
        _count(Opportunity),
        _count(StageChange),
        _count(AuditEntry, AuditEntry.entity_type == "opportunities"),
    ) == (0, 0, 0)


def _gate(deal, now, name):
    return next(r for r in facts.gate_results(deal, now=now) if r.gate == name)


# create_opportunity


def test_create_starts_in_the_first_stage_with_the_creator_in_the_ar_seat(now, world):
    deal = services.create_opportunity(_data(world), actor=world.rep_a, now=now)
    assert (deal.stage_key, deal.stage_entered_at, deal.status) == ("validate", now, Status.open)
    assert (deal.amount, deal.currency) == (Decimal("1200000.50"), "CNY")
    assert (deal.playbook_version.key, deal.playbook_version.version) == ("enterprise", 2)
    roles = db.session.scalars(
        sa.select(OpportunityRole).where(OpportunityRole.opportunity_id == deal.id)
    ).all()
    assert [(r.user_id, r.role) for r in roles] == [(world.rep_a.id, TriangleRole.AR)]
    (change,) = db.session.scalars(
        sa.select(StageChange).where(StageChange.opportunity_id == deal.id)
    ).all()
    assert (change.move, change.from_stage, change.to_stage) == (Move.created, None, "validate")
    assert (change.actor_id, change.at) == (world.rep_a.id, now)


def test_create_is_audited_on_the_account(now, world):
    deal = services.create_opportunity(_data(world), actor=world.rep_a, now=now)
    (entry,) = _audit(deal)
    assert (entry.action, entry.account_id) == ("create", world.account_a.id)
    assert (entry.actor_id, entry.at) == (world.rep_a.id, now)
    assert entry.changes["name"] == [None, "Grid upgrade"]
    assert entry.changes["amount"] == [None, "1200000.50"]
    assert entry.changes["playbook"] == [None, "enterprise v2"]
    assert entry.changes["roles"] == [None, [[world.rep_a.id, "AR"]]]


def test_create_without_a_currency_uses_the_configured_one(app, now, world):
    deal = services.create_opportunity(_data(world, currency=MISSING), actor=world.rep_a, now=now)
    assert deal.currency == app.config["CURRENCY"]


def test_create_uses_the_newest_version_of_the_chosen_playbook(
    app, now, world, tmp_path, monkeypatch
):
    source = (Path(app.root_path).parent / "playbooks" / "transactional.yaml").read_text()
    (tmp_path / "transactional.yaml").write_text(source)
    newer = source.replace("version: 2", "version: 3", 1).replace("key: qualify", "key: call", 1)
    (tmp_path / "newer.yaml").write_text(newer)  # read first: file order must not matter
    monkeypatch.setitem(app.config, "PLAYBOOKS_FOLDER", str(tmp_path))
    monkeypatch.setitem(app.extensions, registry.EXTENSION, None)  # read the folder again
    deal = services.create_opportunity(
        _data(world, playbook="transactional"), actor=world.rep_a, now=now
    )
    assert (deal.playbook_version.version, deal.stage_key) == (3, "call")


def test_create_with_bad_input_names_every_problem_at_once_and_saves_nothing(now, world):
    bad = _data(
        world,
        playbook="nope",
        name="  ",
        amount="-5",
        currency="euro",
        expected_close="2027-03-31",
        competitors="a\nb",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.create_opportunity(bad, actor=world.rep_a, now=now)
    assert set(refused.value.fields) == {
        "playbook",
        "name",
        "amount",
        "currency",
        "expected_close",
        "competitors",
    }
    assert refused.value.fields["amount"] == ["The amount cannot be negative."]
    assert _nothing_saved()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("playbook", "nope", "Choose a playbook."),
        ("playbook", MISSING, "Choose a playbook."),
        ("name", MISSING, "Name the opportunity."),
        ("name", "x" * 201, "Use at most 200 characters."),
        ("amount", -1, "The amount cannot be negative."),
        ("amount", "12.345", "Use at most 2 decimals."),
        ("amount", "lots", "Enter an amount."),
        ("currency", "EURO", "Use a three-letter currency code such as CNY."),
        ("currency", None, "Use a three-letter currency code such as CNY."),
        ("expected_close", "2027-03-31", "Enter a date."),
        ("expected_close", datetime(2027, 3, 31), "Enter a date."),
    ],
)
def test_create_refuses_each_bad_field(now, world, field, value, message):
    with pytest.raises(ValidationFailed) as refused:
        services.create_opportunity(_data(world, **{field: value}), actor=world.rep_a, now=now)
    assert refused.value.fields == {field: [message]}
    assert _nothing_saved()


@pytest.mark.parametrize("account", ["account_b", "deleted"])
def test_create_on_an_account_outside_scope_is_not_found_even_with_bad_input(now, world, account):
    target = (
        f.make_account(team=world.team_a, deleted=True) if account == "deleted" else world.account_b
    )
    for data in (_data(world, account_id=target.id), _data(world, account_id=target.id, name="")):
        with pytest.raises(NotFound):
            services.create_opportunity(data, actor=world.rep_a, now=now)
    assert _nothing_saved()


@pytest.mark.parametrize("account_id", [MISSING, None, "1", True])
def test_create_needs_an_account_id(now, world, account_id):
    with pytest.raises(ValidationFailed) as refused:
        services.create_opportunity(_data(world, account_id=account_id), actor=world.rep_a, now=now)
    assert set(refused.value.fields) == {"account_id"}


# update_opportunity


def test_update_records_each_change_with_old_and_new_values(now, world):
    deal = services.create_opportunity(_data(world), actor=world.rep_a, now=now)
    later = now + timedelta(hours=1)
    change = {
        "amount": "900000",
        "expected_close": date(2027, 6, 30),
        "competitors": " ",
        "name": "Grid upgrade",
        "version": deal.version,
    }
    services.update_opportunity(deal, change, actor=world.rep_a2, now=later)
    assert (deal.amount, deal.competitors, deal.version) == (Decimal("900000.00"), None, 2)
    entry = _audit(deal)[-1]
    assert (entry.action, entry.actor_id, entry.at) == ("update", world.rep_a2.id, later)
    assert entry.account_id == world.account_a.id
    assert entry.changes == {
        "amount": ["1200000.50", "900000.00"],
        "expected_close": ["2027-03-31", "2027-06-30"],
        "competitors": ["Acme", None],
    }


def test_an_update_that_changes_nothing_records_nothing(now, world):
    deal = services.create_opportunity(_data(world), actor=world.rep_a, now=now)
    change = {"version": deal.version, "amount": "1200000.5", "name": "Grid upgrade "}
    services.update_opportunity(deal, change, actor=world.rep_a, now=now)
    assert [e.action for e in _audit(deal)] == ["create"]


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(now, world):
    deal = f.make_opportunity(account=world.account_a, name="Before")
    read = deal.version
    services.update_opportunity(
        deal, {"name": "First", "version": read}, actor=world.rep_a, now=now
    )
    with pytest.raises(Conflict):
        services.update_opportunity(
            deal, {"name": "Second", "version": read}, actor=world.rep_a2, now=now
        )
    assert deal.name == "First"


@pytest.mark.parametrize("status", ["won", "lost"])
def test_a_closed_deal_cannot_be_edited(now, world, status):
    deal = f.make_opportunity(account=world.account_a, status=status, name="Closed")
    with pytest.raises(ValidationFailed) as refused:
        services.update_opportunity(
            deal, {"version": deal.version, "name": "Renamed"}, actor=world.director_a, now=now
        )
    assert set(refused.value.fields) == {"status"}
    assert deal.name == "Closed"


def test_moving_to_another_account_or_playbook_is_refused_with_the_other_problems(now, world):
    deal = f.make_opportunity(account=world.account_a, name="Stays")
    data = {
        "account_id": world.shared.id,
        "playbook": "transactional",
        "amount": "-1",
        "name": "Moved",
        "version": deal.version,
    }
    with pytest.raises(ValidationFailed) as refused:
        services.update_opportunity(deal, data, actor=world.admin, now=now)
    assert set(refused.value.fields) == {"account_id", "playbook", "amount"}
    assert (deal.account_id, deal.name) == (world.account_a.id, "Stays")
    same = {
        "account_id": world.account_a.id,
        "playbook": "enterprise",
        "name": "Renamed",
        "version": deal.version,
    }
    services.update_opportunity(deal, same, actor=world.admin, now=now)
    assert deal.name == "Renamed"


# set_roles


def _seats(deal) -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(OpportunityRole.role, OpportunityRole.user_id).where(
            OpportunityRole.opportunity_id == deal.id
        )
    )
    return sorted((role.value, user_id) for role, user_id in rows)


def test_set_roles_replaces_the_seats_and_is_audited_once_as_roles(now, world):
    deal = f.make_opportunity(
        account=world.account_a, roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )
    fr = f.make_user(team=world.team_a, name="Fu Rong")  # sees the account: may take a seat
    seats = [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": fr.id, "role": "FR"}]
    services.set_roles(deal, seats, actor=world.director_a, now=now)
    assert _seats(deal) == [("AR", world.rep_a.id), ("FR", fr.id)]
    (entry,) = _audit(deal)
    assert entry.changes == {
        "roles": [
            sorted([[world.rep_a.id, "AR"], [world.rep_a2.id, "SR"]]),
            sorted([[world.rep_a.id, "AR"], [fr.id, "FR"]]),
        ]
    }
    services.set_roles(deal, list(reversed(seats)), actor=world.director_a, now=now)
    assert len(_audit(deal)) == 1  # the same seats again change nothing


def test_a_seat_for_someone_who_cannot_see_the_account_is_refused(now, world):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    with pytest.raises(ValidationFailed) as refused:
        services.set_roles(
            deal, [{"user_id": world.rep_b.id, "role": "FR"}], actor=world.director_a, now=now
        )
    assert refused.value.fields == {
        "roles": ["Wang Fang cannot see this account, so cannot work its deals."]
    }
    assert _seats(deal) == [("AR", world.rep_a.id)]


def test_two_people_can_swap_the_ar_and_sr_seats(now, world):
    deal = f.make_opportunity(
        account=world.account_a, roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )
    services.set_roles(
        deal,
        [{"user_id": world.rep_a2.id, "role": "AR"}, {"user_id": world.rep_a.id, "role": "SR"}],
        actor=world.rep_a,
        now=now,
    )
    assert _seats(deal) == [("AR", world.rep_a2.id), ("SR", world.rep_a.id)]
    assert len(_audit(deal)) == 1


@pytest.mark.parametrize(
    "seats, message",
    [
        ([("rep_a", "AR"), ("rep_a2", "AR")], "Only one person can be AR."),
        ([("rep_a", "CEO")], "Choose AR, SR or FR for Li Ming."),
        ([("rep_a", None)], "Choose AR, SR or FR for Li Ming."),
        ([(None, "AR")], "Row 1: choose a person who exists."),
    ],
)
def test_set_roles_refuses_bad_rows_and_keeps_the_seats(now, world, seats, message):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a2: "SR"})
    rows = [
        {"user_id": getattr(world, who).id if who else 999_999, "role": role} for who, role in seats
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.set_roles(deal, rows, actor=world.rep_a, now=now)
    assert refused.value.fields == {"roles": [message]}
    assert _seats(deal) == [("SR", world.rep_a2.id)] and _audit(deal) == []


def test_set_roles_lists_every_bad_row(now, world):
    deal = f.make_opportunity(account=world.account_a)
    rows = [
        {"user_id": 999_999, "role": "AR"},
        {"user_id": world.rep_a.id, "role": "XX"},
        {"user_id": world.rep_a2.id, "role": "SR"},
        {"user_id": world.rep_b.id, "role": "SR"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.set_roles(deal, rows, actor=world.rep_a, now=now)
    assert len(refused.value.fields["roles"]) == 3


def test_an_inactive_user_keeps_their_seat_but_takes_no_other(now, world):
    leaver = f.make_user(team=world.team_a, name="Gone Away", active=False)
    deal = f.make_opportunity(account=world.account_a, roles={leaver: "AR"})
    keep = [{"user_id": leaver.id, "role": "AR"}, {"user_id": world.rep_a.id, "role": "SR"}]
    services.set_roles(deal, keep, actor=world.rep_a, now=now)
    assert _seats(deal) == [("AR", leaver.id), ("SR", world.rep_a.id)]
    for seats in (
        [{"user_id": leaver.id, "role": "FR"}],
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": leaver.id, "role": "SR"}],
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.set_roles(deal, seats, actor=world.rep_a, now=now)
        assert refused.value.fields == {"roles": ["Gone Away is no longer active."]}
    other = f.make_opportunity(account=world.account_a)
    with pytest.raises(ValidationFailed):
        services.set_roles(
            other, [{"user_id": leaver.id, "role": "AR"}], actor=world.rep_a, now=now
        )


# tick_item / untick_item


def _tick(deal, who, now, item="need_confirmed", evidence="Minutes of 3 Nov", stage="validate"):
    return services.tick_item(
        deal, {"stage": stage, "item": item, "evidence": evidence}, actor=who, now=now
    )


@pytest.mark.parametrize("evidence", [MISSING, None, "", "   "])
def test_a_tick_needs_evidence(now, world, evidence):
    deal = f.make_opportunity(account=world.account_a)
    data = {"stage": "validate", "item": "need_confirmed", "evidence": evidence}
    with pytest.raises(ValidationFailed) as refused:
        services.tick_item(
            deal, {k: v for k, v in data.items() if v is not MISSING}, actor=world.rep_a, now=now
        )
    assert set(refused.value.fields) == {"evidence"}
    assert _count(ChecklistTick) == 0


@pytest.mark.parametrize(
    "stage, item, field",
    [
        ("validate", "spec_influenced", "item"),  # an item of another stage
        ("validate", "nope", "item"),
        ("shape", "spec_influenced", "stage"),  # a later stage: not there yet
        ("nowhere", "need_confirmed", "stage"),
        (None, "need_confirmed", "stage"),
    ],
)
def test_only_items_of_the_current_stage_can_be_ticked(now, world, stage, item, field):
    deal = f.make_opportunity(account=world.account_a)
    with pytest.raises(ValidationFailed) as refused:
        _tick(deal, world.rep_a, now, item=item, stage=stage)
    assert set(refused.value.fields) == {field}
    assert _count(ChecklistTick) == 0


def test_an_item_of_an_earlier_stage_cannot_be_ticked_or_unticked(now, world):
    deal = f.make_opportunity(account=world.account_a, stage="shape")
    with pytest.raises(ValidationFailed) as refused:
        _tick(deal, world.rep_a, now)
    assert refused.value.fields == {"stage": ["The opportunity is not in this stage now."]}
    with pytest.raises(ValidationFailed):
        services.untick_item(
            deal, {"stage": "validate", "item": "need_confirmed"}, actor=world.rep_a, now=now
        )


def test_ticking_again_replaces_the_evidence(now, world):
    deal = f.make_opportunity(account=world.account_a)
    _tick(deal, world.rep_a, now, evidence="Minutes of 3 Nov")
    later = now + timedelta(hours=2)
    _tick(deal, world.rep_a2, later, evidence="  Signed RFI  ")
    (tick,) = db.session.scalars(sa.select(ChecklistTick)).all()
    assert (tick.evidence, tick.ticked_by_id, tick.ticked_at) == (
        "Signed RFI",
        world.rep_a2.id,
        later,
    )
    assert [e.changes for e in _audit(deal)] == [
        {"checklist.validate.need_confirmed": [None, "Minutes of 3 Nov"]},
        {"checklist.validate.need_confirmed": ["Minutes of 3 Nov", "Signed RFI"]},
    ]


def test_untick_clears_the_tick_and_keeps_the_evidence_in_the_history(now, world):
    deal = f.make_opportunity(account=world.account_a)
    _tick(deal, world.rep_a, now)
    later = now + timedelta(hours=1)
    services.untick_item(
        deal, {"stage": "validate", "item": "need_confirmed"}, actor=world.rep_a2, now=later
    )
    (tick,) = db.session.scalars(sa.select(ChecklistTick)).all()
    assert (tick.cleared_at, tick.evidence) == (later, "Minutes of 3 Nov")
    entry = _audit(deal)[-1]
    assert (entry.actor_id, entry.at) == (world.rep_a2.id, later)
    assert entry.changes == {"checklist.validate.need_confirmed": ["Minutes of 3 Nov", None]}
    assert "need_confirmed" in _gate(deal, later, "checklist").detail["open"]
    with pytest.raises(ValidationFailed) as refused:
        services.untick_item(
            deal, {"stage": "validate", "item": "need_confirmed"}, actor=world.rep_a, now=later
        )
    assert refused.value.fields == {"item": ["This item is not ticked."]}
    _tick(deal, world.rep_a, later, evidence="Again")  # a fresh tick: nothing to replace
    assert _audit(deal)[-1].changes == {"checklist.validate.need_confirmed": [None, "Again"]}


def test_ticked_items_satisfy_the_checklist_gate(now, world):
    deal = f.make_opportunity(account=world.account_a)
    assert _gate(deal, now, "checklist").detail["open"] == [
        "need_confirmed",
        "budget_known",
        "process_known",
    ]
    _tick(deal, world.rep_a, now, item="need_confirmed")
    _tick(deal, world.rep_a, now, item="budget_known", evidence="Budget letter")
    result = _gate(deal, now, "checklist")
    assert not result.met and result.detail["open"] == ["process_known"]
    _tick(deal, world.rep_a, now, item="process_known", evidence="Tender notice")
    assert _gate(deal, now, "checklist").met


def test_a_closed_deal_cannot_be_ticked(now, world):
    deal = f.make_opportunity(account=world.account_a, status="lost")
    with pytest.raises(ValidationFailed) as refused:
        _tick(deal, world.rep_a, now)
    assert set(refused.value.fields) == {"status"}


# decide


def _decide(deal, who, decision, at, **extra):
    return services.decide(
        deal, {"stage": "shape", "gate": "atb", "decision": decision, **extra}, actor=who, now=at
    )


def _shape(world):
    return f.make_opportunity(account=world.account_a, stage="shape")


def test_a_rep_may_request_a_decision_which_does_not_meet_the_gate(now, world):
    deal = _shape(world)
    approval = _decide(deal, world.rep_a, "requested", now, comment="Tender out on 1 Dec")
    assert (approval.decision, approval.actor_role) == (Decision.requested, "rep")
    result = _gate(deal, now, "approval")
    assert not result.met and result.hint == "request_approval"
    assert _audit(deal)[-1].changes == {"approval.atb": [None, "requested"]}


@pytest.mark.parametrize("who", ["rep_a", "leader", "director_b"])
def test_approving_is_refused_to_reps_leadership_and_the_other_teams_director(now, world, who):
    deal = _shape(world)
    with pytest.raises(Forbidden):
        _decide(deal, getattr(world, who), "approve", now)
    assert _count(Approval) == 0 and _audit(deal) == []
    assert not _gate(deal, now, "approval").met


@pytest.mark.parametrize("who", ["director_a", "admin"])
def test_the_teams_director_or_an_admin_approves(now, world, who):
    deal = _shape(world)
    approval = _decide(deal, getattr(world, who), "approve", now)
    assert approval.actor_role == getattr(world, who).role.value and approval.comment is None
    assert _gate(deal, now, "approval").met
    assert _audit(deal)[-1].changes == {"approval.atb": [None, "approve"]}


@pytest.mark.parametrize("comment", [MISSING, None, "  "])
def test_a_rejection_says_why(now, world, comment):
    deal = _shape(world)
    extra = {} if comment is MISSING else {"comment": comment}
    with pytest.raises(ValidationFailed) as refused:
        _decide(deal, world.director_a, "reject", now, **extra)
    assert refused.value.fields == {"comment": ["Say why it is rejected."]}
    assert _count(Approval) == 0


def test_a_later_rejection_makes_the_approval_gate_unmet_again(now, world):
    deal = _shape(world)
    _decide(deal, world.director_a, "approve", now - timedelta(hours=2))
    assert _gate(deal, now, "approval").met
    _decide(deal, world.admin, "reject", now - timedelta(hours=1), comment="Margin too thin")
    result = _gate(deal, now, "approval")
    assert not result.met and "rejected" in result.message
    assert _gate(deal, now - timedelta(minutes=90), "approval").met  # as it stood before
    _decide(deal, world.director_a, "approve", now)
    assert _gate(deal, now, "approval").met


def test_of_two_decisions_at_the_same_instant_the_one_recorded_last_stands(now, world):
    deal = _shape(world)
    _decide(deal, world.director_a, "approve", now)
    _decide(deal, world.director_a, "reject", now, comment="Changed my mind")
    assert not _gate(deal, now, "approval").met


@pytest.mark.parametrize(
    "data, field",
    [
        ({"gate": "atc"}, "gate"),  # negotiate's decision point, not shape's
        ({"gate": "nope"}, "gate"),
        ({"gate": None}, "gate"),
        ({"decision": "maybe"}, "decision"),
        ({"stage": "negotiate", "gate": "atc"}, "stage"),
        ({"stage": "validate"}, "stage"),  # not where the deal is
    ],
)
def test_a_decision_on_an_unknown_gate_or_with_an_unknown_verdict_is_refused(
    now, world, data, field
):
    deal = _shape(world)
    base = {"stage": "shape", "gate": "atb", "decision": "approve"}
    with pytest.raises(ValidationFailed) as refused:
        services.decide(deal, {**base, **data}, actor=world.director_a, now=now)
    assert set(refused.value.fields) == {field}
    assert _count(Approval) == 0
