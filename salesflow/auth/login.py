"""The one login rule of the HTML login, POST /api/v1/tokens and the password change (which asks
for the current password): throttle, check the password, record the outcome.

It is an entry-point helper, like forms.save_form, and so commits: the reservation first, so that
simultaneous attempts see each other's counts before any (slow) password hash is computed and a
process that dies while hashing still counted its attempt; then the outcome. No transaction is
open while the password is hashed (on SQLite that would hold the write lock for it).
"""

import logging
from datetime import datetime

from salesflow.auth import devices, services, throttle
from salesflow.auth.models import User
from salesflow.extensions import db

log = logging.getLogger("salesflow.auth")


def check_credentials(
    email: str, password: str, *, address: str, device_cookie: str | None, now: datetime
) -> User:
    """The active user with these credentials. Raises TooManyAttempts (before any password is
    hashed) or BadCredentials; commits the attempt's count and its outcome either way."""
    email = services.normalize_email(email)
    device = devices.nonce_for(device_cookie, email, now)
    try:
        reservation = throttle.reserve(email, address=address, device=device, now=now)
    except services.TooManyAttempts as refused:
        db.session.commit()  # nothing counted; the counters' expired windows are renewed
        log.warning("Login refused for %r from %s for %ds", email, address, refused.retry_after)
        raise
    checked_hash = services.login_hash(email)
    db.session.commit()  # the reservation stands before the password is checked
    valid = services.password_matches(checked_hash, password)
    try:
        user = services.finish_login(email, password, checked_hash=checked_hash, valid=valid)
    except services.BadCredentials:
        throttle.settle(reservation, succeeded=False, now=now)
        db.session.commit()
        trust = "trusted device" if reservation.trusted else "untrusted client"
        log.info("Failed login for %r from %s (%s)", email, address, trust)
        raise
    throttle.settle(reservation, succeeded=True, now=now)
    db.session.commit()
    return user
