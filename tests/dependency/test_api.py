"""API: /reports/dependency and /reports/departure return exactly API.md's fields, `at=` makes
them repeatable, reps are refused, directors see their team only."""

from datetime import timedelta

import pytest

from tests import factories as f
from tests.conftest import api_as

FIELDS = {
    "account_id",
    "top_share",
    "holder_id",
    "effective_holders",
    "key_contacts",
    "uncovered_key_contacts",
    "single_threaded_key_contacts",
    "multi_threaded_coverage",
    "bus_factor",
    "risk",
}


def test_dependency_report_has_exactly_the_contract_fields(app, world, now):
    body = api_as(app, world.leader).get("/reports/dependency?limit=100").get_json()
    rows = {row["account_id"]: row for row in body["items"]}
    assert set(rows) == {world.account_a.id, world.account_b.id, world.shared.id}
    assert all(set(row) == FIELDS for row in rows.values())
    a = rows[world.account_a.id]  # Li Ming alone met the decision maker Zhang Wei today
    assert (a["holder_id"], a["top_share"], a["effective_holders"]) == (world.rep_a.id, 1.0, 1.0)
    assert a["single_threaded_key_contacts"] == [world.contact_a.id]
    assert (a["risk"], a["bus_factor"], a["key_contacts"]) == ("high", 1, 1)


def test_at_makes_the_report_repeatable(app, world, now):
    client = api_as(app, world.leader)
    later = (now + timedelta(days=181)).isoformat()
    body = client.get("/reports/dependency", query_string={"at": later}).get_json()
    a = next(r for r in body["items"] if r["account_id"] == world.account_a.id)
    assert a["holder_id"] is None and a["uncovered_key_contacts"] == [world.contact_a.id]
    again = client.get("/reports/dependency", query_string={"at": later}).get_json()
    assert again == body


def test_pages_follow_the_cursor(app, world, now):
    client = api_as(app, world.admin)
    first = client.get("/reports/dependency?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(f"/reports/dependency?limit=2&cursor={first['next_cursor']}").get_json()
    assert [r["account_id"] for r in second["items"]] == [world.shared.id]
    assert second["next_cursor"] is None


def test_directors_see_their_team_and_reps_are_refused(app, world, now):
    body = api_as(app, world.director_b).get("/reports/dependency").get_json()
    assert [r["account_id"] for r in body["items"]] == [world.account_b.id]
    assert api_as(app, world.rep_a).get("/reports/dependency").status_code == 403
    rep = api_as(app, world.rep_a).post("/reports/departure", json={"user_ids": [world.rep_a.id]})
    assert rep.status_code == 403


def test_departure_body(app, world, now):
    deal = f.make_opportunity(account=world.account_a, amount=500_000, roles={world.rep_a: "AR"})
    body = (
        api_as(app, world.leader)
        .post("/reports/departure", json={"user_ids": [world.rep_a.id], "at": now.isoformat()})
        .get_json()
    )
    assert set(body) == {
        "accounts",
        "pipeline_at_risk_amount",
        "pipeline_at_risk_weighted",
        "opportunity_ids",
    }
    a = next(x for x in body["accounts"] if x["account_id"] == world.account_a.id)
    expected = {
        "account_id": world.account_a.id,
        "risk_before": "high",
        "risk_after": "high",
        "newly_uncovered_key_contacts": [world.contact_a.id],
        "holder_left": True,
    }
    assert a == expected
    assert body["opportunity_ids"] == [deal.id]
    assert (body["pipeline_at_risk_amount"], body["pipeline_at_risk_weighted"]) == (
        {"CNY": "500000.00"},
        {"CNY": "50000.00"},
    )


@pytest.mark.parametrize(
    ("path", "kwargs", "field"),
    [
        ("/reports/dependency?at=2026-11-20T10:00:00", {}, "at"),
        ("/reports/dependency?risk=awful", {}, "risk"),
        ("/reports/dependency?limit=0", {}, "limit"),
        ("/reports/departure", {"json": {"user_ids": []}}, "user_ids"),
        ("/reports/departure", {"json": {"user_ids": ["x"]}}, "user_ids.0"),
        ("/reports/departure", {"json": {"user_ids": [1], "extra": 1}}, "extra"),
        ("/reports/departure", {"json": {"user_ids": [1], "at": "2026-11-20T10:00"}}, "at"),
    ],
)
def test_bad_input_is_a_422_on_the_field(app, world, now, path, kwargs, field):
    client = api_as(app, world.leader)
    response = client.post(path, **kwargs) if "json" in kwargs else client.get(path)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_the_paged_report_reads_todays_snapshot(app, world, now):
    import sqlalchemy as sa

    from salesflow import clock
    from salesflow.dependency import snapshots
    from salesflow.dependency.models import AccountSnapshot
    from salesflow.extensions import db

    taken = now + timedelta(minutes=10)
    with clock.frozen(taken):
        snapshots.take(now=taken)
    db.session.execute(
        sa.update(AccountSnapshot).values(bus_factor=7)
    )  # marked: read, not computed
    db.session.commit()
    at = (taken + timedelta(hours=1)).isoformat()
    body = api_as(app, world.leader).get("/reports/dependency", query_string={"at": at}).get_json()
    assert {row["bus_factor"] for row in body["items"]} == {7}
