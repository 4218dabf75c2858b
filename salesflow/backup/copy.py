"""The copies themselves, per engine. Every refusal is a BackupError whose message says what to
do; nothing is written to the target when a check fails."""

import os
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app

from salesflow.extensions import db


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the person at the terminal."""


# Revisions ---------------------------------------------------------------------------------------


def _scripts() -> ScriptDirectory:
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def head() -> str:
    """The schema revision this code's migrations end at."""
    return _scripts().get_current_head() or ""


def check_known(revision: str | None, path: Path) -> None:
    """A backup this code can run (its revision is one of our migrations), else BackupError."""
    if not revision:
        raise BackupError(f"{path} holds no schema revision: it is not a salesflow backup.")
    try:
        known = _scripts().get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"{path} is at schema revision {revision}, which this version of salesflow does not "
            f"know (it ends at {head()}): restore it with the salesflow version that made it."
        )


def database_revision() -> str | None:
    """The configured database's schema revision (None before any migration)."""
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def check_empty() -> None:
    """Restores go into an empty database only: never over anyone's data."""
    with db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    if tables:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): a "
            "backup is restored into an empty database only. Create a new database (or point "
            "DATABASE_URL at a new SQLite file) and run the restore again."
        )


# SQLite ---------------------------------------------------------------------------------------


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def sqlite_create(source: str, target: Path) -> str:
    """Copy the SQLite database `source` to `target` with the online backup API in one step: a
    consistent snapshot, while other connections keep writing (WAL). Written next to the target
    and renamed, so a failure leaves no half file. The copy's revision."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        src.execute("PRAGMA busy_timeout=5000")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("The copy failed SQLite's integrity check: nothing was kept.")
            revision = _sqlite_revision(dst) or ""
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    partial.rename(target)
    return revision


def sqlite_restore(backup: Path, target: str) -> str:
    """Copy the SQLite backup into the (empty) database file `target`; its revision."""
    try:
        src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        src.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is not a SQLite database ({error}).") from None
    try:
        revision = _sqlite_revision(src)
        check_known(revision, backup)
        dst = sqlite3.connect(target)
        try:
            dst.execute("PRAGMA busy_timeout=5000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the app runs it
        finally:
            dst.close()
    finally:
        src.close()
    return revision or ""


# PostgreSQL ------------------------------------------------------------------------------------


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore without the password, and the environment carrying it (a
    password on a command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, arguments: list[str], url: sa.URL) -> str:
    dbname, env = _libpq(url)
    command = [tool, *arguments, f"--dbname={dbname}"]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed on this machine. Run this where it is (the password in "
            f"PGPASSWORD or ~/.pgpass):\n  {shlex.join(command)}"
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed:\n{done.stderr.strip()}")
    return done.stdout


def postgresql_create(url: sa.URL, target: Path) -> str:
    """pg_dump in its custom format (one consistent snapshot; restored with pg_restore)."""
    revision = database_revision() or ""
    partial = target.with_name(target.name + ".partial")
    try:
        _run(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            url,
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(target)
    return revision


def _dump_revision(backup: Path) -> str | None:
    """The revision inside a pg_dump file, read without restoring anything."""
    done = subprocess.run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(backup)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"{backup} is not a pg_dump file in custom format ({done.stderr.strip()})."
        )
    lines = done.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def postgresql_restore(url: sa.URL, backup: Path) -> str:
    """pg_restore into the (empty) database, all or nothing."""
    if shutil.which("pg_restore") is None:
        _run("pg_restore", [str(backup)], url)  # says how to run it elsewhere
    revision = _dump_revision(backup)
    check_known(revision, backup)
    _run(
        "pg_restore",
        ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(backup)],
        url,
    )
    return revision or ""
