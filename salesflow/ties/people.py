"""Our people as the dependency and handover pages name them: two people of the same name told
apart by their team (or, within one team, their e-mail), and a person who has been deactivated
marked as having left. Two queries for any number of people."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.teams.models import Team


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    detail: str | None  # the team, or the e-mail, when someone else has the same name
    left: bool  # deactivated: their ties count as gone

    @property
    def label(self) -> str:
        """The name, with what tells it apart: "Li Ming (North)"."""
        return f"{self.name} ({self.detail})" if self.detail else self.name


def named(user_ids: Iterable[int]) -> dict[int, Person]:
    """Each of these people by id, told apart from everyone of the same name."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email, User.active, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.name.in_(sa.select(User.name).where(User.id.in_(ids))))
    ).all()
    teams_by_name: dict[str, list[str | None]] = {}
    for _id, name, _email, _active, team in rows:
        teams_by_name.setdefault(name, []).append(team)
    people = {}
    for user_id, name, email, active, team in rows:
        if user_id not in ids:
            continue
        namesakes = teams_by_name[name]
        detail = None
        if len(namesakes) > 1:
            detail = team if team is not None and namesakes.count(team) == 1 else email
        people[user_id] = Person(user_id, name, detail, not active)
    return people


def of(users: Iterable[User]) -> list[Person]:
    """The same for users already loaded, in their order."""
    users = list(users)
    found = named(u.id for u in users)
    return [found[u.id] for u in users]
