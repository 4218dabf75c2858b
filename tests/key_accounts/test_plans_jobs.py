"""The weekly job telling an account's ARs and its director of its plan's objectives falling
behind (key_accounts.jobs), on the hand-built "Planned" account of test_plans: three of its
four objectives are behind on 2026-11-20."""

import sqlalchemy as sa
from flask import Flask

from salesflow.extensions import db
from salesflow.key_accounts import jobs
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from tests import factories as f
from tests.conftest import api_as, sql_statements
from tests.key_accounts.test_plans import Planned


def _notes() -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.kind == "plan_objectives_behind")
            .order_by(Notification.user_id)
        )
    )


def _plan(app: Flask, world, body: dict, account_id: int, year: int = 2026) -> None:
    response = api_as(app, world.admin).put(f"/accounts/{account_id}/plan?year={year}", json=body)
    assert response.status_code == 200


def test_ars_and_the_director_hear_of_objectives_falling_behind_once_a_week(app, world, now):
    planned = Planned(world)
    _plan(app, world, planned.body(), planned.account.id)
    with app.test_request_context():
        jobs.plan_objectives_behind(now)
        notes = _notes()
        assert [n.user_id for n in notes] == sorted([world.rep_a.id, world.director_a.id])
        assert render(notes[0].kind, notes[0].params) == (
            "Account plan of Planned: 3 objectives are falling behind (first: CIO at supporter "
            "by June)."
        )
        assert notes[0].link == f"/accounts/{planned.account.id}/plan?year=2026"
        jobs.plan_objectives_behind(now)  # the same week: nothing new
        assert len(_notes()) == 2


def test_plans_on_track_of_other_years_or_deleted_accounts_say_nothing(app, world, now):
    planned = Planned(world)
    on_track = planned.body()
    on_track["objectives"] = on_track["objectives"][3:]  # the CFO stays a supporter: met
    _plan(app, world, on_track, planned.account.id)
    _plan(app, world, planned.body(), planned.account.id, year=2025)
    gone = f.make_account(team=world.team_a, name="Gone", members={world.rep_a: "AR"})
    _plan(app, world, {"objectives": planned.body()["objectives"][2:3]}, gone.id)
    gone.deleted_at = now
    with app.test_request_context():
        jobs.plan_objectives_behind(now)
    assert _notes() == []


def test_the_job_reads_a_fixed_number_of_queries_however_many_plans(app, world, now):
    planned = Planned(world)
    _plan(app, world, planned.body(), planned.account.id)
    with app.test_request_context(), sql_statements() as one:
        jobs.plan_objectives_behind(now)
    for name in ("More 1", "More 2", "More 3"):
        more = f.make_account(team=world.team_b, name=name, members={world.rep_b: "AR"})
        _plan(app, world, {"objectives": planned.body()["objectives"][2:3]}, more.id)
    db.session.query(Notification).delete()
    with app.test_request_context(), sql_statements() as many:
        jobs.plan_objectives_behind(now)
    assert len(_notes()) == 2 + 3 * 2  # each: its AR and its director

    def reads(seen: list[str]) -> list[str]:
        return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE"))]

    assert len(reads(many)) == len(reads(one)) <= 16
