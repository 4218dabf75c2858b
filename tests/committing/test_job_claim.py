"""Two schedulers against one database, firing the same job at the same moment: the JobRun
claim lets exactly one run it; the other skips. Real commits, so a fresh database of its own
(SQLite or PostgreSQL, like the rest of the suite)."""

import threading

import pytest
import sqlalchemy as sa

from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.scheduler import runner
from salesflow.scheduler.models import JobRun
from tests import factories as f
from tests.conftest import FROZEN_NOW, migrated_app

SCHEDULERS = 2


@pytest.mark.committing
def test_two_schedulers_run_each_job_once(tmp_path):
    with migrated_app(str(tmp_path), "claim") as app:
        with app.app_context():
            team = f.make_team(name="North")
            f.make_account(team=team, name="Huadong Power")
            db.session.commit()
            db.session.remove()
        barrier = threading.Barrier(SCHEDULERS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def scheduler() -> None:
            with app.app_context():
                barrier.wait(timeout=30)
                for name in ("dependency_snapshot", "pipeline_snapshot"):
                    result = runner.run(name, now=FROZEN_NOW)
                    with lock:
                        outcomes.append(f"{name}: {'ran' if result else 'skipped'}")
                db.session.remove()

        threads = [threading.Thread(target=scheduler) for _ in range(SCHEDULERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == [
            "dependency_snapshot: ran",
            "dependency_snapshot: skipped",
            "pipeline_snapshot: ran",
            "pipeline_snapshot: skipped",
        ]
        with app.app_context():
            runs = db.session.execute(sa.select(JobRun.job, JobRun.status)).all()
            assert sorted(runs) == [("dependency_snapshot", "done"), ("pipeline_snapshot", "done")]
            count = sa.select(sa.func.count()).select_from(AccountSnapshot)
            assert db.session.scalar(count) == 1
            db.session.remove()
