"""Passwords, login throttling, sessions and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from salesflow.audit import services as audit
from salesflow.auth.models import ApiToken, LoginAttempt, Role, User
from salesflow.errors import AppError, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
# Verifying against a dummy hash when the e-mail is unknown keeps response times alike.
_DUMMY_HASH = _hasher.hash("not-a-password")


class TooManyAttempts(AppError):
    status, code = 429, "too_many_attempts"
    default_message = _l("Too many failed logins. Wait a few minutes and try again.")


class BadCredentials(AppError):
    status, code = 401, "bad_credentials"
    default_message = _l("Wrong e-mail or password.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_ok(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str, *, ip: str, now: datetime) -> User:
    """The active user with these credentials; throttled per e-mail and address before hashing.

    Raises TooManyAttempts or BadCredentials; a failure is recorded (the caller commits).
    """
    email = normalize_email(email)
    window_start = now - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    failures = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(
            sa.or_(LoginAttempt.email == email, LoginAttempt.ip == ip),
            LoginAttempt.at >= window_start,
        )
    )
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        raise TooManyAttempts()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    valid = _password_ok(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        db.session.add(LoginAttempt(email=email, ip=ip, at=now))
        raise BadCredentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email))
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


def user_for_token(raw: str, *, now: datetime) -> User | None:
    """The active user holding this unexpired, unrevoked token, else None."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_hash(raw),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if token is None or not token.user.active:
        return None
    return token.user


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


USER_FIELDS = ("name", "email", "role", "team_id", "active", "locale")


def _validate_user(data: dict, *, existing: User | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in data and not (data["name"] or "").strip():
        errors.setdefault("name", []).append(str(_l("Enter a name.")))
    if "email" in data:
        clash = db.session.scalar(sa.select(User.id).where(User.email == data["email"]))
        if clash is not None and (existing is None or clash != existing.id):
            errors.setdefault("email", []).append(
                str(_l("A user with this e-mail already exists."))
            )
    if data.get("team_id") is not None and db.session.get(Team, data["team_id"]) is None:
        errors.setdefault("team_id", []).append(str(_l("No such team.")))
    password = data.get("password")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors.setdefault("password", []).append(
            str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
        )
    if existing is None and not password:
        errors.setdefault("password", []).append(str(_l("Enter a password.")))
    return errors


def _self_lockout(data: dict) -> dict[str, list[str]]:
    """An admin cannot deactivate themselves or drop their own admin role (they would lock
    themselves, and perhaps everyone, out of the admin pages)."""
    errors: dict[str, list[str]] = {}
    if data.get("active") is False:
        errors["active"] = [str(_l("You cannot deactivate yourself."))]
    if data.get("role") not in (None, Role.admin):
        errors["role"] = [str(_l("You cannot take away your own admin role."))]
    return errors


def create_user(data: dict, *, actor: User | None, now: datetime) -> User:
    """Create a user (admins only; the CLI acts as no one). Raises Forbidden, ValidationFailed."""
    if actor is not None and actor.role != Role.admin:
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
    """Change a user; admins change anyone, a user only their own name, language and password."""
    own_fields = {"name", "locale", "password"}
    if actor.role != Role.admin and (actor.id != user.id or set(data) - own_fields):
        raise Forbidden()
    if "email" in data:
        data = {**data, "email": normalize_email(data["email"] or "")}
    errors = _validate_user(data, existing=user)
    if actor.id == user.id:
        errors.update(_self_lockout(data))
    if errors:
        raise ValidationFailed(fields=errors)
    changes = audit.apply_changes(user, data, USER_FIELDS)
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
        changes["password"] = ("***", "***")
        end_sessions(user)
    if "active" in changes and not user.active:
        end_sessions(user)
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    audit.record(user, "update", changes, actor=actor, now=now)
    return user
