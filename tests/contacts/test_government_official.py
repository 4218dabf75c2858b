"""A contact flagged as a government official (issue 17): set on the form and through the API,
audited and told in words in the history, a badge on the contact's page and the briefing."""

import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from tests.conftest import api_as, login
from tests.contacts.test_views import _form


def _entries(contact_id):
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "contacts", AuditEntry.entity_id == contact_id)
        .order_by(AuditEntry.id)
    ).all()


def test_the_api_sets_reads_and_refuses_a_bad_value(app, world):
    api = api_as(app, world.rep_a)
    db.session.commit()
    cid = world.contact_a.id
    assert api.get(f"/contacts/{cid}").get_json()["government_official"] is False
    bad = api.patch(f"/contacts/{cid}", json={"government_official": "perhaps", "version": 1})
    assert bad.status_code == 422
    done = api.patch(f"/contacts/{cid}", json={"government_official": True, "version": 1})
    assert done.status_code == 200 and done.get_json()["government_official"] is True
    assert _entries(cid)[-1].changes["government_official"] == [False, True]
    made = api.post(
        "/contacts",
        json={"account_id": world.account_a.id, "name": "Zhao Lei", "government_official": True},
    )
    assert made.status_code == 201 and made.get_json()["government_official"] is True
    plain = api.post("/contacts", json={"account_id": world.account_a.id, "name": "Sun Li"})
    assert plain.get_json()["government_official"] is False


def test_the_form_sets_it_and_the_page_shows_it_in_words(client, now, world):
    login(client, world.rep_a)
    contact = world.contact_a
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert 'id="government-official"' not in page
    data = _form(name=contact.name, government_official="y", version=str(contact.version))
    response = client.post(f"/contacts/{contact.id}/edit", data=data)
    assert response.status_code == 302
    assert contact.government_official is True
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert 'id="government-official"' in page
    assert "government_official" not in page  # the history in words, not the field's key
    assert page.count("Government official") >= 2  # the badge and the history's line
    unchecked = _form(name=contact.name, version=str(contact.version))
    assert client.post(f"/contacts/{contact.id}/edit", data=unchecked).status_code == 302
    assert contact.government_official is False


def test_the_page_shows_it_in_chinese(client, now, world):
    world.contact_a.government_official = True
    db.session.flush()
    login(client, world.rep_a)
    page = client.get(
        f"/contacts/{world.contact_a.id}", headers={"Accept-Language": "zh"}
    ).get_data(as_text=True)
    assert 'id="government-official"' in page and "政府官员" in page
