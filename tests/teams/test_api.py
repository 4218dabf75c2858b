"""The /users and /teams API: admins create and change, everyone else 403, bad input 422."""

import pytest
import sqlalchemy as sa

from salesflow.auth.models import Role, User
from salesflow.extensions import db
from salesflow.teams.models import Team
from tests.conftest import api_as


@pytest.fixture
def apis(app, world):
    """Bearer clients for the world's people. The setup is committed (a savepoint): an API error
    rolls back the request's own work only."""
    clients = {
        who: api_as(app, getattr(world, who)) for who in ("rep_a", "director_a", "leader", "admin")
    }
    db.session.commit()
    return clients


def _user_body(**overrides):
    body = {
        "name": "Zhou Min",
        "email": "zhou.min@example.com",
        "role": "rep",
        "password": "long-enough-1",
    }
    return {**body, **overrides}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _assert_error_shape(response, status, code):
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and isinstance(error["message"], str)
    return error


def test_admin_creates_a_user(apis, world):
    api = apis["admin"]
    response = api.post("/users", json=_user_body(team_id=world.team_a.id, role="director"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "zhou.min@example.com" and body["role"] == "director"
    assert body["team_id"] == world.team_a.id and body["active"] is True
    assert "password" not in body and "password_hash" not in body
    user = db.session.get(User, body["id"])
    assert user is not None and user.role == Role.director


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader"])
def test_non_admins_get_403_creating_users_and_teams(apis, world, who):
    api = apis[who]
    users_before, teams_before = _count(User), _count(Team)
    _assert_error_shape(api.post("/users", json=_user_body()), 403, "forbidden")
    _assert_error_shape(api.post("/teams", json={"name": "West"}), 403, "forbidden")
    patch = api.patch(f"/users/{world.rep_a2.id}", json={"role": "admin"})
    _assert_error_shape(patch, 403, "forbidden")
    assert (_count(User), _count(Team)) == (users_before, teams_before)
    assert world.rep_a2.role == Role.rep


def test_user_may_change_own_name_but_not_own_role(apis, world):
    api = apis["rep_a"]
    assert api.patch(f"/users/{world.rep_a.id}", json={"name": "Li Ming 李明"}).status_code == 200
    assert world.rep_a.name == "Li Ming 李明"
    _assert_error_shape(
        api.patch(f"/users/{world.rep_a.id}", json={"role": "admin"}), 403, "forbidden"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "x" * 250 + "@example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": ""}, "password"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"team_id": 999999}, "team_id"),
        ({"team_id": "north"}, "team_id"),
        ({"active": "perhaps"}, "active"),
        ({"nickname": "Min"}, "nickname"),
    ],
)
def test_bad_user_input_is_422_with_the_field(apis, world, overrides, field):
    api = apis["admin"]
    before = _count(User)
    error = _assert_error_shape(
        api.post("/users", json=_user_body(**overrides)), 422, "validation_failed"
    )
    assert field in error["fields"], error
    assert _count(User) == before


def test_missing_fields_are_422(apis, world):
    api = apis["admin"]
    error = _assert_error_shape(api.post("/users", json={}), 422, "validation_failed")
    assert {"name", "email", "password"} <= set(error["fields"])


def test_duplicate_email_is_422_whatever_its_case(apis, world):
    api = apis["admin"]
    response = api.post("/users", json=_user_body(email=world.rep_a.email.upper()))
    error = _assert_error_shape(response, 422, "validation_failed")
    assert error["fields"]["email"] == ["A user with this e-mail already exists."]


def test_body_that_is_not_json_is_refused(apis, world):
    api = apis["admin"]
    response = api.post("/users", data="name=x", headers={"Content-Type": "text/plain"})
    assert response.status_code in {400, 415, 422}
    assert "error" in response.get_json()


def test_admin_deactivates_a_leaver_and_their_token_stops_working(apis, world):
    leaver_api = apis["rep_a"]
    assert leaver_api.get("/me").status_code == 200
    api = apis["admin"]
    response = api.patch(f"/users/{world.rep_a.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    _assert_error_shape(leaver_api.get("/me"), 401, "unauthorized")


def test_admin_cannot_deactivate_themselves_by_api(apis, world):
    api = apis["admin"]
    error = _assert_error_shape(
        api.patch(f"/users/{world.admin.id}", json={"active": False}), 422, "validation_failed"
    )
    assert "active" in error["fields"]
    assert world.admin.active is True


def test_users_list_pages_with_a_cursor(apis, world):
    api = apis["rep_a"]
    first = api.get("/users?limit=4").get_json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    second = api.get(f"/users?limit=4&cursor={first['next_cursor']}").get_json()
    ids = [u["id"] for u in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 7 and second["next_cursor"] is None


def test_unknown_user_is_404(apis, world):
    api = apis["admin"]
    _assert_error_shape(api.get("/users/999999"), 404, "not_found")
    _assert_error_shape(api.patch("/users/999999", json={"name": "X"}), 404, "not_found")


def test_admin_creates_and_renames_a_team(apis, world):
    api = apis["admin"]
    response = api.post("/teams", json={"name": "华东 East", "director_id": world.director_a.id})
    assert response.status_code == 201
    team = response.get_json()
    assert team["name"] == "华东 East" and team["director_id"] == world.director_a.id
    response = api.patch(f"/teams/{team['id']}", json={"name": "East"})
    assert response.status_code == 200 and response.get_json()["name"] == "East"
    names = [t["name"] for t in api.get("/teams").get_json()["items"]]
    assert "East" in names and "North" in names


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "North"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "West", "director_id": "boss"}, "director_id"),
        ({"name": "West", "director_id": 0}, "director_id"),
        ({"name": "West", "colour": "red"}, "colour"),
    ],
)
def test_bad_team_input_is_422(apis, world, body, field):
    api = apis["admin"]
    error = _assert_error_shape(api.post("/teams", json=body), 422, "validation_failed")
    assert field in error["fields"], error
    assert _count(Team) == 2


def test_a_rep_cannot_direct_a_team(apis, world):
    api = apis["admin"]
    response = api.post("/teams", json={"name": "West", "director_id": world.rep_a.id})
    error = _assert_error_shape(response, 422, "validation_failed")
    assert error["fields"]["director_id"] == ["Choose a user with the director role."]


def test_requests_without_a_token_are_401(client):
    for path in ("/api/v1/users", "/api/v1/teams"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
