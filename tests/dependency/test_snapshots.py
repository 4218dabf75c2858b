"""The daily snapshot: every account's figures once per day (taking it again replaces them), and
the trend per team read from them."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.contacts import services as contact_services
from salesflow.dependency import metrics, queries, snapshots
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from tests import factories as f


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
        world.rep_a.id,
        1.0,
        "high",
        1,
    )


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


def _report(user, at) -> dict[int, metrics.AccountMetrics]:
    return {r.account.id: r.metrics for r in queries.report(user, queries.ReportFilters(), now=at)}


def _live(account_id: int, at) -> metrics.AccountMetrics:
    return metrics.account_metrics(queries.account_inputs({account_id}, now=at)[account_id])


def _doctor() -> None:
    """Mark every stored figure, so a report that reads the snapshot shows it."""
    db.session.execute(sa.update(AccountSnapshot).values(bus_factor=7))


def test_the_report_answers_from_todays_snapshot_exactly_as_live(world, now):
    later = now + timedelta(minutes=10)  # past the World's own changes
    f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[world.contact_a])
    with clock.frozen(later):
        snapshots.take(now=later)
    from_snapshot = _report(world.leader, later + timedelta(hours=1))
    db.session.execute(sa.delete(AccountSnapshot))
    assert from_snapshot == _report(world.leader, later + timedelta(hours=1))  # the live path
    assert from_snapshot[world.account_a.id].shares == {world.rep_a.id: 0.5, world.rep_a2.id: 0.5}


def test_unchanged_accounts_come_from_the_snapshot_changed_ones_follow_their_change(world, now):
    later = now + timedelta(minutes=10)
    with clock.frozen(later):
        snapshots.take(now=later)
    _doctor()
    assert {m.bus_factor for m in _report(world.leader, later).values()} == {7}
    after = later + timedelta(hours=1)
    with clock.frozen(after):
        f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[world.contact_a])
        contact_services.update_contact(  # a contact edit changes importance
            world.contact_b,
            {"influence": "low", "version": world.contact_b.version},
            actor=world.director_b,
            now=after,
        )
        fresh = f.make_account(team=world.team_a, name="Opened after the snapshot")
        db.session.flush()
    report = _report(world.leader, after)
    for account in (world.account_a, world.account_b, fresh):
        assert report[account.id] == _live(account.id, after)
    assert report[world.shared.id].bus_factor == 7  # untouched: still the snapshot's
    # a deleted account leaves the report whatever the snapshot says
    world.shared.deleted_at = after
    db.session.flush()
    assert world.shared.id not in _report(world.leader, after)


def test_a_snapshot_taken_after_the_moment_asked_for_is_not_used(world, now):
    later = now + timedelta(hours=2)
    with clock.frozen(later):
        snapshots.take(now=later)
    _doctor()
    assert 7 not in {m.bus_factor for m in _report(world.leader, now + timedelta(hours=1)).values()}
    # nor is yesterday's
    tomorrow = later + timedelta(days=1)
    assert 7 not in {m.bus_factor for m in _report(world.leader, tomorrow).values()}


def test_rebuilding_the_counts_takes_todays_snapshot_again(app, world, now):
    later = now + timedelta(minutes=10)
    with clock.frozen(later):
        snapshots.take(now=later)
        _doctor()
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["ties", "rebuild"])
    assert result.exit_code == 0, result.output
    assert 7 not in {m.bus_factor for m in _report(world.leader, later).values()}
