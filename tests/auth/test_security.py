"""Secure by default: headers, cookies, CSRF, throttled logins, sessions that really end."""

import sqlalchemy as sa

from salesflow.auth.models import LoginThrottle, ThrottleScope
from salesflow.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def _log_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_pages_send_strict_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, ctx):
    user = make_user()
    response = _log_in(client, user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_as_argon2_hashes(ctx):
    assert make_user().password_hash.startswith("$argon2id$")


def test_logout_ends_the_session_even_if_the_cookie_is_replayed(app, ctx):
    user = make_user()
    client = app.test_client()
    _log_in(client, user.email)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _account_failures(email: str) -> int:
    return db.session.scalar(
        sa.select(LoginThrottle.failures).where(
            LoginThrottle.scope == ThrottleScope.account, LoginThrottle.key == email
        )
    )


def test_fifth_failure_locks_out_even_the_right_password_on_a_new_browser(client, ctx, now):
    user = make_user()
    for _ in range(5):
        assert _log_in(client, user.email, "wrong-password").status_code == 401
    response = _log_in(client, user.email)
    assert response.status_code == 429
    assert b"Too many failed logins" in response.data
    assert response.headers["Retry-After"] == "60"


def test_successful_login_clears_earlier_failures(client, ctx, now):
    user = make_user()
    for _ in range(3):
        _log_in(client, user.email, "wrong-password")
    assert _account_failures(user.email) == 3
    assert _log_in(client, user.email).status_code == 302
    assert _account_failures(user.email) == 0


def test_failures_are_logged_for_the_record(client, ctx, now, caplog):
    user = make_user()
    with caplog.at_level("INFO", logger="salesflow.auth"):
        _log_in(client, user.email, "wrong-password")
    assert f"Failed login for '{user.email}' from 127.0.0.1" in caplog.text


def test_deactivated_user_cannot_log_in(client, ctx):
    user = make_user(active=False)
    assert _log_in(client, user.email).status_code == 401


def test_login_form_refuses_a_post_without_csrf_token(app, client, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user()
    response = _log_in(client, user.email)
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still logged out


def test_login_never_redirects_to_another_site(client, ctx):
    user = make_user()
    response = _log_in(client, user.email, query_string={"next": "//evil.example/steal"})
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, ctx):
    user = make_user()
    response = _log_in(client, user.email, query_string={"next": "/accounts"})
    assert response.headers["Location"] == "/accounts"


def test_language_choice_is_kept_as_the_users_setting(client, ctx):
    user = make_user()
    login(client, user)
    client.post("/language", data={"locale": "zh", "next": "/"})
    assert user.locale == "zh"
    assert 'lang="zh-Hans"' in client.get("/login", follow_redirects=True).get_data(as_text=True)


def test_pages_need_login(client):
    response = client.get("/accounts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logged_in_pages_are_never_stored(client, ctx):
    login(client, make_user())
    for path in ("/", "/accounts", "/me"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_api_answers_are_never_stored(client, ctx):
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # even a 401
    response = client.post("/api/v1/tokens", json={"email": "x@example.com", "password": "nope"})
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client, ctx):
    login(client, make_user())
    for path in ("/static/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        response.close()
