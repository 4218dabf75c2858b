"""Today's snapshot kept up to date: every change of the tie counts (a quick log, an edit, a
delete, a restore, a merge) recomputes its accounts' rows in the same transaction, so the report
reads them instead of recomputing; whatever changed, the report equals a full recomputation, and
across midnight yesterday's rows stay as they were."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.contacts import services as contact_services
from salesflow.dependency import metrics, queries, snapshots
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.interactions import services
from salesflow.interactions.models import Interaction
from salesflow.merges import services as merges
from salesflow.merges.models import MergeKind
from tests import factories as f


def _live(at: datetime) -> dict[int, metrics.AccountMetrics]:
    """Every account's figures recomputed from the tie counts."""
    inputs = queries.account_inputs(None, now=at)
    return {a: metrics.account_metrics(inp) for a, inp in inputs.items()}


def _report(world, at: datetime) -> dict[int, metrics.AccountMetrics]:
    return {
        r.account.id: r.metrics
        for r in queries.report(world.leader, queries.ReportFilters(), now=at)
    }


def _stored(at: datetime) -> dict[int, metrics.AccountMetrics]:
    """What today's snapshot answers for without recomputing."""
    return queries.from_snapshot(set(_live(at)), now=at)


def _log(world, at: datetime, *people) -> int:
    data = {
        "account_id": world.account_a.id,
        "kind": "visit",
        "occurred_at": at,
        "summary": "Visit",
        "contact_ids": [world.contact_a.id],
        "participant_ids": [p.id for p in people],
    }
    return services.log_interaction(data, actor=people[0], now=at).id


def _snapshot(now: datetime) -> datetime:
    taken = now + timedelta(minutes=10)  # past the World's own changes
    with clock.frozen(taken):
        snapshots.take(now=taken)
    return taken


def test_a_quick_log_refreshes_its_accounts_row_and_the_report_reads_it(world, now):
    at = _snapshot(now) + timedelta(hours=1)
    with clock.frozen(at):
        _log(world, at, world.rep_a2)
    stored = _stored(at)
    assert world.account_a.id in stored  # not left for the report to recompute
    assert stored[world.account_a.id].shares == {world.rep_a.id: 0.5, world.rep_a2.id: 0.5}
    assert stored == {a: m for a, m in _live(at).items() if a in stored}
    assert _report(world, at) == _live(at)
    row = db.session.scalar(
        sa.select(AccountSnapshot).where(AccountSnapshot.account_id == world.account_a.id)
    )
    assert row.refreshed_at is not None


def test_edits_deletes_restores_and_merges_keep_the_report_equal_to_a_recomputation(world, now):
    at = _snapshot(now) + timedelta(hours=1)
    with clock.frozen(at):
        interaction = db.session.get(Interaction, _log(world, at, world.rep_a))
        services.update_interaction(  # an edit: another person took part
            interaction,
            {"participant_ids": [world.rep_a.id, world.rep_a2.id], "version": interaction.version},
            actor=world.rep_a,
            now=at,
        )
        assert _report(world, at) == _live(at)
        services.delete_interaction(interaction, actor=world.director_a, now=at)
        assert _report(world, at) == _live(at)
        services.restore_interaction(interaction, actor=world.director_a, now=at)
        assert _report(world, at) == _live(at)
        twin = f.make_contact(account=world.account_a, name=world.contact_a.name)
        f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[twin])
        merges.merge_records(
            MergeKind.contacts,
            world.contact_a,
            {"other_ids": [twin.id], "fields": {}, "version": world.contact_a.version},
            actor=world.director_a,
            now=at,
        )
        assert _report(world, at) == _live(at)
    assert _stored(at) == {a: m for a, m in _live(at).items() if a in _stored(at)}


def test_contact_changes_are_recomputed_when_read(world, now):
    at = _snapshot(now) + timedelta(hours=1)
    with clock.frozen(at):
        contact_services.update_contact(
            world.contact_a,
            {"influence": "low", "decision_role": "user", "version": world.contact_a.version},
            actor=world.director_a,
            now=at,
        )
    assert world.account_a.id not in _stored(at)
    assert _report(world, at) == _live(at)


def test_across_midnight_yesterdays_rows_stay_and_today_is_live(world, now):
    taken = _snapshot(now)
    day = clock.today(taken)
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), clock.zone())
    before, after = midnight - timedelta(minutes=1), midnight + timedelta(minutes=1)
    with clock.frozen(before):
        _log(world, before, world.rep_a2)
    assert _report(world, before) == _live(before)
    kept = db.session.execute(sa.select(AccountSnapshot.bus_factor, AccountSnapshot.shares)).all()
    with clock.frozen(after):
        _log(world, after, world.director_a)
    # yesterday's snapshot is history: the log after midnight leaves it alone
    assert (
        db.session.execute(sa.select(AccountSnapshot.bus_factor, AccountSnapshot.shares)).all()
        == kept
    )
    assert _stored(after) == {}  # no snapshot of the new day yet: the report is live
    assert _report(world, after) == _live(after)
    with clock.frozen(after):
        snapshots.take(now=after)
    assert _report(world, after) == _live(after)


def test_a_refresh_is_a_few_queries_whatever_the_number_of_accounts(world, now, app):
    from tests.conftest import sql_statements

    at = _snapshot(now) + timedelta(hours=1)
    with sql_statements() as few:
        snapshots.refresh({world.account_a.id}, now=at)
    with sql_statements() as many:
        snapshots.refresh({world.account_a.id, world.account_b.id, world.shared.id}, now=at)
    assert len(many) == len(few) <= 8


def test_the_figures_computed_in_sql_equal_those_computed_tie_by_tie(world, now):
    """dependency.live sums each person's weight in the database: the same figures as the
    contact-by-contact definition, with people who left, contacts who left and deleted ones."""
    extra = f.make_contact(account=world.account_a, name="Chief", influence="high")
    gone = f.make_contact(account=world.account_a, name="Gone", decision_role="decision_maker")
    for rep, days in ((world.rep_a2, 3), (world.director_a, 40), (world.rep_b, 100)):
        f.make_interaction(
            account=world.account_a, owner=rep, contacts=[extra, gone], days_ago=days
        )
    f.make_interaction(account=world.shared, owner=world.rep_a2, contacts=[world.contact_shared])
    gone.left_on = now.date()
    world.rep_b.active = False
    db.session.flush()
    at = now + timedelta(hours=1)
    by_sql = {a: metrics.account_metrics(h) for a, h in queries.holdings(None, now=at).items()}
    by_tie = {
        a: metrics.account_metrics(inp) for a, inp in queries.account_inputs(None, now=at).items()
    }
    assert by_sql.keys() == by_tie.keys()
    for account_id, expected in by_tie.items():
        found = by_sql[account_id]
        assert found.shares == pytest.approx(expected.shares)
        assert found.effective_holders == pytest.approx(expected.effective_holders)
        assert (found.holder_id, found.key_contacts, found.uncovered_key_contacts) == (
            expected.holder_id,
            expected.key_contacts,
            expected.uncovered_key_contacts,
        )
        assert (found.single_threaded_key_contacts, found.bus_factor, found.risk) == (
            expected.single_threaded_key_contacts,
            expected.bus_factor,
            expected.risk,
        )
    assert world.rep_b.id not in by_sql[world.account_a.id].shares
    assert gone.id not in by_sql[world.account_a.id].key_contacts
