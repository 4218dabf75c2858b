"""`flask backup create` and `backup restore` with real files: a SQLite copy taken while another
connection keeps writing is consistent (no transaction half in it), a restore into a new file
holds exactly the same data, and every refusal (a non-empty database, an existing file, a
revision the code does not know, a file that is no backup) says why and writes nothing.
PostgreSQL's pg_dump path runs when the suite does (TEST_DATABASE_URL) and pg_dump is here."""

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from salesflow.backup import copy
from salesflow.extensions import db
from tests.conftest import World, drop_database, fresh_database_url, make_app

TABLES = (
    "users",
    "teams",
    "accounts",
    "account_members",
    "contacts",
    "interactions",
    "interaction_participants",
    "interaction_attendees",
    "audit_entries",
)


def _app(url: str, *, data: bool = False):
    app = make_app(url)
    with app.test_request_context():
        upgrade()
        if data:
            World()
            db.session.commit()
        db.session.remove()
    return app


def _run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    with app.app_context():
        db.engine.dispose()  # no pooled connection keeps a file open between steps
    return result


def _rows(conn, table: str) -> list[tuple]:
    return conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()


def _snapshot(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {table: _rows(conn, table) for table in TABLES}
    finally:
        engine.dispose()


@pytest.fixture
def source(tmp_path):
    app = _app(f"sqlite:///{tmp_path}/source.db", data=True)
    yield app
    with app.app_context():
        db.engine.dispose()


PAIR = "INSERT INTO teams (name, created_at, updated_at) VALUES (?, '2026-11-20', '2026-11-20')"


def _write_pairs(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Another process's connection: two teams per transaction, until told to stop."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    n = 0
    while not stop.is_set():
        conn.execute("BEGIN IMMEDIATE")
        for half in ("a", "b"):
            conn.execute(PAIR, (f"pair {n} {half}",))
        conn.execute("COMMIT")
        n += 1
        written.append(n)
    conn.close()


def test_a_backup_taken_while_another_connection_writes_is_consistent(source, tmp_path):
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_pairs, args=(tmp_path / "source.db", stop, written))
    writer.start()
    try:
        while len(written) < 50:
            time.sleep(0.001)
        result = _run(source, "create", str(tmp_path / "backup.db"))
        after = len(written)
        while len(written) < after + 20:  # and it kept writing afterwards
            time.sleep(0.001)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Backed up the database to" in result.output
    with source.app_context():
        assert f"schema revision {copy.head()}" in result.output
    backup = sqlite3.connect(tmp_path / "backup.db")
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    halves = [name for (name,) in backup.execute("SELECT name FROM teams WHERE name LIKE 'pair%'")]
    backup.close()
    pairs = {name.rsplit(" ", 1)[0] for name in halves}
    assert len(halves) == 2 * len(pairs)  # every transaction whole, or not at all
    assert 50 <= len(pairs) <= after < len(written)
    assert not list(tmp_path.glob("*.partial"))


def test_restore_into_a_new_file_gives_the_same_data(source, tmp_path):
    assert _run(source, "create", str(tmp_path / "backup.db")).exit_code == 0
    target_url = f"sqlite:///{tmp_path}/restored.db"
    target = make_app(target_url)
    result = _run(target, "restore", str(tmp_path / "backup.db"))
    assert result.exit_code == 0, result.output
    assert "as this code expects" in result.output
    restored = _snapshot(target_url)
    assert restored == _snapshot(f"sqlite:///{tmp_path}/backup.db")
    assert restored == _snapshot(f"sqlite:///{tmp_path}/source.db")
    assert len(restored["accounts"]) == 3 and len(restored["interactions"]) == 3
    with target.app_context():  # the app runs on it as it is
        assert copy.database_revision() == copy.head()
        db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    assert _run(source, "create", str(tmp_path / "backup.db")).exit_code == 0
    before = _snapshot(f"sqlite:///{tmp_path}/source.db")
    result = _run(source, "restore", str(tmp_path / "backup.db"))
    assert result.exit_code == 1 and "is not empty" in result.output
    assert _snapshot(f"sqlite:///{tmp_path}/source.db") == before


def test_a_backup_never_overwrites_a_file(source, tmp_path):
    (tmp_path / "taken.db").write_text("someone's file")
    result = _run(source, "create", str(tmp_path / "taken.db"))
    assert result.exit_code == 1 and "exists" in result.output
    assert (tmp_path / "taken.db").read_text() == "someone's file"


def test_restore_refuses_a_revision_this_code_does_not_know(source, tmp_path):
    assert _run(source, "create", str(tmp_path / "backup.db")).exit_code == 0
    with sqlite3.connect(tmp_path / "backup.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    target = make_app(f"sqlite:///{tmp_path}/restored.db")
    result = _run(target, "restore", str(tmp_path / "backup.db"))
    assert result.exit_code == 1 and "f00dfeedbeef" in result.output
    assert "does not know" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []  # nothing written
        db.engine.dispose()


def test_an_older_backup_is_restored_with_the_upgrade_to_run(tmp_path):
    old = make_app(f"sqlite:///{tmp_path}/old.db")
    with old.app_context():
        upgrade(revision="c8d83653d3b0")  # before the calendar feeds
        db.engine.dispose()
    assert _run(old, "create", str(tmp_path / "backup.db")).exit_code == 0
    target = make_app(f"sqlite:///{tmp_path}/restored.db")
    result = _run(target, "restore", str(tmp_path / "backup.db"))
    assert result.exit_code == 0, result.output
    assert "c8d83653d3b0" in result.output and "db upgrade" in result.output


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    target = make_app(f"sqlite:///{tmp_path}/restored.db")
    result = _run(target, "restore", str(tmp_path / "notes.txt"))
    assert result.exit_code == 1 and "is not a SQLite database" in result.output
    result = _run(target, "restore", str(tmp_path / "missing.db"))
    assert result.exit_code == 2  # click: the path does not exist


def test_without_pg_dump_the_command_to_run_is_printed_without_the_password(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    url = sa.make_url("postgresql+psycopg://sales:s3cret@db.internal:5432/salesflow")
    with pytest.raises(copy.BackupError) as refused:
        copy._run("pg_dump", ["--format=custom", "--file=/backups/x.dump"], url)
    message = str(refused.value)
    assert "pg_dump --format=custom --file=/backups/x.dump " in message
    assert "--dbname=postgresql://sales@db.internal:5432/salesflow" in message
    assert "s3cret" not in message and "PGPASSWORD" in message


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL") or not shutil.which("pg_dump"),
    reason="PostgreSQL's path needs TEST_DATABASE_URL and pg_dump",
)
def test_postgresql_backup_and_restore_with_pg_dump(tmp_path):
    source_url = fresh_database_url(str(tmp_path), "backup_source")
    target_url = fresh_database_url(str(tmp_path), "backup_target")
    try:
        source = _app(source_url, data=True)
        assert _run(source, "create", str(tmp_path / "pg.dump")).exit_code == 0
        target = make_app(target_url)
        result = _run(target, "restore", str(tmp_path / "pg.dump"))
        assert result.exit_code == 0, result.output
        assert _snapshot(target_url) == _snapshot(source_url)
        assert _run(target, "restore", str(tmp_path / "pg.dump")).exit_code == 1  # not empty
    finally:
        drop_database(source_url)
        drop_database(target_url)
