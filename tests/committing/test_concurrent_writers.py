"""Several processes writing to one database lose nothing (STACK.md: plain deferred transactions
on SQLite lost over half the writes to "database is locked"; BEGIN IMMEDIATE plus the busy
timeout loses none). Real commits, so a fresh database of its own."""

import multiprocessing

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.extensions import db
from salesflow.teams.models import Team
from salesflow.teams.services import create_team
from tests.conftest import make_app, migrated_app

WRITERS, WRITES = 4, 40


def _writer(url: str, worker: int) -> None:
    app = make_app(url)
    with app.app_context():
        for n in range(WRITES):
            # A read first, then a write: the pattern that deadlocks deferred SQLite transactions.
            db.session.scalar(sa.select(sa.func.count()).select_from(Team))
            create_team({"name": f"Team {worker}-{n}"}, actor=None, now=clock.now())
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.committing
def test_concurrent_writer_processes_lose_no_write(tmp_path):
    with migrated_app(str(tmp_path), "writers") as app:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        context = multiprocessing.get_context("spawn")
        workers = [context.Process(target=_writer, args=(url, w)) for w in range(WRITERS)]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=120)
        assert [p.exitcode for p in workers] == [0] * WRITERS
        with app.app_context():
            teams = db.session.scalar(sa.select(sa.func.count()).select_from(Team))
            assert teams == WRITERS * WRITES
            db.session.remove()
