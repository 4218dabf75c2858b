"""The jobs' effects with a frozen clock: who is told, of what, with which link, and nothing
twice."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f


def _told() -> list[tuple[int, str, str | None]]:
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.user_id))
    return [(n.user_id, n.kind, n.link) for n in rows]


def test_a_stage_breach_tells_the_ar_and_the_teams_director_once(app, world, now):
    late = f.make_opportunity(account=world.account_a, stage="shape", days_in_stage=46,
                              name="Grid upgrade", roles={world.rep_a: "AR"})  # fmt: skip
    # exactly at its limit (21 days): no breach yet; closed: never
    at_limit = f.make_opportunity(account=world.account_b, stage="validate", days_in_stage=21,
                                  roles={world.rep_b: "AR"})  # fmt: skip
    f.make_opportunity(account=world.account_b, stage="shape", days_in_stage=60, status="won",
                       roles={world.rep_b: "AR"})  # fmt: skip
    assert runner.run("stage_sla_breaches", now=now).detail == "2 notifications"
    link = f"/opportunities/{late.id}"
    assert _told() == sorted([(world.rep_a.id, "stage_sla_breach", link),
                              (world.director_a.id, "stage_sla_breach", link)])  # fmt: skip
    mine = sa.select(Notification).where(Notification.user_id == world.rep_a.id)
    notice = db.session.scalar(mine)
    assert render(notice.kind, notice.params) == (
        "Grid upgrade has been in the stage Shape the requirements before the bid for 46 days; "
        "its limit is 45."
    )
    # the next day the deal at its limit is over it; the late one is not told again
    tomorrow = now + timedelta(days=1)
    assert runner.run("stage_sla_breaches", now=tomorrow).detail == "2 notifications"
    assert {(user, link) for user, _kind, link in _told()} == {
        (world.rep_a.id, link), (world.director_a.id, link),
        (world.rep_b.id, f"/opportunities/{at_limit.id}"),
        (world.director_b.id, f"/opportunities/{at_limit.id}"),
    }  # fmt: skip
    assert runner.run("stage_sla_breaches", now=tomorrow, force=True).detail == "0 notifications"
    assert len(_told()) == 4


def test_a_deactivated_ar_is_not_told_and_a_deal_without_ar_tells_the_director(world, now):
    world.rep_a.active = False
    f.make_opportunity(account=world.account_a, stage="shape", days_in_stage=50,
                       roles={world.rep_a: "AR"})  # fmt: skip
    f.make_opportunity(account=world.account_b, stage="shape", days_in_stage=50)
    runner.run("stage_sla_breaches", now=now)
    assert {user for user, _kind, _link in _told()} == {world.director_a.id, world.director_b.id}


def test_the_breach_job_reads_a_fixed_number_of_queries(world, now):
    def statements_for(deals: int) -> int:
        for _ in range(deals):
            f.make_opportunity(account=world.account_a, stage="shape", days_in_stage=50,
                               roles={world.rep_a: "AR"})  # fmt: skip
        db.session.flush()
        counted = 0

        def count(*args):
            nonlocal counted
            counted += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            runner.run("stage_sla_breaches", now=now, force=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return counted

    assert statements_for(2) == statements_for(20)
