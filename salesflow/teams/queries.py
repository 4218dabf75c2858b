"""Reads for the admin pages: users and teams, a page at a time, without a query per row."""

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope
from salesflow.auth.models import User
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.teams.models import Team


def list_users(
    *, team_id: int | None = None, after: tuple[str, int] | None = None, limit: int = 50
) -> tuple[list[User], bool]:
    """Users by name (keyset pages of `limit`), their team loaded with them; (users, more)."""
    query = sa.select(User).options(so.joinedload(User.team))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    if after is not None:
        name, last_id = after
        query = query.where(sa.or_(User.name > name, sa.and_(User.name == name, User.id > last_id)))
    rows = db.session.scalars(query.order_by(User.name, User.id).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def get(model: type[Any], record_id: int) -> Any:
    """A user or team by id, or NotFound."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def all_teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def teams_with_sizes() -> list[tuple[Team, int]]:
    """Every team with its director and its number of active users (one query)."""
    sizes: Any = (
        sa.select(User.team_id, sa.func.count().label("size"))
        .where(User.active.is_(True))
        .group_by(User.team_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Team, sa.func.coalesce(sizes.c.size, 0))
        .outerjoin(sizes, sizes.c.team_id == Team.id)
        .options(so.joinedload(Team.director))
        .order_by(Team.name)
    ).all()
    return [(team, size) for team, size in rows]


def director_candidates() -> list[User]:
    """Active users who may direct a team (directors and admins), by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(scope.team_directors(), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )
