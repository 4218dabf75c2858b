"""The scheduler's runs: each job once per period (the JobRun claim), a manual run under a key
of its own, a failure recorded and logged without stopping the scheduler, the commands, and the
triggers in the company's time zone."""

import logging
from datetime import timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.scheduler import registry, runner
from salesflow.scheduler.cli import build_scheduler
from salesflow.scheduler.models import JobRun


def _runs() -> list[tuple[str, str, str]]:
    rows = db.session.scalars(sa.select(JobRun).order_by(JobRun.id))
    return [(r.job, r.run_key, r.status) for r in rows]


def test_a_daily_job_runs_once_per_company_day(world, now):
    first = runner.run("dependency_snapshot", now=now)
    assert first is not None and (first.status, first.detail) == ("done", "3 accounts")
    assert runner.run("dependency_snapshot", now=now + timedelta(hours=1)) is None
    # 09:30 UTC is 17:30 in Shanghai: seven hours later it is the next company day
    assert runner.run("dependency_snapshot", now=now + timedelta(hours=7)) is not None
    assert _runs() == [
        ("dependency_snapshot", "2026-11-20", "done"),
        ("dependency_snapshot", "2026-11-21", "done"),
    ]
    days = db.session.scalars(sa.select(AccountSnapshot.day).distinct())
    assert sorted(d.isoformat() for d in days) == ["2026-11-20", "2026-11-21"]


def test_a_weekly_job_is_keyed_by_iso_week(monkeypatch, world, now):
    job = registry.Job("weekly", "week", "A weekly job.", lambda at: "ok")
    monkeypatch.setitem(registry.JOBS, "weekly", job)
    assert runner.run_key(job, now) == "2026-W47"
    assert runner.run("weekly", now=now) is not None
    assert runner.run("weekly", now=now + timedelta(days=2)) is None  # Sunday: same week
    assert runner.run("weekly", now=now + timedelta(days=3)) is not None  # Monday


def test_a_manual_run_never_takes_the_scheduled_one(world, now):
    assert runner.run("pipeline_snapshot", now=now, force=True).status == "done"
    assert runner.run("pipeline_snapshot", now=now) is not None
    manual, scheduled = (key for _job, key, _status in _runs())
    assert manual.startswith("manual 2026-11-20T09:30:00 ") and scheduled == "2026-11-20"
    assert runner.run("pipeline_snapshot", now=now, force=True) is not None  # again: its own key


def test_a_failing_job_is_recorded_and_logged_and_leaves_nothing(monkeypatch, caplog, world, now):
    def boom(at):
        db.session.add(
            AccountSnapshot(
                day=at.date(),
                account_id=world.account_a.id,
                team_id=world.team_a.id,
                key_contacts=0,
                uncovered_key_contacts=0,
                single_threaded_key_contacts=0,
                bus_factor=0,
                risk="low",
            )
        )
        db.session.flush()
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(registry.JOBS, "boom", registry.Job("boom", "day", "Fails.", boom))
    with caplog.at_level(logging.ERROR, logger="salesflow.scheduler.runner"):
        result = runner.run("boom", now=now)
    assert result.status == "failed" and "the disk is full" in result.detail
    assert "job boom 2026-11-20 failed" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountSnapshot)) == 0
    assert runner.run("boom", now=now) is None  # claimed: not retried by another scheduler


def test_jobs_list_and_run_from_the_command_line(app, world, now):
    cli = app.test_cli_runner()
    with clock.frozen(now):
        done = cli.invoke(args=["jobs", "run", "dependency_snapshot"])
        listed = cli.invoke(args=["jobs", "list"])
        unknown = cli.invoke(args=["jobs", "run", "reticulate_splines"])
    assert done.exit_code == 0 and "dependency_snapshot: 3 accounts" in done.output
    assert "dependency_snapshot" in listed.output and "done (3 accounts)" in listed.output
    assert "pipeline_snapshot" in listed.output and "never run" in listed.output
    assert unknown.exit_code == 2 and "No job 'reticulate_splines'" in unknown.output


def test_the_scheduler_runs_every_job_daily_at_the_configured_local_time(app):
    scheduler = build_scheduler(app)
    scheduled = {job.id: job.trigger for job in scheduler.get_jobs()}
    assert set(scheduled) == set(registry.JOBS)
    trigger = scheduled["dependency_snapshot"]
    assert str(trigger.timezone) == "Asia/Shanghai"
    assert "hour='6', minute='30'" in str(trigger)
    assert "day_of_week='mon', hour='6', minute='30'" in str(scheduled["weekly_digest"])


def test_serve_runs_the_scheduler_in_the_same_process_as_the_server(app, monkeypatch):
    import werkzeug.serving
    from apscheduler.schedulers.background import BackgroundScheduler

    made, seen = [], {}

    def build(app_, kind):
        made.append(build_scheduler(app_, kind))
        return made[-1]

    def serving(host, port, application, **options):  # the server, stopping at once
        on = made[0]
        seen.update(
            host=host,
            port=port,
            app=application,
            running=on.running,
            kind=type(on),
            jobs={job.id for job in on.get_jobs()},
        )

    monkeypatch.setattr("salesflow.scheduler.cli.build_scheduler", build)
    monkeypatch.setattr(werkzeug.serving, "run_simple", serving)
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert "Scheduler started" in result.output
    assert (seen["host"], seen["port"], seen["app"]) == ("127.0.0.1", 5123, app)
    # while the server ran, every job was scheduled in a background thread of this process
    assert seen["running"] and seen["kind"] is BackgroundScheduler
    assert seen["jobs"] == set(registry.JOBS)
    assert not made[0].running  # stopped with the server
