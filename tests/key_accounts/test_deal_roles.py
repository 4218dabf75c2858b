"""Per-deal buying roles against hand-built deals: the role in the deal defaults to the contact's
account-level role, a row overrides it, and a deal is single-threaded when its decision makers (in
the deal) have live ties to exactly one of our people — for a whole set of deals in one query."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import DecisionRole
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import deal_roles
from salesflow.key_accounts.deal_roles_models import OpportunityContact
from tests import factories as f
from tests.conftest import sql_statements


def _row(deal, contact, role):
    db.session.add(OpportunityContact(opportunity_id=deal.id, contact_id=contact.id, role=role))
    db.session.flush()


@pytest.fixture
def deal(world):
    """A deal on account_a; account_a's one contact, Zhang Wei, is a decision maker of high
    influence tied (live) to rep_a alone (the world's interaction)."""
    return f.make_opportunity(account=world.account_a)


def test_a_deal_without_rows_lists_the_key_contacts_with_their_account_role(world, deal):
    f.make_contact(account=world.account_a, name="Not key")  # unknown role, medium influence
    listed = deal_roles.deal_contacts(deal)
    assert [(d.contact.name, d.role, d.explicit) for d in listed] == [
        ("Zhang Wei", DecisionRole.decision_maker, False)
    ]


def test_a_row_overrides_the_role_and_only_rows_are_listed(world, deal):
    wang = f.make_contact(account=world.account_a, name="Wang Qiang", decision_role="user")
    _row(deal, wang, DecisionRole.decision_maker)
    listed = deal_roles.deal_contacts(deal)
    assert [(d.contact.name, d.role, d.explicit) for d in listed] == [
        ("Wang Qiang", DecisionRole.decision_maker, True)
    ]


def test_decision_maker_held_by_one_person_is_single_threaded(world, deal, now):
    assert deal_roles.single_threaded([deal.id], now=now) == {deal.id}


def test_decision_maker_held_by_two_people_is_not_single_threaded(world, deal, now):
    f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[world.contact_a])
    assert deal_roles.single_threaded([deal.id], now=now) == set()


def test_nobody_holding_the_decision_makers_is_not_single_threaded(world, now):
    other = f.make_opportunity(account=world.account_b)  # Liu Yang: role unknown
    assert deal_roles.single_threaded([other.id], now=now) == set()


def test_the_role_in_the_deal_decides_who_counts(world, deal, now):
    """Zhang Wei is only an influencer in this deal; Wang Qiang, a user at the account, is its
    decision maker, held by rep_a2 and director_a: two people, not single-threaded."""
    wang = f.make_contact(account=world.account_a, name="Wang Qiang", decision_role="user")
    f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        participants=[world.rep_a2, world.director_a],
        contacts=[wang],
    )
    _row(deal, world.contact_a, DecisionRole.influencer)
    _row(deal, wang, DecisionRole.decision_maker)
    assert deal_roles.single_threaded([deal.id], now=now) == set()
    db.session.execute(
        OpportunityContact.__table__.update()
        .where(OpportunityContact.contact_id == wang.id)
        .values(role=DecisionRole.user)
    )
    db.session.execute(
        OpportunityContact.__table__.update()
        .where(OpportunityContact.contact_id == world.contact_a.id)
        .values(role=DecisionRole.decision_maker)
    )
    assert deal_roles.single_threaded([deal.id], now=now) == {deal.id}


def test_old_ties_do_not_count(world, deal, now):
    f.make_interaction(
        account=world.account_a, owner=world.rep_a2, contacts=[world.contact_a], days_ago=2000
    )
    assert deal_roles.single_threaded([deal.id], now=now) == {deal.id}


def test_single_threaded_is_one_query_for_any_number_of_deals(world, now):
    deals = [f.make_opportunity(account=world.account_a) for _ in range(5)]
    _row(deals[0], world.contact_a, DecisionRole.decision_maker)
    with sql_statements() as seen:
        flagged = deal_roles.single_threaded([d.id for d in deals], now=now)
    assert flagged == {d.id for d in deals}
    assert len(seen) == 1


def _set(deal, actor, now, contacts, version=None):
    data = {"version": deal.version if version is None else version, "contacts": contacts}
    return deal_roles.set_deal_contacts(deal, data, actor=actor, now=now)


def test_the_deals_ar_sets_a_role_in_the_deal_audited_and_versioned(world, deal, now):
    version = deal.version
    wang = f.make_contact(account=world.account_a, name="Wang Qiang", decision_role="user")
    _set(deal, world.rep_a, now, [{"contact_id": wang.id, "role": "decision_maker"}])
    assert deal_roles.contact_rows(deal) == [{"contact_id": wang.id, "role": "decision_maker"}]
    assert deal.version == version + 1
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_id == deal.id).order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes == {"buying_roles": [[], [[wang.id, "decision_maker"]]]}
    with pytest.raises(Conflict):
        _set(deal, world.rep_a, now, [], version=version)
    _set(deal, world.director_a, now, [])  # removed: back to the account's key contacts
    assert [d.contact.name for d in deal_roles.deal_contacts(deal)] == ["Zhang Wei"]


@pytest.mark.parametrize("who", ["rep_a2", "rep_b", "director_b"])
def test_others_may_not_set_the_roles_in_a_deal(world, deal, now, who):
    with pytest.raises(Forbidden):
        _set(deal, getattr(world, who), now, [])


@pytest.mark.parametrize(
    "rows",
    [
        "not a list",
        [{"contact_id": "x", "role": "user"}],
        [{"role": "user"}],
        [{"contact_id": -1, "role": "user"}],
        ["row"],
    ],
)
def test_malformed_contacts_are_refused_with_the_field(world, deal, now, rows):
    with pytest.raises(ValidationFailed) as error:
        _set(deal, world.rep_a, now, rows)
    assert "contacts" in error.value.fields


def test_every_bad_row_is_named_and_nothing_is_kept(world, deal, now):
    left = f.make_contact(account=world.account_a, name="Gone", left_on=date(2026, 1, 1))
    rows = [
        {"contact_id": world.contact_b.id, "role": "user"},  # another account's
        {"contact_id": world.contact_a.id, "role": "boss"},  # not a role
        {"contact_id": left.id, "role": "user"},  # left the customer
        {"contact_id": world.contact_a.id, "role": "coach"},
        {"contact_id": world.contact_a.id, "role": "user"},  # twice
    ]
    with pytest.raises(ValidationFailed) as error:
        _set(deal, world.rep_a, now, rows)
    assert len(error.value.fields["contacts"]) == 4
    assert deal_roles.contact_rows(deal) == []
