"""`flask --app wsgi playbooks validate`: check every playbook file, print `file:line: message`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from salesflow.playbooks import load_playbooks, playbooks_folder
from salesflow.playbooks.loader import display_path
from salesflow.playbooks.reader import _

playbooks_cli = AppGroup("playbooks", help="Check and load the playbook files.")


@playbooks_cli.command("validate")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of playbook files (default: the repository's playbooks/).",
)
def validate(folder: Path | None) -> None:
    """Check every playbook; print each problem as file:line: message and exit 1 if any."""
    folder = folder or playbooks_folder(current_app)
    playbooks, problems = load_playbooks(folder)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    if not playbooks:
        click.echo(_("No playbook files in %(folder)s.", folder=display_path(folder)))
    for playbook in playbooks:
        click.echo(
            _(
                "%(key)s version %(version)s: %(stages)s stages (%(source)s)",
                key=playbook.key,
                version=playbook.version,
                stages=len(playbook.stages),
                source=playbook.source,
            )
        )


@playbooks_cli.command("sync")
def sync() -> None:
    """Store every playbook version of the folder in the database (new deals start on the
    newest); exit 1 naming each invalid file or changed version."""
    from salesflow import clock
    from salesflow.extensions import db
    from salesflow.playbooks.registry import PlaybookError, sync_playbooks

    try:
        rows = sync_playbooks(now=clock.now())
    except PlaybookError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from None
    db.session.commit()
    for row in rows:
        click.echo(_("%(key)s version %(version)s loaded", key=row.key, version=row.version))
