"""`flask --app wsgi backup create PATH` and `backup restore PATH` (see the package docstring)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from salesflow.backup import copy
from salesflow.extensions import db

backup_cli = AppGroup("backup", help="Back up the database, or restore a backup into an empty one.")


def _fail(error: copy.BackupError) -> None:
    click.echo(str(error), err=True)
    raise SystemExit(1)


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create(path: Path) -> None:
    """Write a consistent copy of the database to PATH, while the app keeps running. SQLite: a
    database file (SQLite's online backup); PostgreSQL: a pg_dump file in custom format."""
    url = db.engine.url
    try:
        if path.exists():
            raise copy.BackupError(f"{path} exists: a backup never overwrites a file.")
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise copy.BackupError("An in-memory SQLite database cannot be backed up.")
            revision = copy.sqlite_create(url.database, path)
        else:
            revision = copy.postgresql_create(url, path)
    except copy.BackupError as error:
        _fail(error)
    click.echo(
        f"Backed up the database to {path} ({path.stat().st_size:,} bytes, schema "
        f"revision {revision})."
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(path: Path) -> None:
    """Restore the backup at PATH into the configured database, which must be empty; the
    backup's schema revision must be one of this code's migrations."""
    url = db.engine.url
    try:
        copy.check_empty()
        db.engine.dispose()  # no pooled connection holds the file while it is written
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise copy.BackupError("Restore into a SQLite file: set DATABASE_URL to one.")
            revision = copy.sqlite_restore(path, url.database)
        else:
            revision = copy.postgresql_restore(url, path)
        restored = copy.database_revision()
        if restored != revision:
            raise copy.BackupError(
                f"The restored database is at schema revision {restored}, not the backup's "
                f"{revision}: check the database before using it."
            )
    except copy.BackupError as error:
        _fail(error)
    head = copy.head()
    if revision == head:
        click.echo(f"Restored {path}: schema revision {revision}, as this code expects.")
    else:
        click.echo(
            f"Restored {path} at schema revision {revision}; this code is at {head}. "
            "Run `flask --app wsgi db upgrade` before starting the app."
        )
