"""The requests API (API.md, "Requests between our people"): each endpoint, who may do what per
role, bad input (400/422), 404 outside the scope, 409 for a stale version or a move the status
does not allow."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.conftest import api_as
from tests.requests.conftest import IN_TWO_WEEKS, ask

BODY = {
    "kind": "solution_workshop",
    "title": "Workshop on the control system",
    "assignee_id": None,
    "needed_by": IN_TWO_WEEKS.isoformat(),
}


def _body(world, **given):
    return {**BODY, "account_id": world.account_a.id, "assignee_id": world.rep_a2.id, **given}


def test_asking_through_the_api_and_reading_it_back(app, world, deal, now):
    rep = api_as(app, world.rep_a)
    created = rep.post("/requests", json=_body(world, opportunity_id=deal.id, details="Agenda"))
    assert created.status_code == 201
    body = created.get_json()
    assert {
        k: body[k] for k in ("kind", "kind_name", "status", "lead_days", "rush", "version")
    } == {
        "kind": "solution_workshop",
        "kind_name": "Solution workshop",
        "status": "open",
        "lead_days": 10,
        "rush": False,
        "version": 1,
    }
    assert (body["requester_id"], body["assignee_id"], body["opportunity_id"]) == (
        world.rep_a.id,
        world.rep_a2.id,
        deal.id,
    )
    assert body["allowed"] == ["cancelled"]
    read = api_as(app, world.rep_a2).get(f"/requests/{body['id']}").get_json()
    assert read["allowed"] == ["accepted", "declined"] and read["details"] == "Agenda"


def test_too_little_lead_time_is_a_422_on_rush_reason_then_a_rush_with_it(app, world, now):
    rep = api_as(app, world.rep_a)
    soon = (date(2026, 11, 24)).isoformat()
    refused = rep.post("/requests", json=_body(world, needed_by=soon))
    assert refused.status_code == 422
    assert list(refused.get_json()["error"]["fields"]) == ["rush_reason"]
    rush = rep.post("/requests", json=_body(world, needed_by=soon, rush_reason="Board meets"))
    assert rush.status_code == 201
    assert (rush.get_json()["rush"], rush.get_json()["lead_days"]) == (True, 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "decision"}, "kind"),
        ({"kind": "nap"}, "kind"),
        ({"needed_by": "2026-11-19"}, "needed_by"),
        ({"needed_by": "tomorrow"}, "needed_by"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"account_id": "1"}, "account_id"),
        ({"assignee_id": 0}, "assignee_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(app, world, now, change, field):
    response = api_as(app, world.rep_a).post("/requests", json=_body(world, **change))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_malformed_json_is_a_400(app, world, now):
    response = api_as(app, world.rep_a).post(
        "/requests", data="{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_asking_about_an_account_outside_your_scope_is_a_404(app, world, now):
    response = api_as(app, world.rep_b).post(
        "/requests", json=_body(world, assignee_id=world.rep_a.id)
    )
    assert response.status_code == 404


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("rep_a", True),  # asked it
        ("rep_a2", True),  # asked of them
        ("director_a", True),  # their team's people
        ("leader", True),
        ("admin", True),
        ("rep_b", False),
        ("director_b", False),
    ],
)
def test_a_request_is_seen_by_its_people_their_director_leadership_and_admin(
    app, world, now, who, sees
):
    request = ask(world)
    client = api_as(app, getattr(world, who))
    response = client.get(f"/requests/{request.id}")
    assert response.status_code == (200 if sees else 404)
    ids = [r["id"] for r in client.get("/requests").get_json()["items"]]
    assert (request.id in ids) is sees
    moved = client.post(f"/requests/{request.id}/transition", json={"to": "accepted", "version": 1})
    assert moved.status_code == ({"rep_a2": 200}.get(who, 409) if sees else 404)


def test_the_director_of_the_person_asked_sees_a_request_from_another_team(app, world, now):
    request = ask(world, user=world.rep_b, account_id=world.shared.id, assignee_id=world.rep_a.id)
    assert api_as(app, world.director_a).get(f"/requests/{request.id}").status_code == 200
    assert api_as(app, world.director_b).get(f"/requests/{request.id}").status_code == 200


def test_the_list_filters_and_pages(app, world, now):
    first = ask(world)
    second = ask(world, kind="demo", assignee_id=world.director_a.id)
    client = api_as(app, world.leader)

    def ids(query):
        return [r["id"] for r in client.get(f"/requests{query}").get_json()["items"]]

    assert ids("") == [first.id, second.id]
    assert ids(f"?assignee_id={world.director_a.id}") == [second.id]
    assert ids(f"?requester_id={world.rep_a.id}&status=open") == [first.id, second.id]
    assert ids("?status=done") == []
    assert ids("?kind=demo") == [second.id]
    page = client.get("/requests?limit=1").get_json()
    assert [r["id"] for r in page["items"]] == [first.id]
    rest = client.get(f"/requests?limit=1&cursor={page['next_cursor']}").get_json()
    assert [r["id"] for r in rest["items"]] == [second.id] and rest["next_cursor"] is None
    assert client.get("/requests?status=lost").status_code == 422
    assert client.get("/requests?cursor=zzz").status_code == 422
    assert client.get("/requests?assignee_id=abc").status_code == 422


# --- transitions and rating -------------------------------------------------------------------


def test_the_whole_life_of_a_request_through_the_api(app, world, now):
    request = ask(world)
    sr, rep = api_as(app, world.rep_a2), api_as(app, world.rep_a)
    path = f"/requests/{request.id}"
    accepted = sr.post(f"{path}/transition", json={"to": "accepted", "version": 1})
    assert accepted.status_code == 200 and accepted.get_json()["version"] == 2
    stale = sr.post(f"{path}/transition", json={"to": "in_progress", "version": 1})
    assert stale.status_code == 409
    illegal = sr.post(f"{path}/transition", json={"to": "cancelled", "version": 2})
    assert illegal.status_code == 409
    assert illegal.get_json()["error"]["message"] == (
        "This request cannot go from Accepted to Cancelled by you."
    )
    missing = sr.post(f"{path}/transition", json={"to": "done", "version": 2})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"comment": ["Say what was delivered."]}
    done = sr.post(f"{path}/transition", json={"to": "done", "comment": "Slides", "version": 2})
    assert done.get_json()["status"] == "done" and done.get_json()["delivered"] == "Slides"
    assert sr.post(f"{path}/rating", json={"rating": 5}).status_code == 403
    assert rep.post(f"{path}/rating", json={"rating": 6}).status_code == 422
    assert rep.post(f"{path}/rating", json={"rating": "5"}).status_code == 422
    rated = rep.post(f"{path}/rating", json={"rating": 4, "comment": "Good"})
    assert rated.status_code == 200 and rated.get_json()["rating"] == 4
    assert rep.post(f"{path}/rating", json={"rating": 5}).status_code == 409


def test_rating_an_open_request_is_a_409(app, world, now):
    request = ask(world)
    response = api_as(app, world.rep_a).post(f"/requests/{request.id}/rating", json={"rating": 3})
    assert response.status_code == 409


def test_an_unknown_status_is_a_422(app, world, now):
    request = ask(world)
    response = api_as(app, world.rep_a2).post(
        f"/requests/{request.id}/transition", json={"to": "finished", "version": 1}
    )
    assert response.status_code == 422


# --- changing it -----------------------------------------------------------------------------


def test_the_requester_patches_an_open_request(app, world, now):
    request = ask(world)
    rep = api_as(app, world.rep_a)
    later = (IN_TWO_WEEKS + timedelta(days=3)).isoformat()
    changed = rep.patch(
        f"/requests/{request.id}",
        json={"title": "Workshop, two days", "needed_by": later, "version": 1},
    )
    assert changed.status_code == 200
    assert (changed.get_json()["title"], changed.get_json()["needed_by"]) == (
        "Workshop, two days",
        later,
    )
    assert (
        rep.patch(f"/requests/{request.id}", json={"title": "X", "version": 1}).status_code == 409
    )
    assert rep.patch(f"/requests/{request.id}", json={"title": "X"}).status_code == 422
    assert (
        rep.patch(f"/requests/{request.id}", json={"kind": "demo", "version": 2}).status_code == 422
    )
    other = api_as(app, world.rep_a2).patch(
        f"/requests/{request.id}", json={"title": "X", "version": 2}
    )
    assert other.status_code == 403
    assert (
        api_as(app, world.rep_b)
        .patch(f"/requests/{request.id}", json={"title": "X", "version": 2})
        .status_code
        == 404
    )


def test_a_closed_request_is_not_patched(app, world, now):
    request = ask(world)
    rep = api_as(app, world.rep_a)
    rep.post(
        f"/requests/{request.id}/transition",
        json={"to": "cancelled", "comment": "No", "version": 1},
    )
    response = rep.patch(f"/requests/{request.id}", json={"title": "X", "version": 2})
    assert response.status_code == 409


def test_a_decision_request_is_listed_and_closed_by_deciding(app, world, deal, now):
    rep, director = api_as(app, world.rep_a), api_as(app, world.director_a)
    rep.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "request"},
    )
    (item,) = director.get("/requests?kind=decision&status=open").get_json()["items"]
    assert (item["assignee_id"], item["stage"], item["gate"], item["allowed"]) == (
        world.director_a.id,
        "shape",
        "atb",
        [],
    )
    refused = director.post(
        f"/requests/{item['id']}/transition", json={"to": "done", "comment": "Yes", "version": 1}
    )
    assert refused.status_code == 409
    director.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "approve", "comment": "Go"},
    )
    closed = rep.get(f"/requests/{item['id']}").get_json()
    assert (closed["status"], closed["delivered"]) == ("done", "Approved: Go")


def test_the_requests_of_a_user_who_left_stay_readable(app, world, now):
    gone = f.make_user(team=world.team_a, name="Left")
    request = ask(world, assignee_id=gone.id)
    gone.active = False
    assert api_as(app, world.rep_a).get(f"/requests/{request.id}").status_code == 200
