"""Login throttling (auth/throttle.py): per account with a growing delay, per address with a high
bar, and device cookies that keep a user who logged in before out of an attacker's lockout."""

import functools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import request
from itsdangerous import URLSafeSerializer

from salesflow import clock
from salesflow.auth import devices, services, throttle
from salesflow.auth.models import LoginThrottle, ThrottleScope
from salesflow.auth.services import TooManyAttempts
from salesflow.extensions import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_user

ATTACKER = "10.6.6.6"


def _log_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def fast_checks(monkeypatch):
    """argon2 checks each (hash, password) pair once: these tests fail many logins on purpose."""
    monkeypatch.setattr(services, "password_matches", functools.cache(services.password_matches))


def _row(scope: ThrottleScope, key: str) -> LoginThrottle | None:
    return db.session.scalar(
        sa.select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
    )


def _fail(email, at, *, address=ATTACKER, device=None):
    reservation = throttle.reserve(email, address=address, device=device, now=at)
    throttle.settle(reservation, succeeded=False, now=at)
    return reservation


def _succeed(email, at, *, address=ATTACKER, device=None):
    reservation = throttle.reserve(email, address=address, device=device, now=at)
    throttle.settle(reservation, succeeded=True, now=at)
    return reservation


def _refused(email, at, *, address=ATTACKER, device=None) -> int:
    """The Retry-After seconds of a refused attempt (fails the test if it is let through)."""
    with pytest.raises(TooManyAttempts) as refused:
        throttle.reserve(email, address=address, device=device, now=at)
    return refused.value.retry_after


# --- the rule, at the service level (no password hashing) -------------------------------------


def test_each_further_lockout_of_an_account_lasts_twice_as_long_up_to_the_cap(ctx, now):
    at = now
    for minutes in (1, 2, 4, 8, 16, 32, 60, 60):
        for _ in range(5):
            _fail("li@example.com", at)
        assert _refused("li@example.com", at) == minutes * 60
        assert _refused("li@example.com", at + timedelta(minutes=minutes, seconds=-1)) == 1
        at += timedelta(minutes=minutes)


def test_four_failures_do_not_lock_and_the_window_forgets_them(ctx, now):
    for _ in range(4):
        _fail("li@example.com", now)
    _fail("li@example.com", now + timedelta(minutes=15))  # the window started again
    _succeed("li@example.com", now + timedelta(minutes=15))


def test_a_success_starts_the_growing_delay_again_from_its_first_step(ctx, now):
    at = now
    for minutes in (1, 2, 4):
        for _ in range(5):
            _fail("li@example.com", at)
        at += timedelta(minutes=minutes)
    _succeed("li@example.com", at)
    for _ in range(5):
        _fail("li@example.com", at)
    assert _refused("li@example.com", at) == 60


def test_a_quiet_day_starts_the_growing_delay_again(ctx, now):
    at = now
    for minutes in (1, 2, 4):
        for _ in range(5):
            _fail("li@example.com", at)
        at += timedelta(minutes=minutes)
    at += timedelta(hours=24)
    for _ in range(5):
        _fail("li@example.com", at)
    assert _refused("li@example.com", at) == 60


def test_attempts_still_being_checked_count_against_the_limit(ctx, now):
    """Five reservations whose passwords are still being checked hold the sixth back."""
    for _ in range(5):
        throttle.reserve("li@example.com", address=ATTACKER, device=None, now=now)
    assert _refused("li@example.com", now) == 60


def test_a_success_gives_the_address_back_only_its_own_reservation(ctx, now):
    for n in range(3):
        _fail(f"guess{n}@example.com", now)
    _succeed("attacker@example.com", now)  # an attacker logging into an account of their own
    assert _row(ThrottleScope.address, ATTACKER).failures == 3
    assert _row(ThrottleScope.account, "attacker@example.com").failures == 0


def test_the_address_bar_is_far_higher_than_the_accounts(ctx, now, app):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        _fail(f"guess{n}@example.com", now)
    assert _refused("anyone@example.com", now) == 60
    _succeed("anyone@example.com", now, address="10.0.0.2")  # another address is not affected


def test_the_daily_prune_forgets_only_counters_that_hold_nothing(ctx, now):
    """Every e-mail or address ever tried leaves a row; a quiet day later it is deleted, unless it
    is still locked or failed within the day (then it still decides something)."""
    day = timedelta(days=1, minutes=1)
    _fail("old@example.com", now - day, address="10.0.0.1")
    for _ in range(5):
        _fail("locked@example.com", now - timedelta(minutes=1), address="10.0.0.2")
    _fail("recent@example.com", now - timedelta(hours=3), address="10.0.0.3")
    assert throttle.prune(now=now) == 2  # old@ and 10.0.0.1
    kept = {row.key for row in db.session.scalars(sa.select(LoginThrottle))}
    assert kept == {"locked@example.com", "10.0.0.2", "recent@example.com", "10.0.0.3"}
    assert throttle.prune(now=now) == 0


def test_a_device_cookie_is_counted_alone_and_locked_alone(ctx, now):
    for _ in range(5):
        reservation = _fail("li@example.com", now, device="nonce-a")
        assert reservation.trusted
    assert _row(ThrottleScope.account, "li@example.com") is None  # the account never counted
    # A locked device cookie vouches for nothing: the attempt counts as an untrusted one ...
    assert not _fail("li@example.com", now, device="nonce-a").trusted
    assert _row(ThrottleScope.account, "li@example.com").failures == 1
    # ... while the same person's other browser is still trusted.
    assert _succeed("li@example.com", now, device="nonce-b").trusted


def test_a_trusted_device_gets_in_while_the_account_and_address_are_locked(ctx, now, app):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        _fail("li@example.com" if n < 5 else f"guess{n}@example.com", now)
    _refused("li@example.com", now)
    assert _succeed("li@example.com", now, device="nonce-a").trusted


# --- through the login page and the API ---------------------------------------------------------


def _trusted_browser(app, email):
    """A browser that logged in as `email` before (it keeps the device cookie after logout)."""
    browser = app.test_client()
    assert _log_in(browser, email).status_code == 302
    assert browser.get_cookie(devices.COOKIE) is not None
    browser.post("/logout")
    return browser


def test_random_emails_from_the_users_address_do_not_stop_a_returning_user(
    app, ctx, now, fast_checks, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    li = make_user(email="li@example.com")
    browser = _trusted_browser(app, li.email)
    attacker = app.test_client()  # the same address: everyone behind the office's NAT
    for n in range(15):
        assert _log_in(attacker, f"guess{n}@example.com", "wrong-password").status_code == 401
    for _ in range(5):  # the real e-mail too
        assert _log_in(attacker, li.email, "wrong-password").status_code == 401
    assert _log_in(attacker, li.email).status_code == 429  # locked for untrusted clients
    assert _log_in(attacker, "wang@example.com").status_code == 429  # and the address is too
    assert _log_in(browser, li.email).status_code == 302


def test_failures_with_other_emails_do_not_stop_a_user_on_a_new_browser(app, ctx, now, fast_checks):
    wang = make_user(email="wang@example.com")
    attacker = app.test_client()
    for n in range(8):
        assert _log_in(attacker, f"guess{n}@example.com", "wrong-password").status_code == 401
    assert _log_in(app.test_client(), wang.email).status_code == 302


def test_a_refused_login_says_when_to_try_again(app, ctx, now, fast_checks):
    li = make_user(email="li@example.com")
    client = app.test_client()
    for _ in range(5):
        _log_in(client, li.email, "wrong-password")
    response = _log_in(client, li.email)
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert b"Too many failed logins. Try again in 1 minute." in response.data
    with clock.frozen(now + timedelta(minutes=1)):
        assert _log_in(client, li.email).status_code == 302


def test_the_api_shares_the_rule_without_device_cookies(app, ctx, now, fast_checks):
    li = make_user(email="li@example.com")
    db.session.commit()
    browser = _trusted_browser(app, li.email)
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": li.email, "password": "wrong-password"})
    refused = client.post("/api/v1/tokens", json={"email": li.email, "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert _log_in(client, li.email).status_code == 429  # the page's login: the same account
    assert _log_in(browser, li.email).status_code == 302


def test_the_device_cookie_lockout_is_per_cookie(app, ctx, now, fast_checks):
    li = make_user(email="li@example.com")
    laptop, phone = _trusted_browser(app, li.email), _trusted_browser(app, li.email)
    for _ in range(5):
        assert _log_in(laptop, li.email, "wrong-password").status_code == 401
    for _ in range(5):  # now untrusted: these count against the account
        assert _log_in(laptop, li.email, "wrong-password").status_code == 401
    assert _log_in(laptop, li.email).status_code == 429
    assert _log_in(app.test_client(), li.email).status_code == 429
    assert _log_in(phone, li.email).status_code == 302


def _cookie_for(app, entries) -> str:
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="salesflow.device-cookie").dumps(
        entries
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda app, genuine: genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB"),
        lambda app, genuine: URLSafeSerializer("another-key", salt="salesflow.device-cookie").dumps(
            [{"e": "li@example.com", "n": "x", "t": 1_790_000_000}]
        ),
        lambda app, genuine: _cookie_for(
            app, [{"e": "wang@example.com", "n": "x", "t": 1_790_000_000}]
        ),
        lambda app, genuine: _cookie_for(app, [{"e": "li@example.com", "n": "x", "t": 1_000}]),
        lambda app, genuine: _cookie_for(app, {"e": "li@example.com"}),
        lambda app, genuine: "not a cookie",
    ],
    ids=["tampered", "other-key", "other-email", "expired", "malformed", "garbage"],
)
def test_a_forged_or_foreign_device_cookie_is_untrusted(app, ctx, now, fast_checks, forge):
    li = make_user(email="li@example.com")
    genuine = _trusted_browser(app, li.email).get_cookie(devices.COOKIE).value
    attacker = app.test_client()
    for _ in range(5):
        _log_in(attacker, li.email, "wrong-password")
    attacker.set_cookie(devices.COOKIE, forge(app, genuine))
    assert _log_in(attacker, li.email).status_code == 429


def test_the_device_cookie_is_signed_httponly_lax_and_long_lived(app, ctx, now, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    li = make_user(email="li@example.com")
    response = _log_in(app.test_client(), li.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("salesflow_"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert f"Max-Age={365 * 24 * 3600}" in cookie


def test_a_shared_browser_remembers_several_people(app, ctx, now, fast_checks):
    people = [make_user(email=f"p{n}@example.com") for n in range(3)]
    browser = app.test_client()
    for person in people:
        assert _log_in(browser, person.email).status_code == 302
        browser.post("/logout")
    attacker = app.test_client()
    for person in people:
        for _ in range(5):
            _log_in(attacker, person.email, "wrong-password")
    for person in people:
        assert _log_in(browser, person.email).status_code == 302
        browser.post("/logout")


# --- the client's address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, address, scheme", [(0, "127.0.0.1", "http"), (1, "203.0.113.9", "https")]
)
def test_x_forwarded_for_is_read_only_behind_trusted_proxies(proxies, address, scheme):
    proxied = make_app("sqlite://", TRUSTED_PROXY_COUNT=proxies)

    @proxied.get("/_address")
    def client_address():
        return f"{request.remote_addr} {request.scheme}"

    response = proxied.test_client().get(
        "/_address",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.get_data(as_text=True) == f"{address} {scheme}"


def test_failures_count_against_the_peer_address_without_a_trusted_proxy(
    app, ctx, now, fast_checks
):
    client = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.9"}
    client.post("/login", data={"email": "x@example.com", "password": "nope-nope"}, headers=headers)
    assert _row(ThrottleScope.address, "127.0.0.1").failures == 1
    assert _row(ThrottleScope.address, "203.0.113.9") is None
