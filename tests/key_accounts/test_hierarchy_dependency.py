"""The group's dependency figures (issue 17, account hierarchy): the figures of the group's
accounts the reader may see, rolled up, in a fixed number of queries; an account outside the
reader's scope is not counted, only told as "outside what you can see".

The group built here (the World's account_a as parent, rep_a = Li Ming, rep_a2 = Zhao Lei, rep_b =
Wang Fang):

| account               | team | key contacts: live ties                     | risk   | bus f. |
|-----------------------|------|---------------------------------------------|--------|--------|
| Huadong Power (parent)| A    | Zhang Wei (DM): Li Ming only                | high   | 1      |
| Huadong East          | A    | East DM: Li Ming, Zhao Lei; East voice: none | medium | 2      |
| Nanfang Sub           | B    | South DM: Wang Fang only                    | high   | 1      |
"""

from datetime import timedelta

import pytest

from salesflow.dependency import snapshots
from salesflow.extensions import db
from salesflow.key_accounts import hierarchy
from tests import factories as f
from tests.conftest import login, sql_statements


def _child(parent, team, name):
    account = f.make_account(team=team, name=name)
    account.parent_id = parent.id
    db.session.flush()
    return account


@pytest.fixture
def group(world):
    w = world
    east = _child(w.account_a, w.team_a, "Huadong East")
    south = _child(w.account_a, w.team_b, "Nanfang Sub")
    east_dm = f.make_contact(
        account=east, name="East DM", decision_role="decision_maker", influence="high"
    )
    f.make_contact(account=east, name="East voice", decision_role="user", influence="high")
    f.make_interaction(
        account=east, owner=w.rep_a, participants=[w.rep_a, w.rep_a2], contacts=[east_dm]
    )
    south_dm = f.make_contact(account=south, name="South DM", decision_role="decision_maker")
    f.make_interaction(account=south, owner=w.rep_b, contacts=[south_dm])
    return {"east": east, "south": south}


def _figures(d):
    return (d.accounts, d.hidden, d.high_risk, d.key_contacts, d.uncovered, d.single_threaded)


def _holders(d):
    return [(h.name, round(h.share, 4)) for h in d.holders]


def test_the_director_counts_only_the_accounts_in_scope(world, group, now):
    d = hierarchy.group_dependency(world.account_a.id, world.director_a, now)
    # Nanfang Sub (team B) is outside: one more account, nothing of it counted
    assert _figures(d) == (2, 1, 1, 3, 1, 1)
    assert (d.lowest_bus_factor, d.lowest_bus_factor_account.name) == (1, "Huadong Power")
    # Li Ming: (1.0 + 0.5) / 2 accounts; Zhao Lei: (0 + 0.5) / 2
    assert _holders(d) == [("Li Ming", 0.75), ("Zhao Lei", 0.25)]


def test_leadership_sees_the_whole_group(world, group, now):
    d = hierarchy.group_dependency(world.account_a.id, world.leader, now)
    assert _figures(d) == (3, 0, 2, 4, 1, 2)
    # two accounts at bus factor 1: the lower account number (the parent) is named
    assert (d.lowest_bus_factor, d.lowest_bus_factor_account.name) == (1, "Huadong Power")
    assert _holders(d) == [("Li Ming", 0.5), ("Wang Fang", 0.3333), ("Zhao Lei", 0.1667)]


def test_a_subsidiary_rolls_up_its_own_branch_only(world, group, now):
    d = hierarchy.group_dependency(group["east"].id, world.leader, now)
    assert _figures(d) == (1, 0, 0, 2, 1, 0)
    assert (d.lowest_bus_factor, d.lowest_bus_factor_account.name) == (2, "Huadong East")


def test_read_from_todays_snapshot_in_six_queries(world, group, now):
    taken = now + timedelta(minutes=10)  # after the World's ties changed (not in flight)
    snapshots.take(now=taken)
    later = taken + timedelta(minutes=10)
    with sql_statements() as seen:
        d = hierarchy.group_dependency(world.account_a.id, world.leader, later)
    assert _figures(d) == (3, 0, 2, 4, 1, 2)
    assert len(seen) == 6, seen
    assert not any("interaction" in s.lower() for s in seen)  # nothing computed live


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_parent_page_shows_the_group_dependency(client, world, group, lang):
    db.session.commit()
    login(client, world.director_a)
    page = client.get(
        f"/accounts/{world.account_a.id}", headers={"Accept-Language": lang}
    ).get_data(as_text=True)
    assert 'href="/help/figures#group-figures"' in page  # the figures' definitions
    part = page.split('id="group-dependency"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "Li Ming · 75%" in part and "Zhao Lei · 25%" in part
    assert "Wang Fang" not in part
    assert 'href="/dependency"' in part
    if lang == "en":
        assert "2 accounts in the group · 1 more outside what you can see" in part
        assert "3 key contacts · uncovered: 1 · single-threaded: 1" in part
        assert "Lowest bus factor: 1" in part


def test_no_group_part_without_subsidiaries(client, world):
    db.session.commit()
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert 'id="group-dependency"' not in page


def test_a_rep_sees_the_figures_without_the_dashboard_link(client, world, group):
    db.session.commit()
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    part = page.split('id="group-dependency"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "Li Ming" in part and 'href="/dependency"' not in part
