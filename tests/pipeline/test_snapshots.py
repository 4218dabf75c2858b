"""The daily pipeline snapshot: open deals only, their stage position, idempotent per day, old
days dropped."""

from datetime import date, timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.pipeline import snapshots
from salesflow.pipeline.models import PipelineSnapshot
from tests import factories as f


def _rows(day: date) -> dict[int, PipelineSnapshot]:
    found = db.session.scalars(sa.select(PipelineSnapshot).where(PipelineSnapshot.day == day))
    return {row.opportunity_id: row for row in found}


def test_open_deals_are_snapshot_with_their_stage_position(world, now):
    shaping = f.make_opportunity(account=world.account_a, stage="shape", amount=250_000)
    f.make_opportunity(account=world.account_a, status="won")
    f.make_opportunity(account=world.account_b, deleted=True)
    dollars = f.make_opportunity(
        account=world.account_b, playbook="transactional", currency="USD", amount=None
    )
    assert snapshots.take(now=now) == 2
    rows = _rows(snapshots.snapshot_day(now))
    assert set(rows) == {shaping.id, dollars.id}
    row = rows[shaping.id]
    assert (
        row.team_id,
        row.playbook_key,
        row.stage_key,
        row.stage_index,
        int(row.amount),
        row.currency,
        row.expected_close,
    ) == (world.team_a.id, "enterprise", "shape", 1, 250_000, "CNY", date(2027, 3, 31))
    assert (rows[dollars.id].stage_index, rows[dollars.id].amount) == (0, None)


def test_taking_it_twice_a_day_replaces_and_old_days_go(app, world, now):
    deal = f.make_opportunity(account=world.account_a)
    old = now - timedelta(days=app.config["PIPELINE_SNAPSHOT_DAYS"] + 1)
    kept = now - timedelta(days=app.config["PIPELINE_SNAPSHOT_DAYS"])
    snapshots.take(now=old)
    snapshots.take(now=kept)
    deal.expected_close = date(2027, 6, 30)
    snapshots.take(now=now)
    snapshots.take(now=now)
    days = db.session.scalars(sa.select(PipelineSnapshot.day).order_by(PipelineSnapshot.day))
    assert list(days) == [snapshots.snapshot_day(kept), snapshots.snapshot_day(now)]
    assert _rows(snapshots.snapshot_day(now))[deal.id].expected_close == date(2027, 6, 30)
