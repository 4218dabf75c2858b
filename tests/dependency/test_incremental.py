"""Today's snapshot kept up to date: every change of what the figures are made of — the tie counts
(a quick log, an edit, a delete, a restore, a merge), a contact (role, influence, leaving,
deletion, a new one), who has gone (a deactivation, a complete handover), the account's team —
recomputes its accounts' rows in the same transaction, so the report reads them and recomputes
nothing; whatever changed, the report equals a full recomputation, and across midnight
yesterday's rows stay as they were."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts import services as account_services
from salesflow.auth import services as auth_services
from salesflow.contacts import services as contact_services
from salesflow.dependency import metrics, queries, snapshots
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.handovers import checklist
from salesflow.handovers import services as handover_services
from salesflow.interactions import services
from salesflow.interactions.models import Interaction
from salesflow.merges import services as merges
from salesflow.merges.models import MergeKind
from tests import factories as f
from tests.handovers.conftest import plan, state


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


def _edit(world, at, **values):
    contact = world.contact_a
    data = {**values, "version": contact.version}
    contact_services.update_contact(contact, data, actor=world.director_a, now=at)


def _merge_accounts(world, at):
    data = {"other_ids": [world.shared.id], "fields": {}, "version": world.account_a.version}
    merges.merge_records(MergeKind.accounts, world.account_a, data, actor=world.admin, now=at)


def _complete_handover(world, at):
    """rep_a hands account_a over to rep_a2, every item proven: rep_a's ties there are gone."""
    handover = plan(world, now=at)
    handover_services.transfer_roles(handover, actor=world.director_a, now=at)
    contacts = checklist.of(handover).accounts[0].contacts
    f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        occurred_at=at,
        participants=[world.rep_a, world.rep_a2],
        contacts=contacts,
    )
    for contact in contacts:
        handover_services.confirm_contact(handover, contact.id, {}, actor=world.rep_a2, now=at)
    assert handover.completed_at == at, state(handover)


def _deactivate(world, at, user=None):
    user = user or world.rep_a
    auth_services.update_user(user, {"active": False}, actor=world.admin, now=at)


def _reactivate(world, at):
    _deactivate(world, at)
    auth_services.update_user(world.rep_a, {"active": True}, actor=world.admin, now=at)


# Each change that moves an account's figures, as a person makes it through its service.
CHANGES = {
    "decision role and influence": lambda w, at: _edit(
        w, at, decision_role="user", influence="low"
    ),
    "the contact leaves": lambda w, at: _edit(w, at, left_on=clock.today(at)),
    "the contact comes back": lambda w, at: (
        _edit(w, at, left_on=clock.today(at)),
        _edit(w, at, left_on=None),
    ),
    "the contact is deleted": lambda w, at: contact_services.delete_contact(
        w.contact_a, actor=w.director_a, now=at
    ),
    "the contact is restored": lambda w, at: (
        contact_services.delete_contact(w.contact_a, actor=w.director_a, now=at),
        contact_services.restore_contact(w.contact_a, actor=w.director_a, now=at),
    ),
    "a new key contact": lambda w, at: contact_services.create_contact(
        w.account_a,
        {"name": "Qian Bo", "decision_role": "decision_maker"},
        actor=w.rep_a,
        now=at,
    ),
    "contacts imported": lambda w, at: contact_services.create_contacts(
        [(w.account_a, {"name": "Kong Yu", "influence": "high"})], actor=w.rep_a, now=at
    ),
    "the holder is deactivated": _deactivate,
    "the holder is back": _reactivate,
    "the account changes team": lambda w, at: account_services.update_account(
        w.account_a, {"team_id": w.team_b.id, "version": w.account_a.version}, actor=w.admin, now=at
    ),
    "two accounts merged": _merge_accounts,
    "a handover completed": _complete_handover,
}

# back where they were; the team is not a figure (the row is filed under the new team)
SAME_FIGURES = {
    "the contact comes back",
    "the contact is restored",
    "the holder is back",
    "the account changes team",
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_the_figures_refreshes_todays_row_in_its_transaction(world, now, change):
    """Not recomputed when read: the row of the account the change touched is up to date in
    the snapshot itself, and the report from the snapshot equals a full recomputation."""
    second = f.make_contact(account=world.account_a, name="Ma Lin", influence="high")
    f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[second])
    at = _snapshot(now) + timedelta(hours=1)
    before = _stored(at)[world.account_a.id]
    with clock.frozen(at):
        CHANGES[change](world, at)
    stored, live = _stored(at), _live(at)
    assert world.account_a.id in stored
    assert stored == {a: m for a, m in live.items() if a in stored}
    if change not in SAME_FIGURES:
        assert stored[world.account_a.id] != before  # the change did move the figures
    assert _report(world, at) == live
    row = db.session.execute(
        sa.select(AccountSnapshot.team_id, AccountSnapshot.refreshed_at).where(
            AccountSnapshot.account_id == world.account_a.id,
            AccountSnapshot.day == clock.today(at),
        )
    ).one()
    assert tuple(row) == (world.account_a.team_id, at)


def test_changes_that_do_not_move_the_figures_leave_the_row_alone(world, now):
    at = _snapshot(now) + timedelta(hours=1)
    with clock.frozen(at):
        _edit(world, at, title="Chief Engineer")
        contact_services.create_contact(  # no ties yet and no key contact: nothing moves
            world.account_a, {"name": "Qian Bo", "influence": "low"}, actor=world.rep_a, now=at
        )
    row = db.session.scalar(
        sa.select(AccountSnapshot).where(AccountSnapshot.account_id == world.account_a.id)
    )
    assert row.refreshed_at is None
    assert world.account_a.id in _stored(at)


def test_an_import_follows_its_accounts_once_for_its_rows(world, now, app):
    """Many changes inside touches.together: one refresh at its end for every account named."""
    from salesflow.ties import touches

    at = _snapshot(now) + timedelta(hours=1)
    calls = []
    follow = app.extensions[touches.ON_CHANGE]
    app.extensions[touches.ON_CHANGE] = lambda ids, now: (
        calls.append(sorted(ids)) or follow(ids, now=now)
    )
    try:
        with clock.frozen(at), touches.together(now=at):
            for name in ("Kong Yu", "Fan Bing"):
                contact_services.create_contact(
                    world.account_a, {"name": name, "influence": "high"}, actor=world.rep_a, now=at
                )
            _edit(world, at, influence="low")
            contact_services.delete_contact(world.contact_shared, actor=world.director_a, now=at)
    finally:
        app.extensions[touches.ON_CHANGE] = follow
    assert calls == [sorted({world.account_a.id, world.shared.id})]
    assert _report(world, at) == _live(at)
    assert {world.account_a.id, world.shared.id} <= set(_stored(at))


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
