"""The set-wise facts loader through the database: what each gate sees as of a frozen `now`, and
a bounded number of queries however many opportunities (STYLE.md rule 11). The gate rules
themselves are tested without a database in tests/unit/test_gates.py."""

from datetime import date, timedelta

import pytest

from salesflow.extensions import db
from salesflow.opportunities import facts, services
from salesflow.opportunities.models import ChecklistTick
from tests import factories as f
from tests.conftest import sql_statements


def _result(deal, now, gate, n=0):
    """The n-th result of type `gate` among the exit gates of the deal's current stage."""
    return [r for r in facts.gate_results(deal, now=now) if r.gate == gate][n]


@pytest.fixture
def account(now, world):
    """An account of team A with no contacts or interactions of its own yet."""
    return f.make_account(team=world.team_a, name="Facts Steel")


def _quote(account):
    """A transactional deal in `quote`: contacted a decision maker within 14 days."""
    return f.make_opportunity(account=account, playbook="transactional", stage="quote")


def _met_boss(account, world, at, **contact):
    boss = f.make_contact(account=account, decision_role="decision_maker", **contact)
    f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], occurred_at=at)
    return boss


@pytest.mark.parametrize(
    "age, met",
    [
        (timedelta(0), True),
        (timedelta(days=14), True),  # exactly within_days ago still counts
        (timedelta(days=14, seconds=1), False),
    ],
)
def test_contacted_counts_an_interaction_exactly_within_days_old(now, world, account, age, met):
    deal = _quote(account)
    _met_boss(account, world, now - age)
    assert _result(deal, now, "contacted").met is met


def test_a_deleted_interaction_does_not_count_nor_hide_an_older_one(now, world, account):
    deal = _quote(account)
    boss = _met_boss(account, world, now - timedelta(days=20))
    f.make_interaction(
        account=account, owner=world.rep_a, contacts=[boss], days_ago=1, deleted=True
    )
    result = _result(deal, now, "contacted")
    assert not result.met and "last contact Oct 31, 2026" in result.message


def test_an_interaction_after_now_does_not_count_nor_hide_an_older_one(now, world, account):
    deal = _quote(account)
    boss = _met_boss(account, world, now + timedelta(seconds=1))
    result = _result(deal, now, "contacted")
    assert not result.met and result.detail["last"] is None
    f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], days_ago=20)
    assert _result(deal, now, "contacted").detail["last"] == "2026-10-31T09:30:00+00:00"
    assert _result(deal, now + timedelta(days=1), "contacted").met  # counted once it happened


def test_only_interactions_on_the_deals_own_account_count(now, world, account):
    deal = _quote(account)
    boss = f.make_contact(account=account, decision_role="decision_maker")
    f.make_interaction(account=world.account_a, owner=world.rep_a, contacts=[world.contact_a])
    assert not _result(deal, now, "contacted").met
    f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], days_ago=3)
    assert _result(deal, now, "contacted").met


@pytest.mark.parametrize("state", ["current", "left", "deleted"])
def test_deleted_and_departed_contacts_count_neither_as_mapped_nor_as_contacted(
    now, world, account, state
):
    gone = {"left": {"left_on": date(2026, 11, 1)}, "deleted": {"deleted": True}}.get(state, {})
    validate = f.make_opportunity(account=account)  # contacts: a decision maker, min 1
    quote = _quote(account)  # contacted: a decision maker within 14 days
    _met_boss(account, world, now - timedelta(days=1), **gone)
    assert _result(validate, now, "contacts").met is (state == "current")
    assert _result(quote, now, "contacted").met is (state == "current")


@pytest.mark.parametrize(
    "attitude, met",
    [("champion", True), ("supporter", True), ("neutral", False), ("unknown", False)],
)
def test_a_coach_qualifies_from_the_threshold_attitude_up(now, world, account, attitude, met):
    deal = f.make_opportunity(account=account, stage="shape")  # coach at least supporter
    f.make_contact(account=account, decision_role="coach", attitude=attitude)
    f.make_contact(account=account, decision_role="influencer", attitude="champion")
    assert _result(deal, now, "contacts", 0).met is met


def test_interactions_gate_counts_only_live_interactions_linked_to_this_deal(now, world, account):
    deal = f.make_opportunity(account=account, stage="shape")  # 1 tech_exchange on the deal
    other = f.make_opportunity(account=account, stage="shape")

    def log(**kwargs):
        f.make_interaction(
            account=account, owner=world.rep_a, **{"kind": "tech_exchange", "days_ago": 2, **kwargs}
        )

    log()  # on the account only
    log(opportunity=other)
    log(opportunity=deal, deleted=True)
    log(opportunity=deal, kind="visit")
    result = _result(deal, now, "interactions")
    assert not result.met and result.detail["found"] == 0
    log(opportunity=deal)
    assert _result(deal, now, "interactions").met
    assert _result(other, now, "interactions").met


@pytest.mark.parametrize("days, met", [(30, True), (31, False)])
def test_interactions_gate_with_a_window_counts_only_recent_ones(now, world, account, days, met):
    deal = f.make_opportunity(account=account, stage="handover")  # a meeting within 30 days
    f.make_interaction(
        account=account,
        owner=world.rep_a,
        kind="meeting",
        opportunity=deal,
        occurred_at=now - timedelta(days=days),
    )
    assert _result(deal, now, "interactions").met is met


def test_an_inactive_user_in_a_seat_does_not_staff_it(now, world, account):
    leaver = f.make_user(team=world.team_a, active=False)
    deal = f.make_opportunity(account=account, roles={world.rep_a: "AR", leaver: "SR"})
    result = _result(deal, now, "roles")
    assert not result.met and result.detail == {"missing": ["SR"]}
    services.set_roles(
        deal,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "SR"}],
        actor=world.rep_a,
        now=now,
    )
    assert _result(deal, now, "roles").met


def test_facts_belong_to_each_deal_and_its_own_account(now, world, account):
    here = f.make_opportunity(account=account, roles={world.rep_a: "AR"})
    there = f.make_opportunity(account=world.account_a, roles={world.rep_a2: "SR"})
    f.make_contact(account=account, name="Only Here", decision_role="decision_maker")
    services.tick_item(
        here,
        {"stage": "validate", "item": "need_confirmed", "evidence": "RFI"},
        actor=world.rep_a,
        now=now,
    )
    for item, cleared in [("budget_known", now), ("process_known", None)]:
        db.session.add(
            ChecklistTick(
                opportunity_id=here.id,
                stage_key="shape",
                item_key=item,
                evidence="x",
                ticked_by_id=world.rep_a.id,
                ticked_at=now,
                cleared_at=cleared,
            )
        )
    loaded = facts.load_facts([here, there], now=now)
    assert loaded[here.id].ticked == {"need_confirmed"}  # the current stage's live ticks only
    assert loaded[there.id].ticked == frozenset()
    assert [c.name for c in loaded[here.id].contacts] == ["Only Here"]
    assert [c.name for c in loaded[there.id].contacts] == ["Zhang Wei"]
    assert [(r.role, r.user_id) for r in loaded[here.id].roles] == [("AR", world.rep_a.id)]
    assert [(r.role, r.user_id) for r in loaded[there.id].roles] == [("SR", world.rep_a2.id)]
    assert facts.load_facts([], now=now) == {}


def _busy_deals(world, now, count: int, accounts: int) -> list:
    """`count` deals spread over `accounts` accounts, each with every kind of fact."""
    made = [f.make_account(team=world.team_a) for _ in range(accounts)]
    deals = []
    for n in range(count):
        account = made[n % accounts]
        boss = f.make_contact(account=account, decision_role="decision_maker")
        deal = f.make_opportunity(
            account=account, stage="shape", roles={world.rep_a: "AR", world.rep_a2: "SR"}
        )
        f.make_interaction(
            account=account,
            owner=world.rep_a,
            contacts=[boss],
            days_ago=n,
            opportunity=deal,
            kind="tech_exchange",
        )
        services.tick_item(
            deal,
            {"stage": "shape", "item": "solution_presented", "evidence": "Slides"},
            actor=world.rep_a,
            now=now,
        )
        services.decide(
            deal,
            {"stage": "shape", "gate": "atb", "decision": "approve"},
            actor=world.director_a,
            now=now,
        )
        deals.append(deal)
    db.session.flush()  # nothing pending: autoflush must not add to the count
    return deals


def _statements(deals, now) -> int:
    with sql_statements() as seen:
        loaded = facts.load_facts(deals, now=now)
    assert set(loaded) == {d.id for d in deals}
    assert all(loaded[d.id].ticked == {"solution_presented"} for d in deals)
    assert all(len(loaded[d.id].approvals) == 1 for d in deals)
    return len(seen)


def test_load_facts_uses_the_same_few_queries_for_3_or_12_deals(now, world):
    few = _statements(_busy_deals(world, now, 3, accounts=2), now)
    many = _statements(_busy_deals(world, now, 12, accounts=5), now)
    assert 0 < few <= 7  # roles, contacts, last contacts, linked, ticks, approvals, requests
    assert many == few
