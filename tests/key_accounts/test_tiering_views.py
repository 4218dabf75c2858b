"""Tiering pages per role: the tier review (directors their team, leadership and admins every
team, reps refused), the decision and potential buttons (refusals keep nothing, outside the
scope 404), the tiering panel and the group on the account page; a fixed number of queries."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Tier
from salesflow.extensions import db
from salesflow.key_accounts import tiering_pages
from salesflow.key_accounts import tiering_services as services
from salesflow.key_accounts.tiering_models import AccountTierChange
from tests import factories as f
from tests.conftest import login, sql_statements


def _changes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AccountTierChange))


def _review(client, world, who):
    return login(client, getattr(world, who)).get("/key-accounts/tiering")


def test_rep_may_not_open_the_review(client, world):
    assert _review(client, world, "rep_a").status_code == 403


@pytest.mark.parametrize(
    ("who", "seen", "buttons"),
    [
        ("director_a", {"Huadong Power", "Shared Steel"}, True),
        ("director_b", {"Nanfang Grid"}, True),
        ("leader", {"Huadong Power", "Shared Steel", "Nanfang Grid"}, False),
        ("admin", {"Huadong Power", "Shared Steel", "Nanfang Grid"}, True),
    ],
)
def test_review_lists_the_differing_accounts_in_scope(client, world, now, who, seen, buttons):
    # the World's accounts are tier B with nothing recorded: each suggests C
    world.team_a_c = f.make_account(team=world.team_a, name="Already C", tier="C")
    page = _review(client, world, who)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("Huadong Power", "Shared Steel", "Nanfang Grid"):
        assert (name in html) == (name in seen)
    assert "Already C" not in html  # its suggested tier is its tier
    assert ('value="confirm"' in html) == buttons
    told = f"{len(seen)} accounts to review" if len(seen) > 1 else "1 account to review"
    assert told in html


def test_review_pages_by_fifty(client, world, now):
    for n in range(55):
        f.make_account(team=world.team_a, name=f"Zz {n:02d}")
    first = _review(client, world, "director_a").get_data(as_text=True)
    assert "57 accounts to review" in first and "Page 1 of 2" in first
    second = login(client, world.director_a).get("/key-accounts/tiering?page=2")
    html = second.get_data(as_text=True)
    assert html.count('data-account="') == 7
    bad = login(client, world.director_a).get("/key-accounts/tiering?page=abc")
    assert bad.status_code == 200


def test_review_reads_a_fixed_number_of_queries(client, world, now):
    login(client, world.admin)

    def count() -> int:
        client.get("/key-accounts/tiering")  # the reader's session loaded after the commit
        with sql_statements() as seen:
            assert client.get("/key-accounts/tiering").status_code == 200
        return len(seen)

    few = count()
    for _n in range(6):
        a = f.make_account(team=world.team_b)
        c = f.make_contact(account=a, decision_role="decision_maker", level="executive")
        f.make_interaction(account=a, owner=world.rep_b, contacts=[c])
        f.make_opportunity(account=a, status="won")
    db.session.commit()
    assert count() == few


def test_director_confirms_from_the_review(client, world, now):
    login(client, world.director_a)
    account = world.account_a
    answer = client.post(
        f"/accounts/{account.id}/tier",
        data={"decision": "confirm", "version": account.version, "next": "/key-accounts/tiering"},
    )
    assert answer.status_code == 303 and answer.location.endswith("/key-accounts/tiering")
    db.session.refresh(account)
    assert account.tier == Tier.C and _changes() == 1
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "confirmed the suggested tier: B → C" in page


@pytest.mark.parametrize(
    ("who", "data", "status"),
    [
        ("rep_a", {"decision": "confirm"}, 303),  # not a director: refused, said in a flash
        ("leader", {"decision": "confirm"}, 303),
        ("director_a", {"decision": "keep", "reason": ""}, 303),  # a reason is needed
        ("director_a", {"decision": "confirm", "version": "99"}, 303),  # stale
        ("director_b", {"decision": "confirm"}, 404),  # outside the scope
        ("director_a", {"decision": "confirm", "version": "²"}, 303),  # not a version
    ],
)
def test_refused_decisions_keep_nothing(client, world, now, who, data, status):
    account = world.account_a
    login(client, getattr(world, who))
    answer = client.post(f"/accounts/{account.id}/tier", data={"version": account.version, **data})
    assert answer.status_code == status
    db.session.refresh(account)
    assert account.tier == Tier.B and _changes() == 0


def test_keep_with_a_reason_shows_in_the_history(client, world, now):
    login(client, world.director_a)
    account = world.account_a
    client.post(
        f"/accounts/{account.id}/tier",
        data={"decision": "keep", "reason": "Strategic reference", "version": account.version},
    )
    html = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "kept the tier B (suggested C): Strategic reference" in html
    # the account's history says the decision in words, never a field's name
    assert "Tier before" in html
    assert ">from_tier" not in html and ">to_tier" not in html


def test_the_ar_saves_the_potential_and_bad_input_keeps_nothing(client, world, now):
    account = world.account_a
    login(client, world.rep_a)
    bad = client.post(
        f"/accounts/{account.id}/potential",
        data={"yearly_potential": "-3", "potential_currency": "CNY", "version": account.version},
        follow_redirects=True,
    )
    assert "The potential cannot be below zero." in bad.get_data(as_text=True)
    db.session.refresh(account)
    assert account.yearly_potential is None
    ok = client.post(
        f"/accounts/{account.id}/potential",
        data={
            "yearly_potential": "8000000",
            "potential_currency": "cny",
            "version": account.version,
        },
    )
    assert ok.status_code == 303
    db.session.refresh(account)
    assert (account.yearly_potential, account.potential_currency) == (Decimal("8000000"), "CNY")
    html = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Currency of the yearly potential" in html and ">potential_currency" not in html
    outside = login(client, world.rep_b).post(
        f"/accounts/{account.id}/potential",
        data={"yearly_potential": "1", "potential_currency": "CNY", "version": account.version},
    )
    assert outside.status_code == 404


@pytest.mark.parametrize(
    ("who", "decides"),
    [("rep_a", False), ("director_a", True), ("leader", False), ("admin", True)],
)
def test_account_page_shows_the_panel_per_role(client, world, now, who, decides):
    html = login(client, getattr(world, who)).get(f"/accounts/{world.account_a.id}")
    html = html.get_data(as_text=True)
    assert 'id="tiering"' in html and "Suggested tier" in html
    assert ('id="tier-decision"' in html) == decides
    assert 'id="tier-potential-form"' in html


def test_parent_page_lists_subsidiaries_and_rolls_up_the_pipeline(client, world, now):
    parent = world.account_a
    child = f.make_account(team=world.team_a, name="Huadong Hydro")
    child.parent_id = parent.id
    grandchild = f.make_account(team=world.team_b, name="Huadong Solar South")
    grandchild.parent_id = child.id
    f.make_opportunity(account=parent, amount=100_000)
    f.make_opportunity(account=child, amount=50_000)
    f.make_opportunity(account=grandchild, amount=25_000)
    db.session.flush()
    html = login(client, world.leader).get(f"/accounts/{parent.id}").get_data(as_text=True)
    assert "Huadong Hydro" in html and "3 accounts in the group" in html
    assert "3 open deals in the group" in html and "175,000" in html
    # a director of team A sees the group's accounts of team A only, told one more exists
    html = login(client, world.director_a).get(f"/accounts/{parent.id}").get_data(as_text=True)
    assert "2 accounts in the group" in html and "1 more outside what you can see" in html
    assert "2 open deals in the group" in html and "150,000" in html
    assert "Huadong Solar South" not in html


def test_the_panel_reads_a_fixed_number_of_queries(world, now):
    parent = world.account_a

    def count() -> int:
        db.session.expire_all()
        with sql_statements() as seen:
            panel = tiering_pages.panel(world.leader, parent, now)
        assert panel is not None
        return len(seen)

    first = f.make_account(team=world.team_a, name="Sub first")  # the group's part shown
    first.parent_id = parent.id
    db.session.flush()
    few = count()
    for n in range(4):
        child = f.make_account(team=world.team_a if n % 2 else world.team_b, name=f"Sub {n}")
        child.parent_id = parent.id
        f.make_opportunity(account=child)
        services.decide_tier(
            parent,
            {"decision": "keep", "reason": f"Year {n}", "version": parent.version},
            actor=world.admin,
            now=now,
        )
    db.session.flush()
    assert count() == few
