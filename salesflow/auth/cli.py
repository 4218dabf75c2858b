import click
import sqlalchemy as sa
from flask.cli import AppGroup

from salesflow import clock
from salesflow.auth import services
from salesflow.auth.models import Role
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("create")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="rep", show_default=True
)
@click.option(
    "--password", required=True, help="At least 10 characters, and not a common password."
)
@click.option("--team", "team_name", help="Team name; created if it does not exist.")
def create_user(name: str, email: str, role: str, password: str, team_name: str | None) -> None:
    """Create a user (the first admin, for instance)."""
    now = clock.now()
    try:
        team_id = None
        if team_name:
            team = db.session.scalar(sa.select(Team).where(Team.name == team_name))
            team = team or _create_team(team_name, now)
            team_id = team.id
        user = services.create_user(
            {"name": name, "email": email, "role": role, "password": password, "team_id": team_id},
            actor=None,
            now=now,
        )
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        for field, messages in error.fields.items():
            click.echo(f"{field}: {'; '.join(messages)}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _create_team(name: str, now):
    from salesflow.teams.services import create_team

    return create_team({"name": name}, actor=None, now=now)
