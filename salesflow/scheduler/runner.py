"""Running a job once per period however many processes try: the first to insert the JobRun
row of (job, period) runs it, every other one finds the row and skips (STACK.md: a unique
job-run row in the database). The claim commits on its own, before the work starts."""

import logging
import os
import socket
from datetime import datetime
from uuid import uuid4

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from salesflow import clock
from salesflow.extensions import db
from salesflow.scheduler.models import JobRun
from salesflow.scheduler.registry import JOBS, Job

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"[:120]


def run_key(job: Job, now: datetime) -> str:
    """The period a run at `now` belongs to: the company-calendar day, or its ISO week."""
    if job.period == "interval":  # the slot of EMAIL_EVERY_MINUTES it falls in
        every = current_app.config["EMAIL_EVERY_MINUTES"]
        slot = now.replace(minute=now.minute - now.minute % every, second=0, microsecond=0)
        return slot.strftime("%Y-%m-%dT%H:%M")
    day = clock.today(now)
    if job.period == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def _claim(job: Job, key: str, now: datetime) -> JobRun | None:
    claim = JobRun(job=job.name, run_key=key, worker=WORKER, started_at=now, status="running")
    db.session.add(claim)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return claim


def run(name: str, *, now: datetime, force: bool = False) -> JobRun | None:
    """Run job `name` for the period of `now` unless another process has: the JobRun, or None
    when the period's run was already claimed. `force` (`flask jobs run`) runs it now under a
    key of its own. A failing job is logged and recorded as failed; it does not raise.
    Raises KeyError for an unknown job."""
    job = JOBS[name]
    key = f"manual {now:%Y-%m-%dT%H:%M:%S} {uuid4().hex[:8]}" if force else run_key(job, now)
    claim = _claim(job, key, now)
    if claim is None:
        log.info("job %s %s: already run or running elsewhere", name, key)
        return None
    try:
        summary = job.run(now)
        claim.status, claim.detail = "done", summary
        claim.finished_at = now
        db.session.commit()
        log.info("job %s %s: %s", name, key, summary)
    except Exception as error:  # the scheduler must go on with the other jobs
        db.session.rollback()
        log.exception("job %s %s failed", name, key)
        db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == claim.id)
            .values(status="failed", finished_at=now, detail=repr(error)[:2000])
        )
        db.session.commit()
    return db.session.get(JobRun, claim.id)


def last_runs() -> dict[str, JobRun]:
    """Each job's latest run (one query)."""
    latest = sa.select(sa.func.max(JobRun.id)).group_by(JobRun.job)
    return {r.job: r for r in db.session.scalars(sa.select(JobRun).where(JobRun.id.in_(latest)))}
