from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method

from salesflow.db import TimestampMixin, str_enum
from salesflow.extensions import db


class Role(StrEnum):
    rep = "rep"
    director = "director"
    leadership = "leadership"
    admin = "admin"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    role: so.Mapped[Role] = so.mapped_column(str_enum(Role), default=Role.rep)
    team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("teams.id"), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # Our person's own profile, matched against customer attendees' by the visit briefing.
    hometown: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    education: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    # Raised on logout, password change and deactivation: every older session cookie stops working.
    session_generation: so.Mapped[int] = so.mapped_column(default=0)

    team: so.Mapped["Team | None"] = so.relationship(foreign_keys=[team_id])  # noqa: F821

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @hybrid_method
    def may_hold(self, holders: Collection[int]) -> bool:
        """May be put in a place (an account-team role, a seat of the iron triangle, a participant
        of a contact): active, or among `holders`, those holding it now — a leaver keeps their
        place until someone gives it to another, but is never given a new one."""
        return self.active or self.id in holders

    @may_hold.inplace.expression
    @classmethod
    def _may_hold_expression(cls, holders: Collection[int]) -> sa.ColumnElement[bool]:
        return sa.or_(cls.active, cls.id.in_(holders))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime]
    expires_at: so.Mapped[datetime]
    revoked_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship()


class ThrottleScope(StrEnum):
    account = "account"  # an e-mail, whether or not a user has it
    address = "address"  # the client's address (REMOTE_ADDR, behind TRUSTED_PROXY_COUNT proxies)
    device = "device"  # one entry of a browser's device cookie (its nonce)


class LoginThrottle(db.Model):
    """Failed logins counted per account, address or device cookie (auth/throttle.py).

    An attempt raises `failures` and commits before its password is checked (the row locked with
    SELECT ... FOR UPDATE), so simultaneous attempts cannot all slip under the limit; a success
    takes its reservation back. Reaching the limit locks the row until `locked_until`, for twice
    as long as the time before (`lockouts` in a row)."""

    __tablename__ = "login_throttles"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    scope: so.Mapped[ThrottleScope] = so.mapped_column(str_enum(ThrottleScope))
    key: so.Mapped[str] = so.mapped_column(sa.String(254))
    failures: so.Mapped[int] = so.mapped_column(default=0)  # in this window, checks under way too
    window_started_at: so.Mapped[datetime]
    locked_until: so.Mapped[datetime | None]
    lockouts: so.Mapped[int] = so.mapped_column(default=0)
    last_failed_at: so.Mapped[datetime | None]
