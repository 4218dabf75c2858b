"""Merging accounts and contacts moves every related record; undoing it puts each back."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Account, AccountMember
from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Contact
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.handovers.models import HandoverAccount
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.merges import services
from salesflow.merges.models import MergeKind
from salesflow.merges.queries import absorbed_ids, survivor_of
from salesflow.opportunities.models import Opportunity
from tests import factories as f
from tests.merges.conftest import dump, equals_rebuild, touch_rows

ACCOUNTS, CONTACTS = MergeKind.accounts, MergeKind.contacts


def merge_accounts(t, *, actor=None, fields=None, now=None, others=None):
    return services.merge_records(
        ACCOUNTS,
        t.survivor,
        {
            "other_ids": others or [t.duplicate.id],
            "fields": fields or {},
            "version": t.survivor.version,
        },
        actor=actor or t.director,
        now=now or f.clock.now(),
    )


def merge_contacts(t, *, actor=None, fields=None, now=None):
    return services.merge_records(
        CONTACTS,
        t.zhang,
        {"other_ids": [t.zhang2.id], "fields": fields or {}, "version": t.zhang.version},
        actor=actor or t.director,
        now=now or f.clock.now(),
    )


def attendees(interaction) -> set[int]:
    c = interaction_attendees.c
    return set(
        db.session.scalars(sa.select(c.contact_id).where(c.interaction_id == interaction.id))
    )


def test_an_account_merge_moves_everything_related_to_the_survivor(twins):
    t = twins
    merge = merge_accounts(t)
    assert {c.account_id for c in (t.boss2, t.zhang2)} == {t.survivor.id}
    for interaction in (t.meeting2, t.gone):
        assert db.session.get(Interaction, interaction.id).account_id == t.survivor.id
    assert db.session.get(Opportunity, t.deal.id).account_id == t.survivor.id
    assert db.session.get(Account, t.child.id).parent_id == t.survivor.id
    seats = set(
        db.session.execute(
            sa.select(AccountMember.user_id, AccountMember.role).where(
                AccountMember.account_id == t.survivor.id
            )
        ).all()
    )
    assert {(u, r.value) for u, r in seats} == {
        (t.rep.id, "AR"),
        (t.rep2.id, "SR"),
        (t.rep3.id, "FR"),
    }
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccountMember)
            .where(AccountMember.account_id == t.duplicate.id)
        )
        == 0
    )
    # handover h1 had both: one item now, with both accounts' key contacts; h2's item moved
    items = db.session.scalars(
        sa.select(HandoverAccount).order_by(HandoverAccount.handover_id)
    ).all()
    pairs = [(i.handover_id, i.account_id) for i in items]
    assert pairs == [(t.h1.id, t.survivor.id), (t.h2.id, t.survivor.id)]
    assert items[0].key_contact_ids == [t.boss.id, t.zhang.id, t.boss2.id]
    assert items[0].risk_before == "high"
    assert items[1].roles == {"team": ["FR"], "opportunities": [[t.deal.id, "AR"]]}
    duplicate = db.session.get(Account, t.duplicate.id)
    assert duplicate.deleted_at is not None
    assert survivor_of(ACCOUNTS, t.duplicate.id) == t.survivor.id
    assert absorbed_ids(ACCOUNTS, t.survivor.id) == [t.duplicate.id]
    assert merge.moved == {
        "contacts": 2,
        "interactions": 2,
        "opportunities": 1,
        "child_accounts": 1,
        "team_members": 1,
        "handovers": 2,
    }


def test_blank_fields_of_the_survivor_take_the_duplicates_values_unless_chosen(twins):
    t = twins
    merge_accounts(t, fields={"tier": t.duplicate.id})
    survivor = db.session.get(Account, t.survivor.id)
    assert survivor.name == "Huadong Power"  # its own, not blank
    assert survivor.region == "East"  # blank on the survivor: the duplicate's
    assert survivor.tier.value == "A"  # chosen
    assert survivor.industry == "Manufacturing"


def test_tie_counts_equal_a_rebuild_after_a_merge_and_after_its_undo(twins):
    t = twins
    assert equals_rebuild()
    account_merge = merge_accounts(t)
    assert equals_rebuild()
    contact_merge = merge_contacts(t)
    assert equals_rebuild()
    assert {r[1] for r in touch_rows()} == {t.boss.id, t.zhang.id, t.boss2.id}
    services.undo_merge(contact_merge, actor=t.director, now=f.clock.now())
    assert equals_rebuild()
    services.undo_merge(account_merge, actor=t.director, now=f.clock.now())
    assert equals_rebuild()


def test_an_undo_restores_every_row_exactly(twins):
    t = twins
    before = dump()
    account_merge = merge_accounts(t, fields={"name": t.duplicate.id, "tier": t.duplicate.id})
    contact_merge = merge_contacts(t, fields={"hometown": t.zhang2.id})
    assert dump() != before
    services.undo_merge(contact_merge, actor=t.admin, now=f.clock.now())
    services.undo_merge(account_merge, actor=t.admin, now=f.clock.now())
    assert dump() == before
    assert account_merge.kept == {"fields": [], "rows": 0}
    assert survivor_of(ACCOUNTS, t.duplicate.id) is None


def test_a_contact_merge_moves_attendance_reports_and_handover_key_contacts(twins):
    t = twins
    merge_accounts(t)
    report = f.make_contact(account=t.survivor, name="Junior", reports_to=t.zhang2)
    merge_contacts(t)
    assert attendees(t.meeting2) == {t.zhang.id, t.boss2.id}
    assert attendees(t.shared) == {t.zhang.id}  # once, not twice
    assert attendees(t.gone) == {t.zhang.id}
    assert db.session.get(Contact, report.id).reports_to_id == t.zhang.id
    zhang = db.session.get(Contact, t.zhang.id)
    assert zhang.email == "zw@huadong.com" and zhang.phone == "138 1234 5678"
    assert zhang.hometown == "Suzhou"  # blank on the survivor
    h2 = db.session.scalar(sa.select(HandoverAccount).where(HandoverAccount.handover_id == t.h2.id))
    assert h2.key_contact_ids == [t.boss2.id, t.zhang.id]


def test_an_edit_after_the_merge_is_kept_by_the_undo_and_reported(twins):
    t = twins
    merge = merge_accounts(t, fields={"name": t.duplicate.id})
    survivor = db.session.get(Account, t.survivor.id)
    survivor.name = "Huadong Power Group"  # renamed after the merge
    db.session.execute(
        sa.update(Opportunity).where(Opportunity.id == t.deal.id).values(account_id=t.child.id)
    )
    db.session.flush()
    services.undo_merge(merge, actor=t.director, now=f.clock.now())
    assert db.session.get(Account, t.survivor.id).name == "Huadong Power Group"
    assert db.session.get(Opportunity, t.deal.id).account_id == t.child.id
    assert merge.kept == {"fields": ["name"], "rows": 1}
    assert db.session.get(Contact, t.zhang2.id).account_id == t.duplicate.id


def test_merges_of_one_account_are_undone_newest_first(twins):
    t = twins
    account_merge = merge_accounts(t)
    merge_contacts(t)
    with pytest.raises(ValidationFailed) as refused:
        services.undo_merge(account_merge, actor=t.director, now=f.clock.now())
    assert "merge" in refused.value.fields


def test_an_undo_after_30_days_is_refused_and_twice_is_a_conflict(twins):
    t = twins
    merge = merge_accounts(t)
    with pytest.raises(ValidationFailed):
        services.undo_merge(merge, actor=t.director, now=merge.at + timedelta(days=30, seconds=1))
    services.undo_merge(merge, actor=t.director, now=merge.at + timedelta(days=30))
    with pytest.raises(Conflict):
        services.undo_merge(merge, actor=t.director, now=f.clock.now())


def test_every_change_is_audited(twins):
    t = twins
    merge_accounts(t, fields={"tier": t.duplicate.id})
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "merge")).all()
    by_record = {(e.entity_type, e.entity_id): e for e in entries}
    assert by_record[("accounts", t.survivor.id)].changes["tier"] == ["B", "A"]
    assert ("accounts", t.duplicate.id) in by_record
    assert by_record[("contacts", t.zhang2.id)].changes == {
        "account_id": [t.duplicate.id, t.survivor.id]
    }
    assert by_record[("accounts", t.child.id)].changes == {
        "parent_id": [t.duplicate.id, t.survivor.id]
    }
    assert ("interactions", t.gone.id) in by_record and ("opportunities", t.deal.id) in by_record


def test_a_survivor_under_the_merged_account_takes_its_place_in_the_hierarchy(twins):
    t = twins
    group = f.make_account(team=t.team, name="Huadong Group")
    t.duplicate.parent_id = group.id
    t.survivor.parent_id = t.duplicate.id
    db.session.flush()
    merge_accounts(t)
    assert db.session.get(Account, t.survivor.id).parent_id == group.id


def test_a_parent_that_would_close_a_loop_is_refused(twins):
    t = twins
    t.child.parent_id = t.survivor.id  # the child sits below the survivor …
    db.session.flush()
    t.duplicate.parent_id = t.child.id  # … and the duplicate below the child
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        merge_accounts(t, fields={"parent_id": t.duplicate.id})
    assert "fields.parent_id" in refused.value.fields
    assert db.session.get(Account, t.duplicate.id).deleted_at is None


def test_a_survivor_reporting_to_the_merged_contact_reports_to_its_manager(twins):
    t = twins
    merge_accounts(t)
    zhang2 = db.session.get(Contact, t.zhang2.id)
    zhang = db.session.get(Contact, t.zhang.id)
    zhang.reports_to_id = zhang2.id
    db.session.flush()
    services.merge_records(
        CONTACTS,
        zhang,
        {"other_ids": [zhang2.id], "version": zhang.version},
        actor=t.director,
        now=f.clock.now(),
    )
    assert db.session.get(Contact, t.zhang.id).reports_to_id == t.boss2.id


def test_fields_that_are_not_the_kinds_or_name_no_record_of_the_merge_are_refused(twins):
    t = twins
    with pytest.raises(ValidationFailed) as refused:
        merge_accounts(t, fields={"deleted_at": t.duplicate.id, "name": t.child.id, "tier": "A"})
    assert set(refused.value.fields) == {"fields", "fields.name", "fields.tier"}


def test_reps_and_leadership_may_not_merge_and_other_teams_are_not_found(twins):
    t = twins
    for role in ("rep", "leadership"):
        with pytest.raises(Forbidden):
            merge_accounts(t, actor=f.make_user(role=role, team=t.team))
    other_team = f.make_team(name="South")
    elsewhere = f.make_account(team=other_team, name="Huadong Power South")
    with pytest.raises(NotFound):
        merge_accounts(t, others=[elsewhere.id])
    merge_accounts(t, actor=t.admin, others=[elsewhere.id])  # admins merge across teams


def test_an_import_source_s_id_follows_the_merge_and_comes_back_with_the_undo(twins):
    t = twins
    if "import_keys" not in db.metadata.tables:
        pytest.skip("no import keys in this schema")
    table = db.metadata.tables["import_keys"]
    key = {"source": "Old CRM", "kind": "accounts", "external_id": "A-17"}
    db.session.execute(sa.insert(table).values(**key, record_id=t.duplicate.id))
    merge = merge_accounts(t)
    assert db.session.scalar(sa.select(table.c.record_id)) == t.survivor.id
    services.undo_merge(merge, actor=t.director, now=f.clock.now())
    assert db.session.scalar(sa.select(table.c.record_id)) == t.duplicate.id
