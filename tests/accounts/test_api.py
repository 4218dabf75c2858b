"""The accounts API (API.md): shapes, rules, conflicts, pagination, soft delete, account team."""

import pytest
import sqlalchemy as sa

from salesflow.accounts import services
from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import api_as


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_create_get_patch_and_list(app, world):
    api = api_as(app, world.rep_a)
    created = api.post(
        "/accounts",
        json={
            "name": "Pearl Telecom",
            "tier": "A",
            "industry": "Telecom",
            "region": "South",
            "address": "1 Pearl Road",
            "website": "pearl.cn",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["team_id"] == world.team_a.id and body["version"] == 1
    assert body["website"] == "https://pearl.cn" and body["region"] == "South"
    got = api.get(f"/accounts/{body['id']}").get_json()
    assert got == body
    patched = api.patch(f"/accounts/{body['id']}", json={"notes": "Key", "version": 1})
    assert patched.status_code == 200 and patched.get_json()["version"] == 2
    listed = api.get("/accounts", query_string={"q": "pearl"}).get_json()
    assert [a["name"] for a in listed["items"]] == ["Pearl Telecom"]
    assert listed["next_cursor"] is None


def test_writes_are_audited_with_old_and_new_values(app, world):
    api = api_as(app, world.rep_a)
    api.patch(f"/accounts/{world.account_a.id}", json={"tier": "A", "version": 1})
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.account_id == world.account_a.id)
    )
    assert entry.action == "update" and entry.actor_id == world.rep_a.id
    assert entry.changes == {"tier": ["B", "A"]}


def test_stale_version_is_409_and_changes_nothing(app, world):
    api = api_as(app, world.rep_a)
    version = world.account_a.version
    fresh = api.patch(f"/accounts/{world.account_a.id}", json={"notes": "new", "version": version})
    assert fresh.status_code == 200
    stale = api.patch(f"/accounts/{world.account_a.id}", json={"notes": "old", "version": version})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/accounts/{world.account_a.id}").get_json()["notes"] == "new"


def test_patch_without_version_is_422_and_changes_nothing(app, world):
    api = api_as(app, world.rep_a)
    response = api.patch(f"/accounts/{world.account_a.id}", json={"industry": "Power"})
    assert response.status_code == 422
    assert "version" in response.get_json()["error"]["fields"]
    assert api.get(f"/accounts/{world.account_a.id}").get_json()["industry"] == "Manufacturing"


def test_pagination_by_cursor_covers_everything_once(app, world):
    for n in range(7):
        f.make_account(team=world.team_b, name=f"Firm {n}")
    api = api_as(app, world.leader)
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/accounts", query_string=query).get_json()
        assert len(page["items"]) <= 3
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 10


def test_list_filters(app, world):
    f.make_account(team=world.team_a, name="Alpha Power", tier="A", industry="Power")
    api = api_as(app, world.rep_a)

    def names(**query):
        return {a["name"] for a in api.get("/accounts", query_string=query).get_json()["items"]}

    assert names() == {"Huadong Power", "Shared Steel", "Alpha Power"}
    assert names(q="POWER") == {"Huadong Power", "Alpha Power"}
    assert names(tier="A") == names(industry="Power") == {"Alpha Power"}
    assert names(mine="true") == {"Huadong Power"}
    assert names(team_id=world.team_b.id) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": "lots"},
        {"limit": 100_000},
        {"cursor": "garbage"},
        {"tier": "Z"},
        {"team_id": "x"},
        {"mine": "maybe"},
        {"q": "x" * 201},
    ],
)
def test_bad_list_parameters_are_422(app, world, query):
    response = api_as(app, world.rep_a).get("/accounts", query_string=query)
    assert response.status_code == 422 and response.get_json()["error"]["code"]


BAD_ACCOUNTS = [
    ({}, "name"),
    ({"name": None}, "name"),
    ({"name": 42}, "name"),
    ({"name": ["a"]}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 10_000}, "name"),
    ({"name": "a\x00b"}, "name"),
    ({"name": "Ok", "tier": "Z"}, "tier"),
    ({"name": "Ok", "tier": 1}, "tier"),
    ({"name": "Ok", "team_id": "1"}, "team_id"),
    ({"name": "Ok", "team_id": 2**40}, "team_id"),
    ({"name": "Ok", "team_id": 999_999}, "team_id"),
    ({"name": "Ok", "parent_id": "abc"}, "parent_id"),
    ({"name": "Ok", "parent_id": 0}, "parent_id"),
    ({"name": "Ok", "parent_id": 999_999}, "parent_id"),
    ({"name": "Ok", "industry": "i" * 81}, "industry"),
    ({"name": "Ok", "website": "not a site"}, "website"),
    ({"name": "Ok", "website": "w" * 10_000}, "website"),
    ({"name": "Ok", "notes": "n" * 20_001}, "notes"),
    ({"name": "Ok", "colour": "red"}, "colour"),
    ({"name": "Ok", "version": 1}, "version"),
]


@pytest.mark.parametrize("payload, field", BAD_ACCOUNTS)
def test_bad_create_is_422_with_the_field_and_saves_nothing(app, world, payload, field):
    api = api_as(app, world.rep_a)
    before = _audit_count()
    response = api.post("/accounts", json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert _audit_count() == before


@pytest.mark.parametrize(
    "payload, field",
    [(p, fld) for p, fld in BAD_ACCOUNTS if p and fld not in {"version"}]
    + [
        ({"version": "1"}, "version"),
        ({"version": 0}, "version"),
        ({"id": 5}, "id"),
        ({"team_id": None}, "team_id"),
    ],
)
def test_bad_patch_is_422_with_the_field_and_changes_nothing(app, world, payload, field):
    api = api_as(app, world.rep_a)
    response = api.patch(f"/accounts/{world.account_a.id}", json={"version": 1, **payload})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api.get(f"/accounts/{world.account_a.id}").get_json()["version"] == 1


def test_rule_violations_are_422(app, world):
    api = api_as(app, world.rep_a)
    other_team = api.post("/accounts", json={"name": "Ok", "team_id": world.team_b.id})
    assert other_team.status_code == 422 and "team_id" in other_team.get_json()["error"]["fields"]
    hidden_parent = api.post("/accounts", json={"name": "Ok", "parent_id": world.account_b.id})
    assert hidden_parent.status_code == 422
    assert "parent_id" in hidden_parent.get_json()["error"]["fields"]
    not_json = api.post("/accounts", data="{", content_type="application/json")
    assert not_json.status_code in {400, 422} and "error" in not_json.get_json()
    not_object = api.post("/accounts", json=["Ok"])
    assert not_object.status_code == 422


def test_parent_cycle_is_422(app, world):
    api = api_as(app, world.rep_a)
    child = api.post("/accounts", json={"name": "Child", "parent_id": world.account_a.id})
    assert child.status_code == 201
    change = {"parent_id": child.get_json()["id"], "version": 1}
    cycle = api.patch(f"/accounts/{world.account_a.id}", json=change)
    assert cycle.status_code == 422 and "parent_id" in cycle.get_json()["error"]["fields"]
    change = {"parent_id": world.account_a.id, "version": 1}
    itself = api.patch(f"/accounts/{world.account_a.id}", json=change)
    assert itself.status_code == 422


def test_team_put_replaces_and_get_reads(app, world):
    api = api_as(app, world.rep_a)
    members = [
        {"user_id": world.rep_a.id, "role": "AR"},
        {"user_id": world.rep_a2.id, "role": "FR"},
        {"user_id": world.director_a.id, "role": "sponsor"},
    ]
    put = api.put(f"/accounts/{world.account_a.id}/team", json=members)
    assert put.status_code == 200
    team = api.get(f"/accounts/{world.account_a.id}/team").get_json()
    assert team == put.get_json()
    assert sorted((m["user_id"], m["role"]) for m in team) == sorted(
        (m["user_id"], m["role"]) for m in members
    )
    assert {m["name"] for m in team} == {"Li Ming", "Zhao Lei", "Director North"}
    assert api.put(f"/accounts/{world.account_a.id}/team", json=[]).get_json() == []


@pytest.mark.parametrize(
    "members, field",
    [
        ({"user_id": 1, "role": "AR"}, None),
        ([{"user_id": 1, "role": "boss"}], "0.role"),
        ([{"user_id": "1", "role": "AR"}], "0.user_id"),
        ([{"user_id": 1}], "0.role"),
        ([{"role": "AR"}], "0.user_id"),
        ([{"user_id": 1, "role": "AR", "since": "2020"}], "0.since"),
        ([{"user_id": 999_999, "role": "AR"}], "members"),
        ([{"user_id": 2**40, "role": "AR"}], "0.user_id"),
        ([{"user_id": 1, "role": "AR"}] * 201, None),
        ("AR", None),
    ],
)
def test_bad_team_put_is_422_and_changes_nothing(app, world, members, field):
    api = api_as(app, world.rep_a)
    response = api.put(f"/accounts/{world.account_a.id}/team", json=members)
    assert response.status_code == 422
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert [m["role"] for m in api.get(f"/accounts/{world.account_a.id}/team").get_json()] == ["AR"]


def test_team_put_refuses_duplicates_and_new_inactive_people(app, world):
    gone = f.make_user(team=world.team_a, active=False)
    api = api_as(app, world.rep_a)
    pair = {"user_id": world.rep_a2.id, "role": "SR"}
    twice = api.put(f"/accounts/{world.account_a.id}/team", json=[pair, pair])
    assert twice.status_code == 422 and "members" in twice.get_json()["error"]["fields"]
    inactive = api.put(
        f"/accounts/{world.account_a.id}/team", json=[{"user_id": gone.id, "role": "member"}]
    )
    assert inactive.status_code == 422


def test_director_soft_deletes_and_restores(app, world):
    api = api_as(app, world.director_a)
    assert api.delete(f"/accounts/{world.account_a.id}").status_code == 204
    assert api.get(f"/accounts/{world.account_a.id}").get_json()["deleted_at"] is not None
    assert api.delete(f"/accounts/{world.account_a.id}").status_code == 404  # already gone
    assert api_as(app, world.rep_a).get(f"/accounts/{world.account_a.id}").status_code == 404
    restored = api.post(f"/accounts/{world.account_a.id}/restore")
    assert restored.status_code == 200 and restored.get_json()["deleted_at"] is None
    assert api_as(app, world.rep_a).get(f"/accounts/{world.account_a.id}").status_code == 200


def test_rep_and_leadership_get_403_on_delete(app, world):
    assert api_as(app, world.rep_a).delete(f"/accounts/{world.account_a.id}").status_code == 403
    response = api_as(app, world.leader).delete(f"/accounts/{world.account_a.id}")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert world.account_a.deleted_at is None


def test_admin_deletes_any_account(app, world):
    assert api_as(app, world.admin).delete(f"/accounts/{world.account_b.id}").status_code == 204


def test_without_a_token_it_is_401(client, world):
    assert client.get("/api/v1/accounts").status_code == 401
    assert client.post("/api/v1/accounts", json={"name": "x"}).status_code == 401


def test_openapi_describes_the_account_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/accounts"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/accounts/{account_id}"])
    assert {"get", "put"} <= set(paths["/api/v1/accounts/{account_id}/team"])
    assert "409" in paths["/api/v1/accounts/{account_id}"]["patch"]["responses"]


def test_deleted_filter_lists_what_the_caller_may_restore(app, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    director = api_as(app, world.director_a).get("/accounts", query_string={"deleted": "true"})
    assert [a["name"] for a in director.get_json()["items"]] == ["Huadong Power"]
    rep = api_as(app, world.rep_a).get("/accounts", query_string={"deleted": "true"})
    assert [a["name"] for a in rep.get_json()["items"]] == ["Shared Steel"]
