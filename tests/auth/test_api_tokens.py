"""POST /api/v1/tokens (log in) and GET /api/v1/me: tokens, the error shape, throttling."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.auth import services
from salesflow.auth.models import ApiToken, LoginThrottle, ThrottleScope
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


def _failures(email="li.ming@example.com") -> int:
    return db.session.scalar(
        sa.select(LoginThrottle.failures).where(
            LoginThrottle.scope == ThrottleScope.account, LoginThrottle.key == email
        )
    )


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
    monkeypatch.setattr(services, "password_matches", lambda *args: checked.append(args) or True)
    response = _token(client, user.email, PASSWORD)
    error = _assert_error(response, 429, "too_many_attempts")
    assert error["message"] == "Too many failed logins. Try again in 1 minute."
    assert response.headers["Retry-After"] == "60"
    assert checked == []  # refused before any (slow) password hash


def test_failures_with_other_emails_from_one_address_do_not_lock_out_a_user(client, user):
    for n in range(6):
        _token(client, f"guess{n}@example.com", "wrong-password")
    assert _token(client, user.email).status_code == 201


def _own_token(client, email=None):
    response = _token(client, email or "li.ming@example.com")
    return ApiClient(client, response.get_json()["token"])


def test_token_list_shows_your_own_tokens_and_marks_the_current_one(app, client, user):
    first, second = _own_token(app.test_client()), _own_token(app.test_client())
    other = make_user(email="other@example.com")
    db.session.commit()
    _own_token(app.test_client(), other.email)
    response = second.get("/tokens")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 2
    assert [item["current"] for item in items] == [False, True]
    assert all(item["active"] and item["revoked_at"] is None for item in items)
    assert set(items[0]) == {"id", "created_at", "expires_at", "revoked_at", "active", "current"}
    assert first.get("/tokens").get_json()["items"][0]["current"] is True


def test_revoking_one_of_your_tokens_ends_it_and_keeps_the_others(app, user):
    first, second = _own_token(app.test_client()), _own_token(app.test_client())
    first_id = first.get("/tokens").get_json()["items"][0]["id"]
    assert second.delete(f"/tokens/{first_id}").status_code == 204
    _assert_error(first.get("/me"), 401, "unauthorized")
    assert second.get("/me").status_code == 200
    listed = second.get("/tokens").get_json()["items"]
    assert listed[0]["active"] is False and listed[0]["revoked_at"] is not None
    assert second.delete(f"/tokens/{first_id}").status_code == 204  # again is fine


def test_another_users_token_is_404(app, user):
    other = make_user(email="other@example.com")
    db.session.commit()
    theirs = _own_token(app.test_client(), other.email)
    their_id = theirs.get("/tokens").get_json()["items"][0]["id"]
    mine = _own_token(app.test_client())
    _assert_error(mine.delete(f"/tokens/{their_id}"), 404, "not_found")
    _assert_error(mine.delete("/tokens/999999"), 404, "not_found")
    assert theirs.get("/me").status_code == 200


def test_deleting_the_current_token_logs_this_client_out(app, user):
    mine, other = _own_token(app.test_client()), _own_token(app.test_client())
    assert mine.delete("/tokens/current").status_code == 204
    _assert_error(mine.get("/me"), 401, "unauthorized")
    _assert_error(mine.delete("/tokens/current"), 401, "unauthorized")
    assert other.get("/me").status_code == 200


@pytest.mark.parametrize(
    "method, path", [("get", "/tokens"), ("delete", "/tokens/current"), ("delete", "/tokens/1")]
)
def test_token_endpoints_need_a_token(client, user, method, path):
    _assert_error(getattr(client, method)(f"/api/v1{path}"), 401, "unauthorized")


def test_revoking_a_token_is_audited(app, user):
    mine = _own_token(app.test_client())
    mine.delete("/tokens/current")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "api_tokens"))
    assert entry.actor_id == user.id and list(entry.changes) == ["revoked_at"]
