"""Your account (/me): change your password with the current one, see and revoke your API tokens;
and a new password (yours, or one an admin set) ends every other session and every API token."""

import pytest
import sqlalchemy as sa
from flask import g

from salesflow.audit.models import AuditEntry
from salesflow.auth.models import ApiToken, Role
from salesflow.extensions import db
from tests.conftest import ApiClient, api_as, login
from tests.factories import PASSWORD, make_user

NEW = "a-much-longer-secret-7"


def _switch_user() -> None:
    """Another client's request next: drop Flask-Login's cached user (the test's app context)."""
    g.pop("_login_user", None)


def _change(client, current=PASSWORD, new=NEW, confirm=None):
    data = {"current_password": current, "password": new, "confirm": confirm or new}
    return client.post("/me/password", data=data)


def _live_tokens(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )


@pytest.fixture
def li(app, ctx, now):
    user = make_user(email="li@example.com", name="Li Ming")
    db.session.commit()
    return user


def test_the_page_lists_your_tokens_without_secrets(app, client, li):
    api_as(app, li)
    login(client, li)
    page = client.get("/me")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your account" in html and 'id="api-tokens"' in html and "Revoke" in html
    assert db.session.scalar(sa.select(ApiToken.token_hash)) not in html


def test_the_user_menu_links_to_your_account(client, li):
    login(client, li)
    assert 'href="/me"' in client.get("/").get_data(as_text=True)


def test_your_account_needs_login(client):
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_changing_your_password_keeps_this_browser_and_ends_everything_else(app, li):
    here, elsewhere = login(app.test_client(), li), login(app.test_client(), li)
    api = api_as(app, li)
    assert api.get("/me").status_code == 200
    response = _change(here)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    _switch_user()
    assert here.get("/").status_code == 200  # still logged in, with the new session generation
    _switch_user()
    assert elsewhere.get("/").status_code == 302  # the other browser is logged out
    assert api.get("/me").status_code == 401 and _live_tokens(li) == 0
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "users").order_by(AuditEntry.id)
    ).all()[-1]
    assert entry.actor_id == li.id
    assert entry.changes == {"password": ["***", "***"], "api_tokens_revoked": [0, 1]}


def test_the_new_password_works_and_the_old_one_no_longer_does(app, li):
    _change(login(app.test_client(), li))
    login_data = {"email": li.email, "password": PASSWORD}
    assert app.test_client().post("/login", data=login_data).status_code == 401
    login_data["password"] = NEW
    assert app.test_client().post("/login", data=login_data).status_code == 302


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong-password", NEW, NEW, "This is not your current password."),
        (PASSWORD, "short", "short", "Use at least 10 characters."),
        (PASSWORD, "Password123", "Password123", "one of the most common passwords"),
        (PASSWORD, " " * 12, " " * 12, "A password cannot be only spaces."),
        (PASSWORD, NEW, NEW + "x", "The two new passwords differ."),
    ],
    ids=["wrong-current", "short", "common", "spaces", "mismatch"],
)
def test_a_refused_change_says_why_and_changes_nothing(
    app, client, li, current, new, confirm, message
):
    before = (li.password_hash, li.session_generation)
    login(client, li)
    response = _change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(li)
    assert (li.password_hash, li.session_generation) == before


def test_wrong_current_passwords_are_throttled_like_logins(app, client, li):
    login(client, li)
    for _ in range(5):
        assert _change(client, current="wrong-password").status_code == 422
    response = _change(client)
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_the_password_form_needs_its_csrf_token(app, client, li, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, li)
    assert _change(client).status_code == 400  # CSRFProtect refuses before the view runs
    db.session.refresh(li)
    assert li.session_generation == 0


def test_revoking_a_token_on_the_page_ends_it(app, client, li):
    api = api_as(app, li)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == li.id))
    login(client, li)
    response = client.post(f"/me/tokens/{token.id}/revoke")
    assert response.status_code == 303
    _switch_user()
    assert api.get("/me").status_code == 401
    assert "Revoked" in client.get("/me").get_data(as_text=True)


def test_another_users_token_is_404_on_the_page(app, client, li):
    other = make_user()
    api_as(app, other)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == other.id))
    login(client, li)
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None


def test_an_admin_resetting_a_password_ends_the_users_sessions_and_tokens(app, li):
    admin = make_user(role=Role.admin)
    db.session.commit()
    users_browser, api = login(app.test_client(), li), api_as(app, li)
    admins_browser = login(app.test_client(), admin)
    form = {
        "name": li.name,
        "email": li.email,
        "role": "rep",
        "team_id": "",
        "active": "y",
        "password": NEW,
    }
    assert admins_browser.post(f"/admin/users/{li.id}/edit", data=form).status_code == 302
    _switch_user()
    assert users_browser.get("/").status_code == 302
    assert api.get("/me").status_code == 401


def test_a_password_set_through_the_api_revokes_the_users_tokens(app, li):
    admin = make_user(role=Role.admin)
    db.session.commit()
    users_api, admins_api = api_as(app, li), api_as(app, admin)
    response = admins_api.patch(f"/users/{li.id}", json={"password": NEW})
    assert response.status_code == 200
    assert users_api.get("/me").status_code == 401
    assert admins_api.get("/me").status_code == 200


def test_changing_your_own_password_through_the_api_proves_the_current_one(app, li):
    api = api_as(app, li)
    for proof in ({}, {"current_password": "not-my-password-1"}):
        refused = api.patch(f"/users/{li.id}", json={"password": NEW, **proof})
        assert refused.status_code == 422
        assert "current_password" in refused.get_json()["error"]["fields"]
    assert api.get("/me").status_code == 200  # nothing changed, the token still works
    changed = {"password": NEW, "current_password": PASSWORD}
    assert api.patch(f"/users/{li.id}", json=changed).status_code == 200
    assert api.get("/me").status_code == 401
    fresh = app.test_client().post("/api/v1/tokens", json={"email": li.email, "password": NEW})
    assert ApiClient(app.test_client(), fresh.get_json()["token"]).get("/me").status_code == 200


def test_an_admin_setting_their_own_password_stays_logged_in_here_only(app, ctx, now):
    admin = make_user(role=Role.admin, name="Admin")
    db.session.commit()
    here, elsewhere = login(app.test_client(), admin), login(app.test_client(), admin)
    form = {
        "name": admin.name,
        "email": admin.email,
        "role": "admin",
        "team_id": "",
        "active": "y",
        "password": NEW,
    }
    assert here.post(f"/admin/users/{admin.id}/edit", data=form).status_code == 302
    _switch_user()
    assert here.get("/admin/users").status_code == 200
    _switch_user()
    assert elsewhere.get("/").status_code == 302
