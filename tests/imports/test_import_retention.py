"""An upload left at its dry run keeps its file for a week after its last dry run; then the daily
job forgets the bytes (the import and its rows stay, and committing it asks for the file again).
Committed imports are not touched: their file is gone already."""

from datetime import timedelta

import pytest

from salesflow import clock
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports import services
from salesflow.imports.models import ImportFile
from tests.imports.import_helpers import commit, csv_bytes, dry_run, rows

HEADER = ["account", "name", "email"]


def _preview(world, now):
    data = csv_bytes(HEADER, ["Huadong Power", "New One", "new@hd.cn"])
    with clock.frozen(now):  # the import's updated_at is the clock's
        return dry_run(data, world.director_a, now, kind="contacts")


def test_a_file_left_at_its_dry_run_is_forgotten_after_a_week(world, now):
    kept, old = _preview(world, now), _preview(world, now - timedelta(days=8))
    assert services.forget_stale_files(now=now) == 1
    assert db.session.get(ImportFile, kept.id) is not None
    assert db.session.get(ImportFile, old.id) is None
    assert rows(old)  # the dry run's outcomes are still there to read
    with pytest.raises(ValidationFailed) as refused:
        commit(old, world.director_a, now)
    assert "upload it again" in refused.value.fields["file"][0]


def test_the_daily_job_leaves_committed_imports_and_recent_dry_runs_alone(world, now):
    earlier = now - timedelta(days=9)
    with clock.frozen(earlier):
        committed = commit(_preview(world, earlier), world.director_a, earlier)
    recent = _preview(world, now - timedelta(days=6))
    assert services.forget_stale_files(now=now) == 0
    assert committed.status == "committed"
    assert db.session.get(ImportFile, recent.id) is not None
