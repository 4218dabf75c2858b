"""Dependency pages: the dashboard (filters, sorts, the tables behind the charts), one account's
holders and tie matrix, the departure simulation and its way into a handover; leadership sees
everything, a director their team, reps nothing; bad parameters answer 422 with a message."""

import json
import re

import pytest

from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login


def _rows(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-account="(\d+)"', body)


@pytest.fixture
def risky(world, now):
    """account_a: Li Ming alone holds its decision maker (high risk). Two more team A accounts:
    one held by two people on two key contacts (low), one with no relationships (high)."""
    safe = f.make_account(team=world.team_a, name="Safe Steel", tier="B")
    for name in ("Boss", "Chief engineer"):
        contact = f.make_contact(
            account=safe, name=name, decision_role="decision_maker", influence="high"
        )
        for rep in (world.rep_a, world.rep_a2, world.director_a):
            f.make_interaction(account=safe, owner=rep, contacts=[contact], days_ago=3)
    bare = f.make_account(team=world.team_a, name="Bare Metals", tier="C")
    f.make_contact(account=bare, name="Nobody knows", decision_role="decision_maker")
    db.session.commit()
    return {"safe": safe, "bare": bare}


def test_leadership_sees_every_account_the_worst_first(client, world, risky):
    login(client, world.leader)
    page = client.get("/dependency")
    assert page.status_code == 200
    rows = _rows(page.text, "dependency-table")
    assert set(map(int, rows)) == {
        world.account_a.id,
        world.account_b.id,
        world.shared.id,
        risky["safe"].id,
        risky["bare"].id,
    }
    assert rows[-1] == str(risky["safe"].id)  # the only low-risk account comes last
    # each risk in its colour, as on the handover page (macros/risk.html)
    assert '<td><span class="badge text-bg-success">Low</span></td>' in page.text
    assert '<td><span class="badge text-bg-danger">High</span></td>' in page.text
    # the charts carry Plotly figures; the tables behind them are on the page
    figure = re.search(r'id="chart-risk" data-figure="([^"]+)"', page.text).group(1)
    risk = json.loads(figure.replace("&#34;", '"').replace("&quot;", '"'))
    high = next(trace for trace in risk["data"] if trace["name"] == "High")
    assert dict(zip(high["x"], high["y"], strict=True)) == {"North": 3, "South": 1}
    holders = page.text.split('id="holders-table"', 1)[1].split("</table>", 1)[0]
    assert "Li Ming" in holders


def test_filters_and_sorts(client, world, risky):
    login(client, world.leader)
    assert _rows(client.get("/dependency?risk=low").text, "dependency-table") == [
        str(risky["safe"].id)
    ]
    assert _rows(client.get("/dependency?tier=C").text, "dependency-table") == [
        str(risky["bare"].id)
    ]
    south = _rows(client.get(f"/dependency?team_id={world.team_b.id}").text, "dependency-table")
    assert south == [str(world.account_b.id)]
    held = _rows(client.get(f"/dependency?holder_id={world.rep_b.id}").text, "dependency-table")
    assert held == [str(world.account_b.id)]
    by_name = _rows(client.get("/dependency?sort=name").text, "dependency-table")
    names = {
        str(a.id): a.name
        for a in (world.account_a, world.account_b, world.shared, risky["safe"], risky["bare"])
    }
    assert [names[r] for r in by_name] == sorted(names.values())
    by_bus = _rows(client.get("/dependency?sort=bus_factor").text, "dependency-table")
    assert by_bus[-1] == str(risky["safe"].id)  # three people hold both key contacts
    # unknown values are ignored, not an error
    assert client.get("/dependency?risk=nope&tier=Z&team_id=x&sort=drop").status_code == 200


def test_a_director_sees_their_team_and_reps_see_nothing(client, world, risky):
    login(client, world.director_b)
    rows = _rows(client.get("/dependency").text, "dependency-table")
    assert rows == [str(world.account_b.id)]
    assert client.get(f"/dependency/accounts/{world.account_a.id}").status_code == 404
    login(client, world.rep_a)
    assert client.get("/dependency").status_code == 403
    assert client.get(f"/dependency/accounts/{world.account_a.id}").status_code == 403
    assert client.get(f"/dependency/departure?user_ids={world.rep_a.id}").status_code == 403
    assert "/dependency" not in client.get("/").text  # no menu entry either


def test_the_account_page_shows_holders_the_matrix_and_a_joint_contact_to_plan(
    client, world, risky, now
):
    login(client, world.director_a)
    page = client.get(f"/dependency/accounts/{world.account_a.id}").text
    shares = page.split('id="shares-table"', 1)[1].split("</table>", 1)[0]
    assert "Li Ming" in shares and "100%" in shares
    matrix = page.split('id="tie-matrix"', 1)[1].split("</table>", 1)[0]
    assert "Zhang Wei" in matrix and "Single-threaded" in matrix
    link = (
        re.search(r'class="btn btn-sm btn-outline-success ms-1 plan-joint" href="([^"]+)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    assert f"contact_ids={world.contact_a.id}" in link
    assert f"participant_ids={world.director_a.id}" in link
    assert f"participant_ids={world.rep_a.id}" in link
    form = client.get(link).text  # the quick log, prefilled
    assert re.search(rf'value="{world.contact_a.id}"[^>]*checked', form)
    safe = client.get(f"/dependency/accounts/{risky['safe'].id}").text
    assert "plan-joint" not in safe  # every key contact is multi-threaded
    bare = client.get(f"/dependency/accounts/{risky['bare'].id}").text
    assert "Nobody of ours has a live tie" in bare and "Uncovered" in bare


def test_the_departure_simulation_and_the_handover_it_plans(client, world, risky):
    deal = f.make_opportunity(account=world.account_a, amount=500_000, roles={world.rep_a: "AR"})
    db.session.commit()
    login(client, world.leader)
    empty = client.get("/dependency/departure")
    assert empty.status_code == 200 and 'id="departure-table"' not in empty.text
    page = client.get(f"/dependency/departure?user_ids={world.rep_a.id}").text
    rows = _rows(page, "departure-table")
    # Safe Steel's risk rises (3 → 2 effective holders); then the ones that lose a key contact
    assert rows[:2] == [str(risky["safe"].id), str(world.account_a.id)]
    assert f'data-account="{risky["safe"].id}" class="table-danger"' in page
    assert set(map(int, rows)) == {world.account_a.id, world.shared.id, risky["safe"].id}
    assert "500,000 CNY" in page and f"/opportunities/{deal.id}" in page
    uncovered = re.search(r'id="total-uncovered">(\d+)<', page).group(1)
    assert uncovered == "1"  # Zhang Wei; Sun Li (Shared Steel) is not a key contact
    plan = re.search(r'<a class="btn btn-success" href="([^"]+)"', page).group(1)
    plan = plan.replace("&amp;", "&")
    assert f"from_user_id={world.rep_a.id}" in plan
    form = client.get(plan).text
    for account in (world.account_a, world.shared, risky["safe"]):
        assert f'value="{account.id}" id="account-{account.id}" checked' in form


def test_several_people_at_once_and_as_of_a_date(client, world, risky):
    login(client, world.leader)
    both = client.get(
        f"/dependency/departure?user_ids={world.rep_a.id}&user_ids={world.rep_a2.id}"
    ).text
    assert both.count('<a class="btn btn-success"') == 2  # a handover from each of them
    # a year later no tie is live: nothing to lose
    later = client.get(f"/dependency/departure?user_ids={world.rep_a.id}&at=2028-01-01").text
    assert "They have no live ties" in later


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("user_ids=abc", "abc is not one of the people you can simulate."),
        ("user_ids=999999", "999999 is not one of the people you can simulate."),
        ("user_ids={rep}&at=2026-13-45", "Enter the date as YYYY-MM-DD."),
    ],
)
def test_bad_parameters_answer_422_with_the_reason(client, world, query, message):
    login(client, world.leader)
    response = client.get("/dependency/departure?" + query.format(rep=world.rep_a.id))
    assert response.status_code == 422
    assert message in response.text
    assert 'id="departure-table"' not in response.text


def test_a_director_cannot_simulate_another_teams_people(client, world):
    login(client, world.director_a)
    response = client.get(f"/dependency/departure?user_ids={world.rep_b.id}")
    assert response.status_code == 422
    assert "Wang Fang" not in response.text.split('id="simulate-form"', 1)[1]


def test_plotly_is_served_by_the_app(client, world):
    login(client, world.leader)
    response = client.get("/vendor/plotly-basic-4.1.1.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript" and b"plotly" in response.data[:2000].lower()
    response.close()


def _deal_rows(page: str) -> list[str]:
    body = page.split('id="deals-at-risk"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-deal="(\d+)"', body)


def test_the_deals_at_risk_come_a_page_at_a_time_the_largest_first(client, world):
    deals = [
        f.make_opportunity(account=world.account_a, amount=1000 + n, roles={world.rep_a: "AR"})
        for n in range(53)
    ]
    db.session.commit()
    login(client, world.leader)
    address = f"/dependency/departure?user_ids={world.rep_a.id}"
    first = client.get(address).text
    largest = [str(d.id) for d in sorted(deals, key=lambda d: -d.amount)]
    assert _deal_rows(first) == largest[:50]
    assert "53 deals" in first  # the totals count every deal, not the page
    following = re.search(r'href="([^"]+)">Next page', first).group(1).replace("&amp;", "&")
    assert f"user_ids={world.rep_a.id}" in following and "deals_page=2" in following
    second = client.get(following).text
    assert _deal_rows(second) == largest[50:]
    assert "Previous page" in second and "Next page" not in second


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5"])
def test_a_bad_deals_page_answers_422_with_the_reason(client, world, value):
    login(client, world.leader)
    response = client.get(f"/dependency/departure?user_ids={world.rep_a.id}&deals_page={value}")
    assert response.status_code == 422
    assert f"{value} is not a page number." in response.text


def test_reps_cannot_page_a_simulation(client, world):
    login(client, world.rep_a)
    response = client.get(f"/dependency/departure?user_ids={world.rep_a.id}&deals_page=2")
    assert response.status_code == 403
