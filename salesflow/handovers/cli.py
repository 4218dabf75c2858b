"""`flask --app wsgi handovers check`: tell creators about handovers completed since."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from salesflow import clock
from salesflow.extensions import db
from salesflow.handovers import services

handovers_cli = AppGroup("handovers", help="Handovers and their checklists.")


@handovers_cli.command("check")
def check() -> None:
    """Mark handovers whose checklist the data now proves complete, and tell their creators."""
    count = services.note_completions(now=clock.now())
    db.session.commit()
    click.echo(_("%(n)d handovers completed since the last check.", n=count))
