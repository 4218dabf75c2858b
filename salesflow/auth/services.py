"""Passwords, logins, sessions and API tokens. Login throttling is auth/throttle.py; the one
login rule that commits around the password check is auth/login.py."""

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from salesflow import scope
from salesflow.audit import services as audit
from salesflow.auth.models import ApiToken, Role, User
from salesflow.errors import AppError, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team
from salesflow.ties import touches
from salesflow.ties.queries import tied_accounts
from salesflow.validation import is_id, text

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Verifying against a dummy hash when the e-mail is unknown keeps response times alike.
_DUMMY_HASH = _hasher.hash("not-a-password")


class TooManyAttempts(AppError):
    """A login refused before its password was checked; Retry-After says when to try again."""

    status, code = 429, "too_many_attempts"

    def __init__(self, retry_after: timedelta):
        self.retry_after = max(1, math.ceil(retry_after.total_seconds()))
        minutes = math.ceil(self.retry_after / 60)
        message = ngettext(
            "Too many failed logins. Try again in %(num)d minute.",
            "Too many failed logins. Try again in %(num)d minutes.",
            minutes,
        )
        super().__init__(message, headers={"Retry-After": str(self.retry_after)})


class BadCredentials(AppError):
    status, code = 401, "bad_credentials"
    default_message = _l("Wrong e-mail or password.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed in `stored_hash` (argon2: ~100 ms on purpose)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most common passwords (loaded on first use: it is large).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str) -> list[str]:
    """Why `password` may not be set (empty when it may): at least MIN_PASSWORD_LENGTH
    characters, not only spaces, not a common password (case does not matter). Passwords set
    before this rule keep working; it applies whenever one is set."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)))
    if not password.strip():
        problems.append(str(_l("A password cannot be only spaces.")))
    elif password.strip().lower() in _common_passwords():
        problems.append(
            str(_l("This is one of the most common passwords. Choose one that is hard to guess."))
        )
    return problems


def login_hash(email: str) -> str:
    """The password hash a login for `email` is checked against: the user's, or a dummy one for
    an unknown e-mail, so that both cost the same time."""
    stored = db.session.scalar(sa.select(User.password_hash).where(User.email == email))
    return stored or _DUMMY_HASH


def finish_login(email: str, password: str, *, checked_hash: str, valid: bool) -> User:
    """The active user whose password was just checked against `checked_hash`, else
    BadCredentials (also when the password changed meanwhile). An old-parameter hash is renewed."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not valid or not user.active or user.password_hash != checked_hash:
        raise BadCredentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of the user (logout everywhere, deactivation)."""
    user.session_generation += 1


def create_token(user: User, *, now: datetime) -> str:
    """A new API token for the user; only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(raw),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return raw


def token_for_secret(raw: str, *, now: datetime) -> ApiToken | None:
    """The unexpired, unrevoked token with this secret, else None."""
    return db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_hash(raw),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )


def user_for_token(raw: str, *, now: datetime) -> User | None:
    """The active user holding this unexpired, unrevoked token, else None."""
    token = token_for_secret(raw, now=now)
    if token is None or not token.user.active:
        return None
    return token.user


def own_tokens(user: User) -> sa.Select[tuple[ApiToken]]:
    """The user's API tokens, live and past (callers order and page them)."""
    return sa.select(ApiToken).where(ApiToken.user_id == user.id)


def get_own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is NotFound (not even its existence shows)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    return token


def revoke_token(token: ApiToken, *, actor: User, now: datetime) -> ApiToken:
    """Revoke one of the actor's own tokens (again is a no-op). Raises NotFound for another's."""
    if token.user_id != actor.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(token, "update", {"revoked_at": (None, now)}, actor=actor, now=now)
    return token


def _revoke_all_tokens(user: User, *, now: datetime) -> int:
    """Revoke every live token of the user; how many there were."""
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


USER_FIELDS = ("name", "email", "role", "team_id", "active", "locale", "hometown", "education")
PROFILE_FIELDS = ("hometown", "education")  # our person's own profile (the visit briefing)


def _clean_profile(data: dict, errors: dict[str, list[str]]) -> dict:
    """The profile's texts stripped, empty as None; their problems noted in `errors`."""
    cleaned = dict(data)
    for field in PROFILE_FIELDS:
        if field in data:
            cleaned[field] = text(data[field], field, errors, column=getattr(User, field))
    return cleaned


def _validate_user(data: dict, *, existing: User | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        text(data["name"], "name", errors, column=User.name, required=_l("Enter a name."))
    if "email" in data:
        text(data["email"], "email", errors, column=User.email, required=_l("Enter an e-mail."))
        clash = db.session.scalar(sa.select(User.id).where(User.email == data["email"]))
        if clash is not None and (existing is None or clash != existing.id):
            errors.setdefault("email", []).append(
                str(_l("A user with this e-mail already exists."))
            )
    team_id = data.get("team_id")
    if team_id is not None and (not is_id(team_id) or db.session.get(Team, team_id) is None):
        errors.setdefault("team_id", []).append(str(_l("No such team.")))
    if "role" in data and data["role"] not in set(Role):
        errors.setdefault("role", []).append(str(_l("Choose a role.")))
    if "active" in data and not isinstance(data["active"], bool):
        errors.setdefault("active", []).append(str(_l("Say whether the user may log in.")))
    password = data.get("password")
    if password and (problems := password_problems(password)):
        errors.setdefault("password", []).extend(problems)
    if not password and (existing is None or password is not None):
        errors.setdefault("password", []).append(str(_l("Enter a password.")))
    return errors


def _self_lockout(data: dict) -> dict[str, list[str]]:
    """An admin cannot deactivate themselves or drop their own admin role (they would lock
    themselves, and perhaps everyone, out of the admin pages)."""
    errors: dict[str, list[str]] = {}
    if data.get("active") is False:
        errors["active"] = [str(_l("You cannot deactivate yourself."))]
    if data.get("role") is not None and not scope.is_admin_role(data["role"]):
        errors["role"] = [str(_l("You cannot take away your own admin role."))]
    return errors


def create_user(data: dict, *, actor: User | None, now: datetime) -> User:
    """Create a user (admins only; the CLI acts as no one). Raises Forbidden, ValidationFailed."""
    if actor is not None and not scope.can_manage_users(actor):
        raise Forbidden()
    data = {**data, "email": normalize_email(data.get("email") or "")}
    if errors := _validate_user(data, existing=None):
        raise ValidationFailed(fields=errors)
    user = User(
        name=data["name"].strip(),
        email=data["email"],
        role=Role(data.get("role") or Role.rep),
        team_id=data.get("team_id"),
        active=data.get("active", True),
        password_hash=hash_password(data["password"]),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        user, "create", {f: (None, getattr(user, f)) for f in USER_FIELDS}, actor=actor, now=now
    )
    return user


def update_user(user: User, data: dict, *, actor: User, now: datetime) -> User:
    """Change a user; admins change anyone, a user only their own name, language, password and
    profile (hometown, education)."""
    own_fields = {"name", "locale", "password", *PROFILE_FIELDS}
    if not scope.can_manage_users(actor) and (actor.id != user.id or set(data) - own_fields):
        raise Forbidden()
    if "email" in data:
        data = {**data, "email": normalize_email(data["email"] or "")}
    errors = _validate_user(data, existing=user)
    data = _clean_profile(data, errors)
    if actor.id == user.id:
        errors.update(_self_lockout(data))
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(user, data, USER_FIELDS)
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
        changes["password"] = ("***", "***")
    # A new password (a leak suspected, a reset) or a leaver: every session and API token ends.
    # The entry point keeps a user who changed their own password logged in on this browser.
    if data.get("password") or ("active" in changes and not user.active):
        end_sessions(user)
        if revoked := _revoke_all_tokens(user, now=now):
            changes["api_tokens_revoked"] = (0, revoked)
    if "active" in changes and not user.active:  # a leaver's calendar address stops working
        from salesflow.calendar.services import revoke_feed

        revoke_feed(user, actor=actor, now=now)
    if "active" in changes:  # a leaver's ties count no more (PRODUCT.md, Tie); back, again
        touches.changed(db.session.scalars(tied_accounts({user.id}, now=now).distinct()), now=now)
    audit.record(user, "update", changes, actor=actor, now=now)
    return user
