"""Running a commit or an undo for an entry point: claimed once, then run in the request for a
small file, or in a background thread of its own for a big one (IMPORT_BACKGROUND_ROWS), which
commits a chunk at a time with its progress and a heartbeat so the page and `GET /imports/{id}`
can follow it. Whatever happens, the import ends committed (or undone) or failed with a reason:
never running forever (a heartbeat older than STALLED is shown as stopped)."""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _

from salesflow import clock
from salesflow.auth.models import User
from salesflow.errors import AppError, Conflict
from salesflow.extensions import db
from salesflow.imports import services
from salesflow.imports.models import Import, ImportStatus

STALLED = timedelta(minutes=10)
CHECKPOINT_SECONDS = 1.0


def stalled(imp: Import, now: datetime) -> bool:
    """A running import whose worker has not been heard of for a while was interrupted (a
    restart): it is shown as failed and may be undone."""
    beat = imp.heartbeat_at or imp.updated_at
    return imp.status == ImportStatus.running and beat is not None and now - beat > STALLED


def shown_status(imp: Import, now: datetime) -> str:
    return ImportStatus.failed.value if stalled(imp, now) else imp.status.value


def checkpoint(import_id: int) -> Callable[[float], None]:
    """Commit the work done so far with the progress and a heartbeat — at most once every
    CHECKPOINT_SECONDS, so a big file is not slowed by its commits — and always at the end."""
    last = [0.0]

    def save(progress: float) -> None:
        if progress < 1 and time.monotonic() - last[0] < CHECKPOINT_SECONDS:
            return
        last[0] = time.monotonic()
        db.session.execute(
            sa.update(Import)
            .where(Import.id == import_id)
            .values(progress=min(progress, 0.99), heartbeat_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    return save


def _work(job: str, import_id: int, actor_id: int, now: datetime) -> None:
    """Run the job and commit; on any failure keep what was committed and say why."""
    imp, actor = db.session.get(Import, import_id), db.session.get(User, actor_id)
    assert imp is not None and actor is not None
    try:
        if job == "commit":
            services.commit_import(imp, actor=actor, now=now, checkpoint=checkpoint(import_id))
        else:
            from salesflow.imports.undo import undo_import

            undo_import(imp, actor=actor, now=now, checkpoint=checkpoint(import_id))
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        imp = db.session.get(Import, import_id)
        assert imp is not None
        reason = error.message if isinstance(error, AppError) else _("Something went wrong.")
        if isinstance(error, AppError) and error.fields:
            reason = "; ".join(m for ms in error.fields.values() for m in ms)
        services.mark_failed(imp, reason, now=clock.now())
        db.session.commit()
        if not isinstance(error, AppError):
            current_app.logger.exception("import %s: %s failed", import_id, job)


def _in_thread(app: Flask, job: str, import_id: int, actor_id: int, now: datetime) -> None:
    with app.app_context():
        try:
            _work(job, import_id, actor_id, now)
        finally:
            db.session.remove()


def _background(imp: Import) -> bool:
    threshold = current_app.config.get("IMPORT_BACKGROUND_ROWS", 5000)
    return bool(threshold) and imp.total_rows > threshold


def _claim(imp: Import, wanted: set[ImportStatus], now: datetime) -> None:
    claimed = db.session.execute(
        sa.update(Import)
        .where(Import.id == imp.id, Import.status.in_(wanted))
        .values(status=ImportStatus.running, progress=0.0, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict()
    db.session.commit()


def _start(job: str, imp: Import, actor: User, now: datetime) -> Import:
    if _background(imp):
        app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
        thread = threading.Thread(
            target=_in_thread,
            args=(app, job, imp.id, actor.id, now),
            name=f"import-{imp.id}-{job}",
            daemon=True,
        )
        thread.start()
    else:
        _work(job, imp.id, actor.id, now)
    db.session.refresh(imp)
    return imp


def commit(imp: Import, *, actor: User, now: datetime) -> Import:
    """Commit what the dry run showed. Raises Forbidden, ValidationFailed, Conflict (already
    committed or running) before anything is written."""
    services.claim_commit(imp, actor=actor, now=now)
    db.session.commit()
    return _start("commit", imp, actor, now)


def undo(imp: Import, *, actor: User, now: datetime) -> Import:
    """Undo a committed import (or a stopped one). Raises Forbidden, ValidationFailed, Conflict."""
    if stalled(imp, now):  # an interrupted commit: take it over as failed, then undo it
        services.mark_failed(imp, _("The commit was interrupted."), now=now)
        db.session.commit()
    services.check_undo(imp, actor=actor, now=now)
    _claim(imp, {ImportStatus.committed, ImportStatus.failed}, now)
    return _start("undo", imp, actor, now)
