"""`flask --app wsgi pipeline rebuild-moves`: rebuild the review's daily aggregate of moves (a
command of the pipeline blueprint, so under its name)."""

import click
from flask_babel import gettext as _

from salesflow.extensions import db


@click.command("rebuild-moves")
def rebuild_moves() -> None:
    """Recount every day's moves per team, playbook and stage up to yesterday (after an import,
    a restore from backup, or to have it before the scheduler's morning run)."""
    from salesflow import clock
    from salesflow.pipeline import aggregate

    rows = aggregate.rebuild(now=clock.now())
    db.session.commit()
    click.echo(_("%(rows)d rows of moves rebuilt.", rows=rows))
