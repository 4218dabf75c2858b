"""Relationship budget and spend against a hand-built account: the equal split among customer
attendees, the spend per account, per kind and per contact within the company-calendar year,
the budget's one write (per role, versions, every problem at once with nothing kept, audit), the
group roll-up, and a fixed number of queries however many contacts were logged."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.services import update_contact
from salesflow.dependency.models import AccountSnapshot
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import spend, spend_effect
from salesflow.key_accounts.spend_models import AccountBudget
from tests import factories as f
from tests.conftest import sql_statements

D = Decimal


def test_split_equally_to_the_cent():
    assert spend.split(D("100.00"), [7, 3, 5]) == {3: D("33.34"), 5: D("33.33"), 7: D("33.33")}
    assert spend.split(D("90.00"), [2, 1]) == {1: D("45.00"), 2: D("45.00")}
    assert spend.split(D("0.02"), [1, 2, 3]) == {1: D("0.01"), 2: D("0.01"), 3: D("0.00")}
    assert spend.split(D("10.00"), []) == {}


@pytest.fixture
def logged(world):
    """account_a's contacts this year (2026, company time Asia/Shanghai):
    a meal of 300.00 with three attendees (zhang, wang, li), a visit of 100.00 with zhang,
    an event of 50.00 with nobody of the customer's, a call with no cost;
    outside the year or not counted: a meal of 999.00 in 2025 (2025-12-31 15:59 UTC, 23:59 in
    Shanghai), a deleted meal of 777.00; account_b: a gift-less meal of 40.00."""
    zhang = world.contact_a
    wang = f.make_contact(account=world.account_a, name="Wang Qiang")
    li = f.make_contact(account=world.account_a, name="Li Na")
    a, rep = world.account_a, world.rep_a
    f.make_interaction(account=a, owner=rep, kind="meal", cost=D("300"), contacts=[zhang, wang, li])
    f.make_interaction(account=a, owner=rep, kind="exec_visit", cost=D("100"), contacts=[zhang])
    f.make_interaction(account=a, owner=rep, kind="event", cost=D("50"), contacts=[])
    f.make_interaction(account=a, owner=rep, kind="call", contacts=[zhang])
    new_year = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai: 2026
    f.make_interaction(account=a, owner=rep, kind="meal", cost=D("20"), occurred_at=new_year)
    old = datetime(2025, 12, 31, 15, 59, tzinfo=UTC)
    f.make_interaction(account=a, owner=rep, kind="meal", cost=D("999"), occurred_at=old)
    f.make_interaction(account=a, owner=rep, kind="meal", cost=D("777"), deleted=True)
    f.make_interaction(
        account=world.account_b, owner=world.rep_b, kind="meal", cost=D("40"), contacts=[]
    )
    return zhang, wang, li


def test_spend_per_account_kind_and_contact(world, logged):
    zhang, wang, li = logged
    a, b = world.account_a.id, world.account_b.id
    assert spend.spent_by_account([a, b, world.shared.id], 2026) == {
        a: {"CNY": D("470.00")},  # 300 + 100 + 50 + 20
        b: {"CNY": D("40.00")},
    }
    assert spend.spent_by_account([a], 2025) == {a: {"CNY": D("999.00")}}
    assert spend.spent_by_kind([a], 2026) == {
        "event": {"CNY": D("50.00")},
        "meal": {"CNY": D("320.00")},
        "visit": {"CNY": D("100.00")},
    }
    assert spend.spent_by_contact(a, 2026) == {
        zhang.id: D("200.00"),
        wang.id: D("100.00"),
        li.id: D("100.00"),
    }
    assert spend.spent_this_year(a) == {"CNY": D("470.00")}
    assert spend.spent_this_year(world.shared.id) == {}


def test_budget_created_changed_removed_with_versions_and_audit(world, now):
    a = world.account_a
    [cny] = spend.save_budget(
        a, 2026, {"amounts": {"CNY": "1000"}}, actor=world.director_a, now=now
    )
    assert (cny.currency, cny.amount, cny.version) == ("CNY", D("1000.00"), 1)
    rows = spend.save_budget(
        a,
        2026,
        {"amounts": {"CNY": "1500.50", "USD": 200}, "versions": {"CNY": 1}},
        actor=world.leader,
        now=now,
    )
    assert [(r.currency, r.amount, r.version) for r in rows] == [
        ("CNY", D("1500.50"), 2),
        ("USD", D("200.00"), 1),
    ]
    with pytest.raises(Conflict):
        spend.save_budget(
            a, 2026, {"amounts": {"CNY": "1"}, "versions": {"CNY": 1}}, actor=world.admin, now=now
        )
    rows = spend.save_budget(
        a, 2026, {"amounts": {"USD": None}, "versions": {"USD": 1}}, actor=world.admin, now=now
    )
    assert [(r.currency, r.amount) for r in rows] == [("CNY", D("1500.50"))]
    trail = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.changes, AuditEntry.actor_id)
        .where(AuditEntry.entity_type == "account_budgets")
        .order_by(AuditEntry.id)
    ).all()
    assert [(action, actor) for action, _c, actor in trail] == [
        ("create", world.director_a.id),
        ("update", world.leader.id),
        ("create", world.leader.id),
        ("delete", world.admin.id),
    ]
    assert trail[1][1] == {"amount": ["1000.00", "1500.50"]}


@pytest.mark.parametrize("who", ["rep_a", "rep_a2", "director_b"])
def test_only_the_team_director_leadership_and_admins_set_a_budget(world, now, who):
    with pytest.raises(Forbidden):
        spend.save_budget(
            world.account_a, 2026, {"amounts": {"CNY": "10"}}, actor=getattr(world, who), now=now
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountBudget)) == 0


def test_every_problem_at_once_and_nothing_kept(world, now):
    a = world.account_a
    spend.save_budget(a, 2026, {"amounts": {"CNY": "10"}}, actor=world.admin, now=now)
    with pytest.raises(ValidationFailed) as refused:
        spend.save_budget(
            a,
            2026,
            {"amounts": {"CNY": "20", "usd": "5", "EUR": "-1", "JPY": "1.234", "GBP": "x"}},
            actor=world.admin,
            now=now,
        )
    assert set(refused.value.fields) == {
        "versions.CNY",
        "amounts.usd",
        "amounts.EUR",
        "amounts.JPY",
        "amounts.GBP",
    }
    for bad in ({}, {"amounts": {}}, {"amounts": ["CNY"]}):
        with pytest.raises(ValidationFailed):
            spend.save_budget(a, 2026, bad, actor=world.admin, now=now)
    with pytest.raises(ValidationFailed):
        spend.save_budget(a, 1999, {"amounts": {"CNY": "1"}}, actor=world.admin, now=now)
    kept = db.session.execute(sa.select(AccountBudget.currency, AccountBudget.amount)).all()
    assert kept == [("CNY", D("10.00"))]


def test_summary_left_and_the_group(world, logged, now):
    a = world.account_a
    child = f.make_account(team=world.team_a, name="Huadong Power Jiangsu")
    child.parent_id = a.id
    other_team_child = f.make_account(team=world.team_b, name="Huadong Power South")
    other_team_child.parent_id = a.id
    db.session.flush()
    f.make_interaction(account=child, owner=world.rep_a, kind="meal", cost=D("30"), contacts=[])
    f.make_interaction(
        account=other_team_child, owner=world.rep_b, kind="meal", cost=D("5"), contacts=[]
    )
    spend.save_budget(a, 2026, {"amounts": {"CNY": "400"}}, actor=world.admin, now=now)
    spend.save_budget(child, 2026, {"amounts": {"CNY": "100"}}, actor=world.admin, now=now)
    s = spend.summary(world.director_a, a, 2026)
    assert (s.amounts, s.spent, s.left) == (
        {"CNY": D("400.00")},
        {"CNY": D("470.00")},
        {"CNY": D("-70.00")},
    )
    assert s.group == spend.GroupSpend(
        members=2, amounts={"CNY": D("500.00")}, spent={"CNY": D("500.00")}
    )
    everyone = spend.summary(world.leader, a, 2026).group
    assert (everyone.members, everyone.spent) == (3, {"CNY": D("505.00")})
    assert spend.summary(world.director_a, child, 2026).group is None


def test_a_fixed_number_of_queries(world, now):
    a = world.account_a

    def count() -> int:
        with sql_statements() as seen:
            spend.summary(world.leader, a, 2026)
            spend.spent_by_contact(a.id, 2026)
        return len(seen)

    spend.save_budget(a, 2026, {"amounts": {"CNY": "400"}}, actor=world.admin, now=now)
    few = count()
    for i in range(12):
        people = [f.make_contact(account=a, name=f"Guest {i}")]
        f.make_interaction(account=a, owner=world.rep_a, kind="meal", cost=D("9"), contacts=people)
    spend.save_budget(a, 2026, {"amounts": {"USD": "5", "EUR": "7"}}, actor=world.admin, now=now)
    db.session.flush()
    assert count() == few


def _snapshot(account, day, key, uncovered):
    db.session.add(
        AccountSnapshot(
            day=day,
            account_id=account.id,
            team_id=account.team_id,
            key_contacts=key,
            uncovered_key_contacts=uncovered,
            single_threaded_key_contacts=0,
            bus_factor=1,
            risk="low",
        )
    )


def test_did_the_spend_buy_relationships(world, now):
    """account_a: key contacts held 1 of 4 on 2026-01-05, 2 of 4 in June, 3 of 4 on
    2026-11-19 (25% → 75%); a 2025 snapshot (0 of 4) is outside the year. Its contacts:
    neutral → supporter and supporter → champion (2 warmer), champion → skeptic (1 cooler),
    unknown → neutral (no move), a title change (no move). account_b: one snapshot of 1 of 2
    (50% → 50%), no moves; shared: nothing (no coverage, no moves)."""
    a, b = world.account_a, world.account_b
    _snapshot(a, date(2025, 12, 31), 4, 4)
    _snapshot(a, date(2026, 1, 5), 4, 3)
    _snapshot(a, date(2026, 6, 1), 4, 2)
    _snapshot(a, date(2026, 11, 19), 4, 1)
    _snapshot(b, date(2026, 3, 1), 2, 1)
    zhang = world.contact_a
    other = f.make_contact(account=a, name="Qian Bo", attitude="champion")
    new = f.make_contact(account=a, name="Zhou Xin")
    rep = world.rep_a

    def update(contact, **data):
        update_contact(contact, {**data, "version": contact.version}, actor=rep, now=now)

    update(zhang, attitude="neutral")  # unknown → neutral: no position before
    update(zhang, attitude="supporter")
    update(zhang, attitude="champion")
    update(other, attitude="skeptic")
    update(new, title="CIO")
    found = spend_effect.effects([a.id, b.id, world.shared.id], 2026)
    assert found[a.id] == spend_effect.Effect(0.25, 0.75, 2, 1)
    assert found[a.id].coverage_change == 0.5
    assert found[b.id] == spend_effect.Effect(0.5, 0.5, 0, 0)
    assert found[world.shared.id] == spend_effect.Effect(None, None, 0, 0)
    assert found[world.shared.id].coverage_change is None
    assert spend_effect.effects([a.id], 2025)[a.id] == spend_effect.Effect(0.0, 0.0, 0, 0)
