"""GET /opportunities/{id} lists the deal's contacts with their role in it (the account's key
contacts by default); PATCH replaces them (additive to the deal's fields) under the same rules as
the deal page: who may reseat the deal, the version read, every bad row named, nothing kept."""

import pytest

from salesflow.key_accounts import deal_roles
from tests import factories as f
from tests.conftest import api_as


@pytest.fixture
def deal(world):
    return f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})


def test_get_lists_the_key_contacts_by_default(app, world, deal):
    body = api_as(app, world.rep_a).get(f"/opportunities/{deal.id}").get_json()
    assert body["contacts"] == [{"contact_id": world.contact_a.id, "role": "decision_maker"}]


def test_patch_sets_the_roles_with_a_field_in_one_change(app, world, deal):
    wang = f.make_contact(account=world.account_a, name="Wang Qiang", decision_role="user")
    contacts = [{"contact_id": wang.id, "role": "decision_maker"}]
    answer = api_as(app, world.rep_a).patch(
        f"/opportunities/{deal.id}", json={"name": "Renamed", "contacts": contacts, "version": 1}
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["name"] == "Renamed" and body["contacts"] == contacts
    assert deal_roles.contact_rows(deal) == contacts
    stale = api_as(app, world.rep_a).patch(
        f"/opportunities/{deal.id}", json={"contacts": [], "version": 1}
    )
    assert stale.status_code == 409


@pytest.mark.parametrize(
    "contacts",
    [
        [{"contact_id": "other", "role": "user"}],  # another account's contact: set below
        [{"contact_id": "mine", "role": "boss"}],
        [{"contact_id": 10**9, "role": "user"}],
    ],
)
def test_patch_refuses_bad_contacts_keeping_nothing(app, world, deal, contacts):
    ids = {"other": world.contact_b.id, "mine": world.contact_a.id}
    contacts = [{**c, "contact_id": ids.get(c["contact_id"], c["contact_id"])} for c in contacts]
    answer = api_as(app, world.rep_a).patch(
        f"/opportunities/{deal.id}", json={"name": "Kept?", "contacts": contacts, "version": 1}
    )
    assert answer.status_code == 422
    assert "contacts" in str(answer.get_json())
    assert deal_roles.contact_rows(deal) == []


def test_patch_by_someone_who_may_not_reseat_the_deal_is_403(app, world, deal):
    answer = api_as(app, world.rep_a2).patch(
        f"/opportunities/{deal.id}", json={"contacts": [], "version": 1}
    )
    assert answer.status_code == 403
