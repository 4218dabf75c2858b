"""The set-wise dependency data: the same tie strengths as the decision chain, every account in a
fixed number of queries, the report worst first, and the departure simulation with the pipeline
it puts at risk."""

from decimal import Decimal

import pytest

from salesflow.dependency import queries
from salesflow.dependency.metrics import Risk
from salesflow.ties.queries import live_ties
from tests import factories as f
from tests.conftest import sql_statements


def _account(world, name: str):
    """An account with a decision maker (3 × 1.5 = 4.5) and a high-influence user (1 × 1.5)."""
    account = f.make_account(team=world.team_a, name=name)
    boss = f.make_contact(account=account, decision_role="decision_maker", influence="high")
    user = f.make_contact(account=account, decision_role="user", influence="high")
    return account, boss, user


def test_strengths_agree_with_the_decision_chain(world, now):
    account, boss, user = _account(world, "Agree")
    for days in (0, 45, 180, 181):
        f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], days_ago=days)
    f.make_interaction(account=account, owner=world.rep_a2, contacts=[boss, user], days_ago=90)
    inp = queries.account_inputs({account.id}, now=now)[account.id]
    chain = live_ties(account.id, now=now)
    for contact_id, ties in chain.items():
        for person, strength in ties:
            assert inp.ties[(person.id, contact_id)] == pytest.approx(strength)
    assert inp.ties[(world.rep_a.id, boss.id)] == pytest.approx(1 + 2**-0.5 + 0.25)
    assert len(inp.ties) == 3


def test_left_and_deleted_contacts_take_no_part(world, now):
    account, boss, user = _account(world, "Gone")
    left = f.make_contact(account=account, decision_role="decision_maker", left_on=now.date())
    gone = f.make_contact(account=account, decision_role="decision_maker", deleted=True)
    inp = queries.account_inputs({account.id}, now=now)[account.id]
    assert [c.id for c in inp.contacts] == [boss.id, user.id]
    assert left.id not in {c.id for c in inp.contacts} and gone.id not in {
        c.id for c in inp.contacts
    }


def test_every_account_in_a_fixed_number_of_queries(world, now):
    def count_for(ids) -> int:
        with sql_statements() as statements:
            queries.account_inputs(ids, now=now)
        return len(statements)

    small = count_for({world.account_a.id})
    ids = set()
    for n in range(8):
        account, boss, _ = _account(world, f"Many {n}")
        f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], days_ago=n)
        ids.add(account.id)
    assert count_for(ids) == small


def test_report_is_scoped_and_worst_first(world, now):
    risky, boss, user = _account(world, "Risky")
    f.make_interaction(account=risky, owner=world.rep_a, contacts=[boss, user], days_ago=1)
    safe, boss2, user2 = _account(world, "Safe")
    for person in (world.rep_a, world.rep_a2, world.director_a):
        f.make_interaction(account=safe, owner=person, contacts=[boss2, user2], days_ago=1)
    rows = queries.report(world.director_a, queries.ReportFilters(), now=now)
    names = [r.account.name for r in rows]
    assert names.index("Risky") < names.index("Safe")
    assert "Nanfang Grid" not in names  # team B's account
    safe_row = next(r for r in rows if r.account.name == "Safe")
    assert safe_row.metrics.effective_holders == pytest.approx(3.0)
    assert safe_row.metrics.risk == Risk.low
    only_high = queries.report(world.director_a, queries.ReportFilters(risk="high"), now=now)
    assert "Safe" not in [r.account.name for r in only_high]


def test_departure_reports_uncovered_contacts_and_the_pipeline_at_risk(world, now):
    account, boss, user = _account(world, "Depends on Li")
    f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], days_ago=2)
    f.make_interaction(account=account, owner=world.rep_a2, contacts=[user], days_ago=2)
    deal = f.make_opportunity(
        account=account, stage="shape", amount=1_000_000, roles={world.rep_a2: "AR"}
    )
    other, boss3, _ = _account(world, "Li is AR only")
    f.make_interaction(account=other, owner=world.rep_a2, contacts=[boss3], days_ago=2)
    ar_deal = f.make_opportunity(account=other, amount=200_000, roles={world.rep_a: "AR"})
    dollars = f.make_opportunity(
        account=other, amount=30_000, currency="USD", roles={world.rep_a: "AR"}
    )
    result = queries.departure(world.leader, {world.rep_a.id}, now=now)
    by_account = {d.account_id: d for d in result.accounts}
    gone = by_account[account.id]
    assert gone.newly_uncovered_key_contacts == (boss.id,)
    assert gone.before.risk == Risk.high and gone.after.risk == Risk.high
    assert gone.loses_decision_makers and not gone.risk_rises
    assert gone.holder_left  # Li held 4.5 / 6.0 = 0.75
    assert by_account[other.id].newly_uncovered_key_contacts == ()
    assert sorted(result.opportunity_ids) == sorted([deal.id, ar_deal.id, dollars.id])
    # summed per currency, never across currencies
    assert result.pipeline_at_risk_amount == {
        "CNY": Decimal("1200000.00"),
        "USD": Decimal("30000.00"),
    }
    # shape is 25 %, validate 10 %
    assert result.pipeline_at_risk_weighted == {
        "CNY": Decimal("270000.00"),
        "USD": Decimal("3000.00"),
    }


def test_a_director_simulates_within_their_team_only(world, now):
    f.make_interaction(account=world.account_b, owner=world.rep_b, contacts=[world.contact_b])
    result = queries.departure(world.director_a, {world.rep_b.id}, now=now)
    assert result.accounts == [] and result.opportunity_ids == []
