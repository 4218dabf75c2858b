"""The daily snapshot: every account's figures once per day (taking it again replaces them), and
the trend per team read from them."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.dependency import snapshots
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db


def _rows() -> list[AccountSnapshot]:
    order = (AccountSnapshot.day, AccountSnapshot.account_id)
    return list(db.session.scalars(sa.select(AccountSnapshot).order_by(*order)))


def test_a_snapshot_per_account_and_day_taken_twice_is_replaced(world, now):
    assert snapshots.take(now=now) == 3
    assert snapshots.take(now=now) == 3
    rows = _rows()
    assert len(rows) == 3 and {r.day for r in rows} == {now.date()}
    a = next(r for r in rows if r.account_id == world.account_a.id)
    assert (a.holder_id, a.top_share, a.risk, a.single_threaded_key_contacts) == (
        world.rep_a.id, 1.0, "high", 1)  # fmt: skip


def test_trend_per_team_over_days_in_the_callers_scope(world, now):
    snapshots.take(now=now - timedelta(days=200))  # the World's ties are not born yet
    snapshots.take(now=now)
    points = snapshots.trend(world.director_a, since=(now - timedelta(days=300)).date())
    assert {p.team_id for p in points} == {world.team_a.id}
    first, last = points[0], points[-1]
    assert first.effective_holders is None and first.high_risk == 2  # no relationships: high
    assert last.effective_holders == 1.0 and last.high_risk == 2


def test_the_command_takes_todays_snapshot(app, world, now):
    with clock.frozen(now):
        result = app.test_cli_runner().invoke(args=["snapshots", "take"])
    assert result.exit_code == 0, result.output
    assert "3 accounts snapshotted" in result.output
