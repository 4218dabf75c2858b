"""Reads of our people for pages."""

from collections.abc import Collection

import sqlalchemy as sa

from salesflow.auth import services
from salesflow.auth.models import ApiToken, User
from salesflow.extensions import db


def may_hold(holders: Collection[int]) -> list[User]:
    """Whom a team or seat form offers, by name: the active users and `holders`, those in the
    places now (User.may_hold: a leaver keeps a place, and is shown in it, until it is given
    to someone else)."""
    return list(
        db.session.scalars(sa.select(User).where(User.may_hold(holders)).order_by(User.name))
    )


def session_user(user_id: int, generation: int) -> User | None:
    """The user a session cookie names, if it still may be used: active, and its session
    generation not raised since (logout, password change and deactivation raise it)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def newest_tokens(user: User, limit: int = 50) -> list[ApiToken]:
    """The user's API tokens, live and past, newest first."""
    query = services.own_tokens(user).order_by(ApiToken.id.desc()).limit(limit)
    return list(db.session.scalars(query))
