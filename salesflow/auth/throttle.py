"""Login throttling as OWASP recommends ("Slow Down Online Guessing Attacks with Device Cookies").

Three counters, each a `login_throttles` row:

- the account (an e-mail, known or not): LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_MINUTES
  lock it for clients without its device cookie, LOGIN_LOCKOUT_MINUTES at first and twice as long
  at each further lockout, up to LOGIN_LOCKOUT_MAX_MINUTES;
- the address, with the much higher bar LOGIN_MAX_FAILURES_PER_ADDRESS (everyone behind one
  proxy or office NAT shares it), locked the same way;
- a device cookie (auth/devices.py): a browser that logged in as this e-mail before is held only
  to its own count, so an attacker's failures cannot lock its user out. A locked device cookie
  vouches for nothing: the two rules above apply.

An attempt reserves (raises the counters of the rules it falls under) before its password is
hashed, and the entry point commits the reservation first: the row is locked with
SELECT ... FOR UPDATE, so simultaneous attempts queue on it and at most the limit get through to
the password check. The outcome is settled afterwards: a failure keeps its count and locks the row
at the limit; a success gives the address its reservation back (an attacker logging into an
account of their own must not clear the address's count) and clears the account's or device's.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from salesflow.auth.models import LoginThrottle, ThrottleScope
from salesflow.auth.services import TooManyAttempts
from salesflow.extensions import db

KEY_LENGTH = 254


@dataclass(frozen=True)
class Reservation:
    """The counters one attempt raised before its password was checked."""

    counted: tuple[tuple[ThrottleScope, str], ...]

    @property
    def trusted(self) -> bool:
        """Whether a device cookie vouched for the client."""
        return any(scope == ThrottleScope.device for scope, _key in self.counted)


def reserve(email: str, *, address: str, device: str | None, now: datetime) -> Reservation:
    """Count this attempt before its password is checked: against the device cookie's own
    counter when `device` (its nonce for this e-mail) is given and not locked, else against the
    account's and the address's. Raises TooManyAttempts, counting nothing, when a rule refuses."""
    if device is not None:
        row = _row(ThrottleScope.device, device, now)
        if _wait(row, now) is None:
            row.failures += 1
            return Reservation(((ThrottleScope.device, row.key),))
    # Always in this order (account, then address), so two attempts never wait for each other.
    rows = [_row(ThrottleScope.account, email, now), _row(ThrottleScope.address, address, now)]
    waits = [wait for row in rows if (wait := _wait(row, now)) is not None]
    if waits:
        raise TooManyAttempts(max(waits))
    for row in rows:
        row.failures += 1
    return Reservation(tuple((row.scope, row.key) for row in rows))


def settle(reservation: Reservation, *, succeeded: bool, now: datetime) -> None:
    """Record how the reserved attempt ended: a failure locks a counter that reached its limit;
    a success clears the account's or device's counter and gives the address its one back."""
    for scope, key in reservation.counted:
        row = _row(scope, key, now, refresh=False)
        if not succeeded:
            _fail(row, now)
        elif scope == ThrottleScope.address:
            row.failures = max(row.failures - 1, 0)
        else:
            row.failures, row.lockouts, row.locked_until = 0, 0, None


def _row(scope: ThrottleScope, key: str, now: datetime, *, refresh: bool = True) -> LoginThrottle:
    """The counter of (scope, key), created when missing and locked for this transaction."""
    key = key[:KEY_LENGTH]
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    db.session.execute(
        insert(LoginThrottle)
        .values(scope=scope, key=key, failures=0, lockouts=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    row = db.session.scalars(
        sa.select(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if refresh:
        _forget_the_past(row, now)
    return row


def _forget_the_past(row: LoginThrottle, now: datetime) -> None:
    """A window that has ended starts again from no failures; a quiet day (no failure for
    LOGIN_LOCKOUT_RESET_HOURS) starts the growing delay again from its first step."""
    config = current_app.config
    if now - row.window_started_at >= timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]):
        row.failures, row.window_started_at = 0, now
    quiet = timedelta(hours=config["LOGIN_LOCKOUT_RESET_HOURS"])
    if row.lockouts and (row.last_failed_at is None or now - row.last_failed_at >= quiet):
        row.lockouts = 0


def _limit(row: LoginThrottle) -> int:
    if row.scope == ThrottleScope.address:
        return current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    return current_app.config["LOGIN_MAX_FAILURES"]


def _delay(lockouts: int) -> timedelta:
    """How long the next lockout lasts: the first delay, doubled for each lockout before it."""
    config = current_app.config
    minutes = config["LOGIN_LOCKOUT_MINUTES"] * 2 ** min(lockouts, 16)
    return timedelta(minutes=min(minutes, config["LOGIN_LOCKOUT_MAX_MINUTES"]))


def _wait(row: LoginThrottle, now: datetime) -> timedelta | None:
    """How long until this counter admits another attempt; None when it admits one now."""
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until - now
    if row.failures >= _limit(row):  # the last attempts' passwords are still being checked
        return _delay(row.lockouts)
    return None


def _fail(row: LoginThrottle, now: datetime) -> None:
    row.last_failed_at = now
    locked = row.locked_until is not None and row.locked_until > now
    if row.failures >= _limit(row) and not locked:
        row.locked_until = now + _delay(row.lockouts)
        row.lockouts += 1
        row.failures, row.window_started_at = 0, now


def prune(*, now: datetime) -> int:
    """Forget the counters that hold nothing any more: unlocked, their window over and no failure
    for LOGIN_LOCKOUT_RESET_HOURS (a fresh row would behave the same). Every e-mail or address
    ever tried leaves a row; the scheduler's daily prune_login_throttles keeps the table small.
    Returns how many were deleted."""
    config = current_app.config
    quiet = now - max(
        timedelta(hours=config["LOGIN_LOCKOUT_RESET_HOURS"]),
        timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
    )
    result = db.session.execute(
        sa.delete(LoginThrottle).where(
            LoginThrottle.window_started_at < quiet,
            sa.or_(LoginThrottle.last_failed_at.is_(None), LoginThrottle.last_failed_at < quiet),
            sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    return result.rowcount
