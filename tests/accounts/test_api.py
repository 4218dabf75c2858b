import pytest

from tests.conftest import api_as


def test_create_get_patch_and_list(app, world):
    api = api_as(app, world.rep_a)
    created = api.post("/accounts", json={"name": "Pearl Telecom", "tier": "A",
                                          "industry": "Telecom"})  # fmt: skip
    assert created.status_code == 201
    body = created.get_json()
    assert body["team_id"] == world.team_a.id and body["version"] == 1
    patched = api.patch(f"/accounts/{body['id']}", json={"notes": "Key", "version": 1})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2
    stale = api.patch(f"/accounts/{body['id']}", json={"notes": "Old", "version": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    listed = api.get("/accounts", query_string={"q": "pearl"}).get_json()
    assert [a["name"] for a in listed["items"]] == ["Pearl Telecom"]


def test_pagination_by_cursor_covers_everything_once(app, world):
    api = api_as(app, world.leader)
    seen, cursor = [], None
    while True:
        page = api.get("/accounts", query_string={"limit": 2, **({"cursor": cursor} if cursor
                                                                  else {})}).get_json()  # fmt: skip
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted({world.account_a.id, world.account_b.id, world.shared.id})


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"name": "Ok", "tier": "Z"}, "tier"),
        ({"name": "Ok", "parent_id": "abc"}, "parent_id"),
        ({"name": "Ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_with_the_field(app, world, payload, field):
    response = api_as(app, world.rep_a).post("/accounts", json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_rule_violations_are_422(app, world):
    api = api_as(app, world.rep_a)
    other_team = api.post("/accounts", json={"name": "Ok", "team_id": world.team_b.id})
    assert other_team.status_code == 422 and "team_id" in other_team.get_json()["error"]["fields"]
    hidden_parent = api.post("/accounts", json={"name": "Ok", "parent_id": world.account_b.id})
    assert "parent_id" in hidden_parent.get_json()["error"]["fields"]
    not_json = api.post("/accounts", data="{", content_type="application/json")
    assert not_json.status_code == 400


def test_team_put_replaces_and_get_reads(app, world):
    api = api_as(app, world.rep_a)
    members = [
        {"user_id": world.rep_a.id, "role": "AR"},
        {"user_id": world.rep_a2.id, "role": "FR"},
    ]
    assert api.put(f"/accounts/{world.account_a.id}/team", json=members).status_code == 200
    team = api.get(f"/accounts/{world.account_a.id}/team").get_json()
    assert sorted((m["user_id"], m["role"]) for m in team) == sorted(
        (m["user_id"], m["role"]) for m in members)  # fmt: skip
    bad = api.put(f"/accounts/{world.account_a.id}/team", json=[{"user_id": 1, "role": "boss"}])
    assert bad.status_code == 422


def test_director_soft_deletes_and_restores(app, world):
    api = api_as(app, world.director_a)
    assert api.delete(f"/accounts/{world.account_a.id}").status_code == 204
    assert api.get(f"/accounts/{world.account_a.id}").get_json()["deleted_at"] is not None
    assert api_as(app, world.rep_a).get(f"/accounts/{world.account_a.id}").status_code == 404
    assert api.post(f"/accounts/{world.account_a.id}/restore").status_code == 200
