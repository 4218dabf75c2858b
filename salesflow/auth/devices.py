"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

A browser that logged in as someone keeps a signed, long-lived cookie naming that e-mail and a
random nonce. A later attempt for the same e-mail carrying it is a trusted client: it is held to
the nonce's own failure count instead of the account's lockout (auth/throttle.py), so an attacker
guessing from elsewhere, or from the same office address, cannot lock that user out. The cookie
keeps a few entries, newest first, so a browser shared by several people works for each of them.
A forged or tampered cookie, or one older than DEVICE_COOKIE_DAYS, vouches for no one.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "salesflow_device"
ENTRIES = 5  # people remembered by one browser
_SALT = "salesflow.device-cookie"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _entries(cookie: str | None, now: datetime) -> list[dict[str, Any]]:
    """The unexpired entries {"e": e-mail, "n": nonce, "t": issued (epoch seconds)} of a genuine
    cookie; none for a missing, forged or malformed one. The issue time is checked against `now`
    (clock.py), not the wall clock."""
    if not cookie:
        return []
    try:
        entries = _serializer().loads(cookie)
    except BadSignature:
        return []
    oldest = (now - timedelta(days=current_app.config["DEVICE_COOKIE_DAYS"])).timestamp()
    if not isinstance(entries, list):
        return []
    return [
        entry
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("e"), str)
        and isinstance(entry.get("n"), str)
        and isinstance(entry.get("t"), int)
        and entry["t"] >= oldest
    ]


def nonce_for(cookie: str | None, email: str, now: datetime) -> str | None:
    """The nonce the cookie holds for this (normalized) e-mail, if it is a genuine cookie."""
    return next((entry["n"] for entry in _entries(cookie, now) if entry["e"] == email), None)


def remember(response: Response, cookie: str | None, email: str, now: datetime) -> None:
    """Set the cookie after `email` logged in on this browser: its entry first (renewed, keeping
    its nonce and so its one counter row; a new nonce the first time), then up to ENTRIES - 1 of
    the others it held."""
    entries = _entries(cookie, now)
    nonce = next((entry["n"] for entry in entries if entry["e"] == email), None)
    others = [entry for entry in entries if entry["e"] != email]
    entry = {"e": email, "n": nonce or secrets.token_urlsafe(16), "t": int(now.timestamp())}
    days = current_app.config["DEVICE_COOKIE_DAYS"]
    response.set_cookie(
        COOKIE,
        _serializer().dumps([entry, *others][:ENTRIES]),
        max_age=days * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
