"""`flask --app wsgi ties rebuild`: recompute the tie touch counts from the interactions."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from salesflow.extensions import db
from salesflow.ties import touches

ties_cli = AppGroup("ties", help="The tie touch counts behind tie strengths and dependency.")


@ties_cli.command("rebuild")
def rebuild() -> None:
    """Recompute every count from the interactions (after an import or a restore from backup),
    and today's snapshot with them (the report reads it)."""
    from salesflow import clock
    from salesflow.dependency import snapshots

    rows = touches.rebuild()
    snapshots.take(now=clock.now())
    db.session.commit()
    click.echo(_("%(rows)d tie counts rebuilt.", rows=rows))


snapshots_cli = AppGroup("snapshots", help="Daily snapshots of every account's dependency.")


@snapshots_cli.command("take")
def take() -> None:
    """Snapshot every account's dependency figures for today (again today: replaced)."""
    from salesflow import clock
    from salesflow.dependency import snapshots

    count = snapshots.take(now=clock.now())
    db.session.commit()
    click.echo(_("%(n)d accounts snapshotted.", n=count))
