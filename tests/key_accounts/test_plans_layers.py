"""The three relationship layers (key_accounts.layers) against a hand-built account, and their
panel on the account page per role.

The fixture account "Layered" (frozen now = FROZEN_NOW), our people rep_a and rep_a2:

| contact   | role / influence          | level     | live ties           |
|-----------|---------------------------|-----------|---------------------|
| ceo       | decision_maker / high     | executive | rep_a, rep_a2       |
| cto       | technical_evaluator / high| -         | none (200 days ago) |
| buyer     | procurement / medium      | -         | rep_a               |
| engineer  | user / low                | -         | none (400 days ago) |
| assistant | gatekeeper / low          | -         | none                |
| gone      | decision_maker / high     | executive | left: not counted   |

| interaction | kind       | days ago | with      | counts as exchange       |
|-------------|------------|----------|-----------|--------------------------|
| i1          | exec_visit | 10       | ceo       | executive visit          |
| i2          | site_visit | 200      | cto       | site visit               |
| i3          | event      | 30       | buyer     | no (nobody executive)    |
| i4          | event      | 100      | ceo       | executive event          |
| i5          | site_visit | 400      | engineer  | no (over 12 months)      |
| i6          | exec_visit | 5        | cto       | no (deleted)             |
| i7          | exec_visit | 20       | gone      | executive visit          |

Expected: key contacts 2 (ceo, cto), held 1, multi-threaded 1 → 50 %, 50 %; current contacts
5, held 2 (ceo, buyer) → breadth 40 %; exchanges 2 executive visits + 1 site visit + 1
executive event = 4.
"""

from datetime import date

import pytest

from salesflow.key_accounts import layers
from tests import factories as f
from tests.conftest import login, sql_statements


class Layered:
    def __init__(self, world):
        self.account = f.make_account(
            team=world.team_a, name="Layered", members={world.rep_a: "AR"}
        )
        a, rep_a, rep_a2 = self.account, world.rep_a, world.rep_a2
        ceo = f.make_contact(
            account=a, decision_role="decision_maker", influence="high", level="executive"
        )
        cto = f.make_contact(account=a, decision_role="technical_evaluator", influence="high")
        buyer = f.make_contact(account=a, decision_role="procurement", influence="medium")
        engineer = f.make_contact(account=a, decision_role="user", influence="low")
        f.make_contact(account=a, decision_role="gatekeeper", influence="low")
        gone = f.make_contact(
            account=a,
            decision_role="decision_maker",
            influence="high",
            level="executive",
            left_on=date(2026, 11, 1),
        )
        self.ceo = ceo
        f.make_interaction(
            account=a,
            owner=rep_a,
            participants=[rep_a, rep_a2],
            contacts=[ceo],
            kind="exec_visit",
            days_ago=10,
        )
        f.make_interaction(account=a, owner=rep_a, contacts=[cto], kind="site_visit", days_ago=200)
        f.make_interaction(account=a, owner=rep_a, contacts=[buyer], kind="event", days_ago=30)
        f.make_interaction(
            account=a,
            owner=rep_a2,
            participants=[rep_a2],
            contacts=[ceo],
            kind="event",
            days_ago=100,
        )
        f.make_interaction(
            account=a, owner=rep_a, contacts=[engineer], kind="site_visit", days_ago=400
        )
        f.make_interaction(
            account=a, owner=rep_a, contacts=[cto], kind="exec_visit", days_ago=5, deleted=True
        )
        f.make_interaction(account=a, owner=rep_a, contacts=[gone], kind="exec_visit", days_ago=20)


@pytest.fixture
def layered(world):
    return Layered(world)


def test_layers_of_the_hand_built_account(layered, now):
    got = layers.for_accounts([layered.account.id], now=now)[layered.account.id]
    assert (got.key_contacts, got.key_covered, got.key_multi_threaded) == (2, 1, 1)
    assert (got.contacts, got.tied_contacts) == (5, 2)
    assert got.exchanges == layers.Exchanges(exec_visits=2, site_visits=1, executive_events=1)
    assert got.exchanges.total == 4
    assert got.percents == {"key_coverage": 50, "multi_threaded_coverage": 50, "breadth": 40}


def test_a_deactivated_persons_ties_are_gone_from_the_layers(layered, world, now):
    world.rep_a2.active = False
    got = layers.for_accounts([layered.account.id], now=now)[layered.account.id]
    assert (got.key_covered, got.key_multi_threaded) == (1, 0)


def test_the_exchange_window_is_twelve_months_up_to_now(layered, world, now):
    a = layered.account
    f.make_interaction(account=a, owner=world.rep_a, kind="site_visit", days_ago=364)
    f.make_interaction(account=a, owner=world.rep_a, kind="site_visit", days_ago=366)
    f.make_interaction(account=a, owner=world.rep_a, kind="site_visit", days_ago=-1)  # planned
    got = layers.for_accounts([a.id], now=now)[a.id]
    assert got.exchanges.site_visits == 2


def test_an_account_without_contacts_has_no_shares(world, now):
    empty = f.make_account(team=world.team_a, name="Empty")
    got = layers.for_accounts([empty.id], now=now)[empty.id]
    assert got.percents == {"key_coverage": None, "multi_threaded_coverage": None, "breadth": None}
    assert got.exchanges.total == 0


def test_deleted_and_unknown_accounts_are_left_out(world, now):
    gone = f.make_account(team=world.team_a, name="Gone")
    gone.deleted_at = now
    assert layers.for_accounts([gone.id, 999_999], now=now) == {}
    assert layers.for_accounts([], now=now) == {}


def test_layers_take_a_fixed_number_of_queries_however_many_accounts(layered, world, now):
    one = [layered.account.id]
    many = [layered.account.id, world.account_a.id, world.account_b.id, world.shared.id]
    with sql_statements() as few_seen:
        layers.for_accounts(one, now=now)
    with sql_statements() as many_seen:
        got = layers.for_accounts(many, now=now)
    assert len(got) == 4
    assert len(many_seen) == len(few_seen) <= 6
    # world.account_a: its decision maker tied to rep_a by today's visit
    assert got[world.account_a.id].key_covered == 1


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_account_page_shows_the_layers_to_everyone_who_sees_it(client, layered, world, who):
    login(client, getattr(world, who))
    html = client.get(f"/accounts/{layered.account.id}").get_data(as_text=True)
    assert 'id="relationship-layers"' in html
    assert "50%</strong> of key contacts held (1 of 2)" in html
    assert "50% held by two or more of our people" in html
    assert "40%</strong> of current contacts held (2 of 5)" in html
    assert "executive visits: 2" in html and "executive events: 1" in html


def test_account_page_outside_scope_is_404(client, layered, world):
    login(client, world.rep_b)
    assert client.get(f"/accounts/{layered.account.id}").status_code == 404
    login(client, world.director_b)
    assert client.get(f"/accounts/{layered.account.id}").status_code == 404


def test_account_page_of_an_account_without_contacts_says_so(client, world):
    empty = f.make_account(team=world.team_a, name="Empty", members={world.rep_a: "AR"})
    login(client, world.rep_a)
    html = client.get(f"/accounts/{empty.id}").get_data(as_text=True)
    assert "No key contacts" in html and "No current contacts" in html


def test_account_page_shows_the_layers_in_chinese(client, layered, world):
    login(client, world.rep_a)
    html = client.get(
        f"/accounts/{layered.account.id}", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert 'id="relationship-layers"' in html
