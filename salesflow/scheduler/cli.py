"""`flask --app wsgi scheduler` (the scheduler process), `flask --app wsgi serve` (the
development server with the scheduler in the same process, what `make run` starts),
`flask --app wsgi jobs list` and `flask --app wsgi jobs run NAME`."""

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from salesflow import clock
from salesflow.extensions import db
from salesflow.scheduler import runner
from salesflow.scheduler.registry import JOBS, Job

jobs_cli = AppGroup("jobs", help="The scheduler's jobs: list them, or run one now.")


def trigger(job: Job, config: dict, zone: str) -> CronTrigger:
    """When `job` runs: daily at SCHEDULER_DAILY_AT, weekly jobs on SCHEDULER_WEEKLY_ON, in the
    company's time zone (`zone`, clock.zone()'s name)."""
    if job.period == "interval":
        return CronTrigger(minute=f"*/{config['EMAIL_EVERY_MINUTES']}", timezone=zone)
    hour, minute = (int(part) for part in config["SCHEDULER_DAILY_AT"].split(":"))
    day_of_week = config["SCHEDULER_WEEKLY_ON"] if job.period == "week" else "*"
    return CronTrigger(day_of_week=day_of_week, hour=hour, minute=minute, timezone=zone)


def build_scheduler(app: Flask, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """Every job on its trigger, each run inside an app context and claimed in the database;
    `kind` BlockingScheduler for its own process, BackgroundScheduler beside a server."""
    with app.app_context():
        zone = clock.zone().key
    scheduler = kind(timezone=zone)

    def run(name: str) -> None:
        with app.app_context():
            try:
                runner.run(name, now=clock.now())
            finally:
                db.session.remove()

    for job in JOBS.values():
        scheduler.add_job(
            run,
            trigger(job, app.config, zone),
            args=[job.name],
            id=job.name,
            coalesce=True,
            misfire_grace_time=3600,
        )
    return scheduler


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler (its own process in production; several are safe: each run is
    claimed once in the database)."""
    scheduler = build_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(_("Scheduler started: %(jobs)s", jobs=", ".join(JOBS)))
    scheduler.start()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """The development server with the scheduler running in the same process (`make run`).
    Production runs gunicorn and `flask --app wsgi scheduler` as separate processes."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    click.echo(_("Scheduler started: %(jobs)s", jobs=", ".join(JOBS)))
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        scheduler.shutdown(wait=False)


@jobs_cli.command("list")
def list_jobs() -> None:
    """Each job, when it runs, and its last run."""
    last = runner.last_runs()
    for job in JOBS.values():
        when = trigger(job, current_app.config, clock.zone().key)
        run = last.get(job.name)
        seen = (
            f"{run.run_key}: {run.status}" + (f" ({run.detail})" if run.detail else "")
            if run
            else _("never run")
        )
        last_run = _("last: %(run)s", run=seen)
        click.echo(f"{job.name:<22} {job.period:<5} {when}  {last_run}\n    {job.help}")


@jobs_cli.command("run")
@click.argument("name")
def run_job(name: str) -> None:
    """Run job NAME now (under a key of its own, so it never blocks the scheduled run)."""
    if name not in JOBS:
        raise click.UsageError(
            _("No job %(name)s. Jobs: %(jobs)s", name=repr(name), jobs=", ".join(JOBS))
        )
    result = runner.run(name, now=clock.now(), force=True)
    if result is None or result.status != "done":
        detail = result.detail if result else ""
        raise click.ClickException(_("%(name)s failed: %(detail)s", name=name, detail=detail))
    click.echo(f"{name}: {result.detail}")
