"""Teams (sales teams / regions): admins create and change them."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team
from salesflow.validation import is_id, text

TEAM_FIELDS = ("name", "director_id")


def _validate(data: dict, *, existing: Team | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        name = text(data["name"], "name", errors, column=Team.name, required=_l("Enter a name."))
        clash = name and db.session.scalar(sa.select(Team.id).where(Team.name == name))
        if clash and (existing is None or clash != existing.id):
            errors["name"] = [str(_l("A team with this name already exists."))]
    if data.get("director_id") is not None:
        director = db.session.get(User, data["director_id"]) if is_id(data["director_id"]) else None
        if director is None or not scope.can_direct_team(director):
            errors["director_id"] = [str(_l("Choose a user with the director role."))]
    return errors


def create_team(data: dict, *, actor: User | None, now: datetime) -> Team:
    """Create a team (admins; the CLI acts as no one). Raises Forbidden, ValidationFailed."""
    if actor is not None and not scope.can_manage_users(actor):
        raise Forbidden()
    if errors := _validate(data, existing=None):
        raise ValidationFailed(fields=errors)
    team = Team(name=data["name"].strip(), director_id=data.get("director_id"))
    db.session.add(team)
    db.session.flush()
    audit.record(
        team, "create", {f: (None, getattr(team, f)) for f in TEAM_FIELDS}, actor=actor, now=now
    )
    return team


def update_team(team: Team, data: dict, *, actor: User, now: datetime) -> Team:
    """Rename a team or change its director (admins). Raises Forbidden, ValidationFailed."""
    if not scope.can_manage_users(actor):
        raise Forbidden()
    if errors := _validate(data, existing=team):
        raise ValidationFailed(fields=errors)
    if "name" in data:
        data = {**data, "name": data["name"].strip()}
    audit.record(team, "update", audit.apply_changes(team, data, TEAM_FIELDS), actor=actor, now=now)
    return team
