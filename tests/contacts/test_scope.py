"""Who sees and changes which contacts: the world's permission table, by service, page and API."""

import pytest

from salesflow import scope
from salesflow.contacts import services
from salesflow.errors import Forbidden, NotFound
from salesflow.extensions import db
from tests.conftest import api_as, login
from tests.factories import make_contact

# Which of the world's contacts each person sees (see the World docstring in tests/conftest.py).
SEES = {
    "rep_a": {"contact_a", "contact_shared"},
    "rep_a2": {"contact_a", "contact_shared"},
    "rep_b": {"contact_b", "contact_shared"},
    "director_a": {"contact_a", "contact_shared"},
    "director_b": {"contact_b"},
    "leader": {"contact_a", "contact_b", "contact_shared"},
    "admin": {"contact_a", "contact_b", "contact_shared"},
}
CONTACTS = ("contact_a", "contact_b", "contact_shared")
CASES = [(who, contact) for who in SEES for contact in CONTACTS]


@pytest.mark.parametrize(("who", "contact"), CASES)
def test_get_contact_follows_the_account_scope(now, world, who, contact):
    user, target = getattr(world, who), getattr(world, contact)
    if contact in SEES[who]:
        assert scope.get_contact(user, target.id) is target
    else:
        with pytest.raises(NotFound):
            scope.get_contact(user, target.id)


@pytest.mark.parametrize(("who", "contact"), CASES)
def test_pages_and_api_answer_404_outside_the_scope(app, client, now, world, who, contact):
    user, target = getattr(world, who), getattr(world, contact)
    api = api_as(app, user)
    db.session.commit()
    login(client, user)
    expected = 200 if contact in SEES[who] else 404
    assert client.get(f"/contacts/{target.id}").status_code == expected
    assert api.get(f"/contacts/{target.id}").status_code == expected
    chain = api.get(f"/accounts/{target.account_id}/decision-chain")
    assert chain.status_code == expected


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("rep_a", False),
        ("director_a", True),
        ("director_b", False),
        ("leader", False),
        ("admin", True),
    ],
)
def test_only_directors_of_the_team_and_admins_delete(now, world, who, allowed):
    user = getattr(world, who)
    assert scope.can_delete(user, world.contact_a.account) is allowed
    if allowed:
        services.delete_contact(world.contact_a, actor=user, now=now)
        assert world.contact_a.is_deleted
    else:
        with pytest.raises(Forbidden):
            services.delete_contact(world.contact_a, actor=user, now=now)


@pytest.mark.parametrize(("who", "sees"), [("rep_a", False), ("director_a", True), ("admin", True)])
def test_deleted_contacts_are_visible_only_to_those_who_may_restore(now, world, who, sees):
    gone = make_contact(account=world.account_a, deleted=True)
    user = getattr(world, who)
    with pytest.raises(NotFound):
        scope.get_contact(user, gone.id)
    if sees:
        assert scope.get_contact(user, gone.id, include_deleted=True) is gone
    else:
        with pytest.raises(NotFound):
            scope.get_contact(user, gone.id, include_deleted=True)


def test_a_rep_on_the_account_team_of_another_teams_account_may_edit_its_contacts(now, world):
    assert scope.can_edit_contact(world.rep_b, world.contact_shared)
    services.update_contact(
        world.contact_shared,
        {"version": world.contact_shared.version, "title": "CTO"},
        actor=world.rep_b,
        now=now,
    )
    assert world.contact_shared.title == "CTO"


def test_no_one_edits_a_deleted_contact(now, world):
    gone = make_contact(account=world.account_a, deleted=True)
    assert not scope.can_edit_contact(world.admin, gone)


def test_rep_is_refused_deleting_by_button_and_gets_403_by_api(app, client, now, world):
    api = api_as(app, world.rep_a)
    db.session.commit()
    login(client, world.rep_a)
    for action in ("delete", "restore"):
        refused = client.post(f"/contacts/{world.contact_a.id}/{action}")
        assert refused.status_code == 303  # a refused button: back with the reason
        assert refused.headers["Location"] == f"/contacts/{world.contact_a.id}"
    assert api.delete(f"/contacts/{world.contact_a.id}").status_code == 403
