"""The secret calendar address: made (or replaced) by its owner, turned off by its owner or with
the user's deactivation. The token is the only key to the feed, so only its hash is stored."""

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from salesflow import scope
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.calendar.models import CalendarFeed
from salesflow.errors import Forbidden
from salesflow.extensions import db

MAX_TOKEN_LENGTH = 100  # what a URL may carry as a token before it is even hashed


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    """The user's calendar address, if they have one (its token is never shown again)."""
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_feed(user: User, *, actor: User, now: datetime) -> str:
    """A new secret token for the user's calendar address, which replaces any earlier one (that
    address stops working). Only the user makes their own; raises Forbidden otherwise."""
    if actor.id != user.id or not user.active:
        raise Forbidden()
    raw = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token_hash=_hash(raw), created_at=now)
        db.session.add(feed)
        db.session.flush()
        audit.record(feed, "create", {"token": (None, "***")}, actor=actor, now=now)
    else:
        feed.token_hash, feed.created_at = _hash(raw), now
        audit.record(feed, "update", {"token": ("***", "***")}, actor=actor, now=now)
    return raw


def revoke_feed(user: User, *, actor: User | None, now: datetime) -> bool:
    """Turn the user's calendar address off (the user, or an admin; None is the system, e.g. a
    deactivation). Whether there was one. Raises Forbidden for anyone else."""
    if actor is not None and actor.id != user.id and not scope.can_manage_users(actor):
        raise Forbidden()
    feed = feed_of(user)
    if feed is None:
        return False
    audit.record(feed, "delete", {"token": ("***", None)}, actor=actor, now=now)
    db.session.delete(feed)
    db.session.flush()
    return True


def user_for_token(raw: str) -> User | None:
    """The active user whose calendar address has this token, else None."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _hash(raw), User.active.is_(True))
    )
