"""`GET /api/v1/reports/requests` (API.md, "Requests between our people"): per assignee and per
team the contract's figures, the decisions and the months, from test_figures.py's table; scope
per role (reps 403, a team outside the scope 404), bad input 422 naming its field."""

# ruff: noqa: F811  (the fixtures imported from test_figures.py are the tests' arguments)

import pytest

from tests.conftest import api_as
from tests.requests.test_figures import asked, holiday  # noqa: F401  (fixtures)


def _by(items, key, value):
    (found,) = [item for item in items if item[key] == value]
    return found


def test_the_report_gives_the_contracts_figures(app, world, asked):
    response = api_as(app, world.leader).get("/reports/requests")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"start", "end", "assignees", "teams", "decisions", "months"}
    assert (body["start"], body["end"]) == ("2026-08-23", "2026-11-20")
    sr = _by(body["assignees"], "user_id", world.rep_a2.id)
    assert sr == {
        "user_id": world.rep_a2.id,
        "count": 5,
        "done": 3,
        "on_time_rate": pytest.approx(2 / 3),
        "median_turnaround_days": 2.0,
        "median_lead_days": 4.0,
        "rushes": 0,
        "average_rating": pytest.approx(7 / 3),
    }
    assert _by(body["assignees"], "user_id", world.rep_a.id)["rushes"] == 1
    south = _by(body["teams"], "team_id", world.team_b.id)
    assert (south["count"], south["done"], south["on_time_rate"], south["rushes"]) == (1, 1, 0, 1)
    assert body["decisions"] == [
        {"director_id": world.director_a.id, "decided": 2, "median_decision_days": 3.5}
    ]
    assert [m["month"] for m in body["months"]] == ["2026-10", "2026-11"]
    assert body["months"][1]["average_rating"] == 3


def test_a_director_gets_their_team_and_a_404_for_another(app, world, asked):
    client = api_as(app, world.director_a)
    body = client.get("/reports/requests").get_json()
    assert [t["team_id"] for t in body["teams"]] == [world.team_a.id]
    assert world.rep_b.id not in {a["user_id"] for a in body["assignees"]}
    assert client.get(f"/reports/requests?team_id={world.team_b.id}").status_code == 404
    assert client.get(f"/reports/requests?team_id={world.team_a.id}").status_code == 200


def test_a_period_and_a_team_narrow_it(app, world, asked):
    client = api_as(app, world.leader)
    july = client.get("/reports/requests?from=2026-07-01&to=2026-07-31").get_json()
    assert [(a["user_id"], a["count"]) for a in july["assignees"]] == [(world.rep_a2.id, 1)]
    south = client.get(f"/reports/requests?team_id={world.team_b.id}").get_json()
    assert [a["user_id"] for a in south["assignees"]] == [world.rep_b.id]


@pytest.mark.parametrize("who", ["rep_a", "rep_b"])
def test_reps_are_refused(app, world, who):
    assert api_as(app, getattr(world, who)).get("/reports/requests").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-20&to=2026-11-01", "from"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("team_id=abc", "team_id"),
        ("team_id=0", "team_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(app, world, query, field):
    response = api_as(app, world.leader).get(f"/reports/requests?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
