"""The decision chain: a forest by reports_to of current contacts, with our live ties."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.contacts.queries import decision_chain, former_contacts
from salesflow.extensions import db
from salesflow.ties.queries import live_ties
from tests.factories import make_account, make_contact, make_interaction, make_user


def _shape(nodes) -> list:
    return [(n.contact.name, _shape(n.children)) for n in nodes]


@pytest.fixture
def org(now, world):
    """account_a: Zhang Wei (CEO, from the world) ← CIO ← Engineer; CFO ← Buyer."""
    ceo = world.contact_a
    cio = make_contact(account=world.account_a, name="CIO", reports_to=ceo, level="management")
    engineer = make_contact(account=world.account_a, name="Engineer", reports_to=cio)
    cfo = make_contact(account=world.account_a, name="CFO", reports_to=ceo, level="executive")
    buyer = make_contact(account=world.account_a, name="Buyer", reports_to=cfo)
    return ceo, cio, engineer, cfo, buyer


def test_chain_is_a_tree_by_reports_to_with_executives_first(now, world, org):
    chain = decision_chain(world.account_a.id, now=now)
    assert _shape(chain) == [("Zhang Wei", [("CFO", [("Buyer", [])]), ("CIO", [("Engineer", [])])])]
    assert chain.account_id == world.account_a.id


def test_left_contacts_leave_the_chain_and_appear_as_former(now, world, org):
    ceo, cio, engineer, cfo, buyer = org
    cio.left_on = date(2026, 10, 1)
    db.session.flush()
    chain = decision_chain(world.account_a.id, now=now)
    assert _shape(chain) == [("Engineer", []), ("Zhang Wei", [("CFO", [("Buyer", [])])])]
    assert engineer.reports_to_id == cio.id  # history kept
    assert [c.name for c in chain.former] == ["CIO"]


def test_deleted_contacts_are_neither_in_the_chain_nor_former(now, world, org):
    ceo, cio, engineer, cfo, buyer = org
    cfo.deleted_at = now
    db.session.flush()
    chain = decision_chain(world.account_a.id, now=now)
    assert _shape(chain) == [("Buyer", []), ("Zhang Wei", [("CIO", [("Engineer", [])])])]
    assert chain.former == [] and former_contacts(world.account_a.id) == []


def test_a_loop_made_by_racing_saves_still_shows_everyone_once(now, world):
    a = make_contact(account=world.account_a, name="A")
    b = make_contact(account=world.account_a, name="B", reports_to=a)
    a.reports_to_id = b.id  # bypassing the services, as two racing saves could
    db.session.flush()
    chain = decision_chain(world.account_a.id, now=now)
    assert sorted(_shape(chain)) == [("A", [("B", [])]), ("Zhang Wei", [])]


def test_an_account_without_contacts_has_an_empty_chain(now, world):
    empty = make_account(team=world.team_a)
    chain = decision_chain(empty.id, now=now)
    assert list(chain) == [] and chain.former == []


def test_only_interactions_inside_the_window_make_a_tie(now, world):
    inside, outside, future = (make_user(team=world.team_a, name=n) for n in ("In", "Out", "Fut"))
    contact = world.contact_a
    for user, days in ((inside, 180), (outside, 181), (future, -1)):
        make_interaction(account=world.account_a, owner=user, contacts=[contact], days_ago=days)
    ties = live_ties(world.account_a.id, now=now)[contact.id]
    names = [u.name for u, _ in ties]
    assert "In" in names and "Out" not in names and "Fut" not in names
    strength = dict((u.name, s) for u, s in ties)["In"]
    assert strength == pytest.approx(0.25)  # 180 whole days: two half-lives


def test_deleted_interactions_do_not_make_a_tie(now, world):
    other = make_user(team=world.team_a, name="Deleted tie")
    make_interaction(
        account=world.account_a, owner=other, contacts=[world.contact_a], days_ago=1, deleted=True
    )
    ties = live_ties(world.account_a.id, now=now)
    assert "Deleted tie" not in [u.name for u, _ in ties.get(world.contact_a.id, [])]


def test_strength_sums_decayed_interactions_strongest_first(now, world):
    contact = make_contact(account=world.account_a, name="Target")
    li, wang = world.rep_a, world.rep_a2
    for days in (0, 90):
        make_interaction(account=world.account_a, owner=li, contacts=[contact], days_ago=days)
    make_interaction(
        account=world.account_a, owner=li, participants=[li, wang], contacts=[contact], days_ago=45
    )
    # logged by Li for Wang: only participants count, not the one who logged it
    make_interaction(
        account=world.account_a, owner=li, participants=[wang], contacts=[contact], days_ago=180
    )
    ties = live_ties(world.account_a.id, now=now)[contact.id]
    assert [(u.name, round(s, 6)) for u, s in ties] == [
        ("Li Ming", round(1 + 0.5 + 2**-0.5, 6)),
        ("Zhao Lei", round(2**-0.5 + 0.25, 6)),
    ]


def test_chain_nodes_carry_their_ties(now, world):
    chain = decision_chain(world.account_a.id, now=now)
    [(user, strength)] = chain[0].ties
    assert user == world.rep_a and strength == pytest.approx(1.0)


def test_chain_takes_a_fixed_number_of_queries_whatever_the_size(now, world):
    def statements_for_chain() -> int:
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            db.session.expire_all()
            decision_chain(world.account_a.id, now=now)
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
        return count

    small = statements_for_chain()
    assert small >= 2  # the listener sees the chain's own queries
    boss = world.contact_a
    for i in range(15):
        c = make_contact(account=world.account_a, name=f"C{i}", reports_to=boss)
        make_interaction(account=world.account_a, owner=world.rep_a, contacts=[c], days_ago=i)
    assert statements_for_chain() == small


def test_ties_are_per_contact_across_the_account_in_one_call(now, world):
    second = make_contact(account=world.account_a, name="Second")
    make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[second], days_ago=1)
    ties = live_ties(world.account_a.id, now=now)
    assert set(ties) == {world.contact_a.id, second.id}
    assert [
        u for u, _ in live_ties(world.account_a.id, now=now, contact_id=second.id)[second.id]
    ] == [world.rep_a2]
