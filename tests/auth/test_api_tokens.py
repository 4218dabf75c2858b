"""POST /api/v1/tokens (log in) and GET /api/v1/me: tokens, the error shape, throttling."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.auth import services
from salesflow.auth.models import ApiToken, LoginAttempt
from salesflow.extensions import db
from tests.conftest import ApiClient
from tests.factories import PASSWORD, make_team, make_user


def _token(client, email, password=PASSWORD):
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def _assert_error(response, status, code):
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def _failures() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt))


@pytest.fixture
def user(ctx):
    user = make_user(email="li.ming@example.com", name="Li Ming 李明", team=make_team(name="East"))
    db.session.commit()  # a savepoint: a refused login rolls back only its own work
    return user


def test_right_password_gives_a_token_that_opens_me(client, user):
    response = _token(client, " LI.MING@example.com ", PASSWORD)
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert len(token) >= 32
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != token  # only the hash is kept
    me = ApiClient(client, token).get("/me")
    assert me.status_code == 200
    assert me.get_json() == {
        "id": user.id,
        "name": "Li Ming 李明",
        "email": "li.ming@example.com",
        "role": "rep",
        "team_id": user.team_id,
        "locale": None,
    }


def test_wrong_password_is_401_with_the_error_shape(client, user):
    error = _assert_error(_token(client, user.email, "wrong-password"), 401, "bad_credentials")
    assert error["message"] == "Wrong e-mail or password."
    assert _failures() == 1


def test_unknown_email_is_the_same_401(client, user):
    _assert_error(_token(client, "nobody@example.com"), 401, "bad_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "li.ming@example.com"},
        {"email": 5, "password": "x"},
        {"email": "a", "password": "b", "otp": 1},
    ],
)
def test_malformed_login_is_422(client, user, body):
    response = client.post("/api/v1/tokens", json=body)
    _assert_error(response, 422, "validation_failed")


def test_missing_bearer_is_401_with_the_error_shape(client, user):
    _assert_error(client.get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize(
    "header", ["Bearer not-a-real-token", "Bearer ", "Basic bGk6bWluZw==", "bearer", "Token abc"]
)
def test_bad_bearer_is_401_with_the_error_shape(client, user, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    _assert_error(response, 401, "unauthorized")


def test_inactive_users_token_is_401(client, user):
    token = _token(client, user.email).get_json()["token"]
    user.active = False
    db.session.commit()
    _assert_error(ApiClient(client, token).get("/me"), 401, "unauthorized")


def test_expired_token_is_401(app, client, user, now):
    token = _token(client, user.email).get_json()["token"]
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    stored.expires_at = now - timedelta(seconds=1)
    db.session.commit()
    _assert_error(ApiClient(client, token).get("/me"), 401, "unauthorized")


def test_inactive_user_cannot_get_a_token(client, user):
    user.active = False
    db.session.commit()
    _assert_error(_token(client, user.email), 401, "bad_credentials")


def test_sixth_login_after_five_failures_is_429_without_checking_the_password(
    client, user, monkeypatch
):
    for _ in range(5):
        _assert_error(_token(client, user.email, "wrong-password"), 401, "bad_credentials")
    checked = []
    monkeypatch.setattr(services, "_password_ok", lambda *args: checked.append(args) or True)
    error = _assert_error(_token(client, user.email, PASSWORD), 429, "too_many_attempts")
    assert "Too many failed logins" in error["message"]
    assert checked == []  # refused before any (slow) password hash
    assert _failures() == 5


def test_failures_from_one_address_throttle_other_emails_too(client, user):
    for n in range(5):
        _token(client, f"guess{n}@example.com", "wrong-password")
    _assert_error(_token(client, user.email), 429, "too_many_attempts")
