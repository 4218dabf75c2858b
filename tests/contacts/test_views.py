"""Contact pages: the profile page, the form, left / delete / restore buttons, the org chart."""

from datetime import date

import sqlalchemy as sa
from flask import render_template

from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Contact
from salesflow.contacts.queries import decision_chain
from salesflow.extensions import db
from tests.conftest import login
from tests.factories import make_account, make_contact


def _form(**overrides) -> dict[str, str]:
    data = {
        "name": "Qian Hua",
        "title": "CIO",
        "department": "",
        "level": "management",
        "reports_to_id": "",
        "decision_role": "technical_evaluator",
        "influence": "high",
        "attitude": "supporter",
        "email": "",
        "phone": "",
        "background": "",
        "education": "",
        "hometown": "",
        "interests": "",
        "preferences": "",
        "notes": "",
        "left_on": "",
    }
    return {**data, **overrides}


def _count_contacts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Contact))


def test_contact_page_prepares_a_reception(client, now, world):
    contact = world.contact_a
    contact.title, contact.phone, contact.email = "CEO", "+86 138 0000 0000", "zw@example.cn"
    contact.hometown, contact.preferences = "Hangzhou", "Longjing tea; no meetings before 10"
    db.session.flush()
    login(client, world.rep_a)
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Zhang Wei" in page and "CEO" in page
    assert 'href="tel:+8613800000000"' in page and 'href="mailto:zw@example.cn"' in page
    assert "Decision maker" in page and "Influence: High" in page
    assert "Hangzhou" in page and "Longjing tea; no meetings before 10" in page
    assert f"/interactions/new?account_id={world.account_a.id}&amp;contact_id={contact.id}" in page
    assert f"/contacts/{contact.id}/edit" in page
    assert "Li Ming" in page  # our live tie (the world's interaction)
    assert f"/contacts/{contact.id}/delete" not in page  # reps never delete


def test_contact_page_shows_reporting_line_and_history(client, now, world):
    worker = make_contact(account=world.account_a, name="Worker", reports_to=world.contact_a)
    login(client, world.rep_a)
    client.post(
        f"/contacts/{worker.id}/edit",
        data=_form(
            name="Worker",
            title="Engineer",
            reports_to_id=str(world.contact_a.id),
            version=str(worker.version),
        ),
    )
    boss_page = client.get(f"/contacts/{world.contact_a.id}").get_data(as_text=True)
    assert f'href="/contacts/{worker.id}"' in boss_page
    page = client.get(f"/contacts/{worker.id}").get_data(as_text=True)
    assert f'href="/contacts/{world.contact_a.id}"' in page
    assert "Title: — → Engineer" in page and "Li Ming" in page


def test_rep_gets_404_for_other_teams_contact(client, now, world):
    login(client, world.rep_b)
    assert client.get(f"/contacts/{world.contact_a.id}").status_code == 404
    assert client.get(f"/contacts/{world.contact_a.id}/edit").status_code == 404
    assert client.get(f"/accounts/{world.account_a.id}/contacts/new").status_code == 404
    assert client.post(f"/contacts/{world.contact_a.id}/leave").status_code == 404


def test_new_contact_form_creates_and_audits(client, now, world):
    login(client, world.rep_a)
    url = f"/accounts/{world.account_a.id}/contacts/new"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{world.contact_a.id}">Zhang Wei</option>' in page
    response = client.post(url, data=_form(reports_to_id=str(world.contact_a.id)))
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(Contact).where(Contact.name == "Qian Hua"))
    assert response.headers["Location"].endswith(f"/contacts/{contact.id}")
    assert contact.reports_to_id == world.contact_a.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_id == contact.id))
    assert (entry.action, entry.account_id) == ("create", world.account_a.id)


def test_new_form_starts_unknown_and_can_preselect_the_manager(client, now, world):
    login(client, world.rep_a)
    url = f"/accounts/{world.account_a.id}/contacts/new?reports_to_id={world.contact_a.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{world.contact_a.id}">Zhang Wei</option>' in page
    assert '<option selected value="unknown">Unknown</option>' in page  # role and attitude
    assert '<option selected value="medium">Medium</option>' in page


def test_service_errors_show_on_the_form_fields(client, now, world):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/contacts/new",
        data=_form(name="", email="nope", left_on="2099-01-01"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a name." in page and "Enter an e-mail address like a@b.com." in page
    assert "The date cannot be in the future." in page
    assert _count_contacts() == 3


def test_reports_to_from_another_account_is_refused_by_the_form(client, now, world):
    login(client, world.rep_b)  # sees account_b and shared
    response = client.post(
        f"/accounts/{world.shared.id}/contacts/new",
        data=_form(reports_to_id=str(world.contact_b.id)),
    )
    assert response.status_code == 422
    assert _count_contacts() == 3


def test_edit_form_refuses_a_loop(client, now, world):
    worker = make_contact(account=world.account_a, name="Worker", reports_to=world.contact_a)
    login(client, world.rep_a)
    page = client.get(f"/contacts/{world.contact_a.id}/edit").get_data(as_text=True)
    assert f'<option value="{world.contact_a.id}"' not in page  # not itself
    response = client.post(
        f"/contacts/{world.contact_a.id}/edit",
        data=_form(name="Zhang Wei", reports_to_id=str(worker.id), version="1"),
    )
    assert response.status_code == 422
    assert "This would make a loop in the reporting line." in response.get_data(as_text=True)


def test_stale_save_shows_a_conflict_and_keeps_the_input(client, now, world):
    contact = world.contact_a
    stale = contact.version
    contact.title = "Changed by someone else"
    db.session.flush()
    login(client, world.rep_a)
    response = client.post(
        f"/contacts/{contact.id}/edit",
        data=_form(name="Zhang Wei", title="My careful edit", version=str(stale)),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this record" in page and "My careful edit" in page
    db.session.refresh(contact)
    assert contact.title == "Changed by someone else"


def test_mark_as_left_and_back(client, now, world):
    contact = world.contact_a
    login(client, world.rep_a)
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Mark as left" in page and "Add a direct report" in page
    client.post(
        f"/contacts/{contact.id}/leave",
        data={"left_on": "2026-11-01", "version": str(contact.version)},
    )
    db.session.refresh(contact)
    assert contact.left_on == date(2026, 11, 1)
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "no longer counts in the decision chain" in page
    # someone who has left is not marked as left again, and gets no new direct reports
    assert "Mark as left" not in page and "Add a direct report" not in page
    client.post(f"/contacts/{contact.id}/rejoin", data={"version": str(contact.version)})
    db.session.refresh(contact)
    assert contact.left_on is None


def test_rep_cannot_delete_a_contact(client, now, world):
    login(client, world.rep_a)
    refused = client.post(f"/contacts/{world.contact_a.id}/delete", follow_redirects=True)
    assert refused.history[0].status_code == 303  # a refused button: back with the reason
    assert "You are not allowed to do this." in refused.get_data(as_text=True)
    db.session.refresh(world.contact_a)
    assert world.contact_a.deleted_at is None


def test_director_deletes_and_restores_from_the_contact_page(client, now, world):
    contact = world.contact_a
    login(client, world.director_a)
    assert f"/contacts/{contact.id}/delete" in client.get(f"/contacts/{contact.id}").get_data(
        as_text=True
    )
    response = client.post(f"/contacts/{contact.id}/delete")
    assert response.status_code == 303
    db.session.refresh(contact)
    assert contact.deleted_at is not None
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert f"/contacts/{contact.id}/restore" in page
    client.post(f"/contacts/{contact.id}/restore")
    db.session.refresh(contact)
    assert contact.deleted_at is None


def test_rep_gets_404_for_a_deleted_contact(client, now, world):
    gone = make_contact(account=world.account_a, deleted=True)
    login(client, world.rep_a)
    assert client.get(f"/contacts/{gone.id}").status_code == 404


def test_form_without_csrf_token_is_refused_and_saves_nothing(app, client, now, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.rep_a)
    response = client.post(f"/accounts/{world.account_a.id}/contacts/new", data=_form())
    assert response.status_code == 400
    assert _count_contacts() == 3


def test_org_chart_nests_boxes_with_badges_ties_and_former_contacts(now, world):
    cio = make_contact(
        account=world.account_a, name="CIO Qian", reports_to=world.contact_a, attitude="skeptic"
    )
    make_contact(account=world.account_a, name="Gone Sun", left_on=date(2026, 5, 1))
    html = render_template(
        "contacts/_decision_chain.html", chain=decision_chain(world.account_a.id, now=now)
    )
    assert 'class="org-chart"' in html
    top = html.index("Zhang Wei")
    nested = html.index("<ul>", top)
    assert top < nested < html.index("CIO Qian")
    assert f'href="/contacts/{cio.id}"' in html
    assert "Decision maker" in html and "badge-attitude-skeptic" in html and "Skeptic" in html
    assert "Li Ming" in html  # live tie to Zhang Wei
    assert "No live tie" in html  # CIO Qian
    assert "Former contacts" in html and "Gone Sun" in html
    assert html.index("Gone Sun") > html.index("Former contacts")


def test_org_chart_empty_state_offers_to_add_a_contact(now, world):
    empty = make_account(team=world.team_a)
    html = render_template("contacts/_decision_chain.html", chain=decision_chain(empty.id, now=now))
    assert "No contacts yet" in html
    assert f'href="/accounts/{empty.id}/contacts/new"' in html
