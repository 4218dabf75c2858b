"""A big import commits in a background thread a chunk at a time: its progress can be followed
while it runs, and it ends committed; an interrupted one is shown as stopped and can be undone.
Real commits, so a database of its own (SQLite or PostgreSQL, like the rest of the suite)."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports import runner
from salesflow.imports.models import Import, ImportStatus
from salesflow.imports.resolving import engine
from tests import factories as f
from tests.conftest import FROZEN_NOW, migrated_app
from tests.imports.import_helpers import csv_bytes, dry_run


@pytest.mark.committing
def test_a_big_commit_runs_in_the_background_with_its_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 40)
    monkeypatch.setattr(runner, "CHECKPOINT_SECONDS", 0)  # every chunk, to be seen
    with migrated_app(str(tmp_path), "imports", IMPORT_BACKGROUND_ROWS=100) as app:
        with app.test_request_context(method="POST"):
            team = f.make_team(name="North")
            director = f.make_user(role="director", team=team)
            f.make_account(team=team, name="华东电力")
            rows = [["华东电力", f"联系人{i}", f"p{i}@hd.cn"] for i in range(300)]
            imp = dry_run(
                csv_bytes(["客户名称", "姓名", "邮箱"], *rows),
                director,
                FROZEN_NOW,
                kind="contacts",
            )
            db.session.commit()
            runner.commit(imp, actor=director, now=FROZEN_NOW)
            import_id = imp.id
            db.session.remove()
        seen = set()
        with app.test_request_context():  # a GET, as the page polls: it takes no write lock
            for _poll in range(1500):
                current = db.session.get(Import, import_id)
                seen.add((current.status.value, current.progress))
                db.session.remove()
                if current.status != ImportStatus.running:
                    break
                time.sleep(0.02)
            current = db.session.get(Import, import_id)
            assert current.status == ImportStatus.committed, current.failure
            assert any(0 < progress < 1 for status, progress in seen if status == "running")
            assert current.progress == 1.0 and current.counts["create"] == 300
            count = sa.select(sa.func.count()).select_from(Contact)
            assert db.session.scalar(count) == 300
            db.session.remove()


def test_a_commit_nobody_has_heard_of_for_a_while_is_shown_as_stopped(world, now):
    imp = dry_run(
        csv_bytes(["account", "name"], ["Huadong Power", "甲"]),
        world.director_a,
        now,
        kind="contacts",
    )
    imp.status, imp.heartbeat_at = ImportStatus.running, now
    assert runner.shown_status(imp, now + timedelta(minutes=5)) == "running"
    assert runner.shown_status(imp, now + timedelta(minutes=11)) == "failed"
    runner.undo(imp, actor=world.director_a, now=now + timedelta(minutes=11))
    assert imp.status == ImportStatus.undone and imp.failure
