"""Issue 14 on the dependency dashboard: every column sorts both ways (aria-sort on the <th>),
names link to the person's simulation, each row offers its next action, two people of the same
name are told apart (and never added together in a chart), the team and tier filters apply to
the holders chart and the trend, and every figure is explained where it is shown."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest

from salesflow.dependency import pages, snapshots
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login
from tests.dependency.test_views import _rows


def _figure(page: str, chart: str) -> dict:
    raw = re.search(rf'id="{chart}" data-figure="([^"]+)"', page).group(1)
    return json.loads(unescape(raw))


@pytest.fixture
def accounts(world):
    """Three more team A accounts, so sorts have something to order."""
    made = []
    for name, tier, reps in (
        ("Alpha", "A", [world.rep_a, world.rep_a2]),
        ("Beta", "B", [world.rep_a2]),
        ("Gamma", "C", []),
    ):
        account = f.make_account(team=world.team_a, name=name, tier=tier)
        boss = f.make_contact(account=account, name=f"{name} boss", decision_role="decision_maker")
        for rep in reps:
            f.make_interaction(account=account, owner=rep, contacts=[boss])
        made.append(account)
    db.session.commit()
    return made


@pytest.mark.parametrize("column", sorted(pages.COLUMNS))
def test_every_column_sorts_both_ways_with_aria_sort_on_its_header(client, world, accounts, column):
    login(client, world.leader)
    up = client.get(f"/dependency?sort={column}&dir=asc").text
    down = client.get(f"/dependency?sort={column}&dir=desc").text
    header = re.search(rf'<th [^>]*data-sort="{column}"[^>]*>', up).group()
    assert 'aria-sort="ascending"' in header
    assert (
        'aria-sort="descending"' in re.search(rf'<th [^>]*data-sort="{column}"[^>]*>', down).group()
    )
    assert up.count("aria-sort=") == 1 and '<span class="fw-bold" aria-sort' not in up
    # the active header's link asks for the other way
    link = re.search(rf'data-sort="{column}"><a [^>]*href="([^"]+)"', up).group(1)
    assert "dir=desc" in unescape(link)
    assert len(_rows(up, "dependency-table")) == len(_rows(down, "dependency-table")) == 6


def test_the_name_column_reverses(client, world, accounts):
    login(client, world.leader)
    up = _rows(client.get("/dependency?sort=name&dir=asc").text, "dependency-table")
    down = _rows(client.get("/dependency?sort=name&dir=desc").text, "dependency-table")
    assert up == list(reversed(down)) and len(up) == 6
    assert up[0] == str(accounts[0].id)  # Alpha


def test_a_column_first_sorts_the_most_worrying_first(client, world, accounts):
    login(client, world.leader)
    page = client.get("/dependency?sort=effective_holders").text
    header = re.search(r'<th [^>]*data-sort="effective_holders"[^>]*>', page).group()
    assert 'aria-sort="ascending"' in header  # fewest holders first
    page = client.get("/dependency?sort=uncovered").text
    header = re.search(r'<th [^>]*data-sort="uncovered"[^>]*>', page).group()
    assert 'aria-sort="descending"' in header  # most uncovered first


@pytest.mark.parametrize("query", ["sort=password", "sort=name&dir=sideways", "sort=&dir=asc"])
def test_an_unknown_sort_is_ignored(client, world, accounts, query):
    login(client, world.leader)
    default = _rows(client.get("/dependency").text, "dependency-table")
    response = client.get(f"/dependency?{query}")
    assert response.status_code == 200
    if query.startswith("sort=name"):  # a known column in an unknown direction: its first way
        assert _rows(response.text, "dependency-table")[0] == str(accounts[0].id)
    else:
        assert _rows(response.text, "dependency-table") == default
        assert "aria-sort=" not in response.text


def test_names_link_to_the_person_and_each_row_offers_its_next_action(client, world, accounts):
    login(client, world.leader)
    page = client.get("/dependency").text
    table = page.split('id="dependency-table"', 1)[1].split("</table>", 1)[0]
    assert f'href="/dependency/departure?user_ids={world.rep_a.id}"' in table
    row = lambda account: table.split(f'data-account="{account.id}"', 1)[1].split("</tr>", 1)[0]  # noqa: E731
    assert "Log a first contact" in row(accounts[2])  # Gamma: nobody knows anyone
    assert "Add a second contact" in row(accounts[1])  # Beta: one person knows the boss
    assert "Cover the key contacts" not in row(accounts[0])


def test_people_of_the_same_name_are_told_apart_and_never_added_together(client, world, now):
    namesake = f.make_user(team=world.team_b, name="Li Ming")
    south = f.make_account(team=world.team_b, name="South Steel")
    boss = f.make_contact(account=south, name="South boss", decision_role="decision_maker")
    f.make_interaction(account=south, owner=namesake, contacts=[boss])
    db.session.commit()
    login(client, world.leader)
    page = client.get("/dependency").text
    holders = _figure(page, "chart-holders")["data"][0]
    assert "Li Ming (North)" in holders["x"] and "Li Ming (South)" in holders["x"]
    assert holders["y"][holders["x"].index("Li Ming (South)")] == 1
    table = page.split('id="holders-table"', 1)[1].split("</table>", 1)[0]
    assert "(North)" in table and "(South)" in table
    # the same name in the same team: the e-mail tells them apart
    twin = f.make_user(team=world.team_b, name="Li Ming", email="li.ming2@example.com")
    db.session.commit()
    page = client.get(f"/dependency/departure?user_ids={twin.id}").text
    assert "Li Ming (li.ming2@example.com)" in page


def test_the_team_filter_applies_to_the_holders_chart_and_the_trend(client, world, now):
    f.make_opportunity(account=world.account_b, amount=700, roles={world.rep_b: "AR"})
    f.make_opportunity(account=world.account_a, amount=300, roles={world.rep_a: "AR"})
    for days in (2, 1):
        snapshots.take(now=now - timedelta(days=days))
    db.session.commit()
    login(client, world.leader)
    north = client.get(f"/dependency?team_id={world.team_a.id}").text
    holders = _figure(north, "chart-holders")["data"]
    assert "Wang Fang" not in holders[0]["x"] and "Li Ming" in holders[0]["x"]
    trend = _figure(north, "chart-trend")
    names = {trace["name"] for trace in trend["data"]}
    assert names and all(name.startswith("North") for name in names)
    layout = trend["layout"]
    assert layout["xaxis"]["title"]["text"] == "Day"
    assert layout["yaxis"]["title"]["text"] == "Average effective holders"
    assert layout["yaxis2"]["title"]["text"] == "High-risk accounts"
    assert layout["yaxis2"]["tickformat"] == "d" and layout["yaxis2"]["dtick"] >= 1
    table = north.split('id="trend-table"', 1)[1].split("</table>", 1)[0]
    assert "South" not in table and "North" in table
    tier = client.get("/dependency?tier=C").text  # no tier C account: no trend at all
    assert 'id="chart-trend"' not in tier


@pytest.mark.parametrize(
    "url, anchors",
    [
        ("/dependency", ["effective-holders", "bus-factor", "multi-threaded-coverage", "risk"]),
        ("/dependency/accounts/{account}", ["effective-holders", "bus-factor", "tie-strength"]),
        ("/dependency/departure?user_ids={rep}", ["departure-simulation", "risk"]),
    ],
)
def test_every_figure_is_explained_where_it_is_shown(client, world, url, anchors):
    login(client, world.leader)
    page = client.get(url.format(account=world.account_a.id, rep=world.rep_a.id)).text
    for anchor in anchors:
        link = re.search(
            rf'<a class="explain[^"]*" href="/help/figures#{anchor}" title="([^"]+)"', page
        )
        assert link, anchor
        assert len(link.group(1)) > 40  # a sentence, not a word
    assert 'id="figures-help"' in page or "departure" in url


def test_every_explanation_links_to_a_section_of_the_figures_page(app):
    """The docs' headings give the anchors; an explanation never links to a missing one."""
    from salesflow.help import pages as help_pages

    with app.test_request_context():
        shown = help_pages.render("figures", "en", lambda key: f"/help/{key}")
    assert shown is not None
    missing = [f.anchor for f in pages.FIGURES.values() if f.anchor not in shown.anchors]
    assert missing == []
