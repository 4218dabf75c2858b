"""Contact history pages: the quick log, the interaction page and form, My day, the timeline."""

from datetime import date, timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.interactions import services
from salesflow.interactions.models import Interaction
from tests.conftest import login
from tests.factories import make_contact, make_interaction


def _form(world, **overrides):
    data = {
        "account_id": str(world.account_a.id),
        "kind": "visit",
        "occurred_at": "2026-11-20T16:00",
        "contact_ids": [str(world.contact_a.id)],
        "participant_ids": [str(world.rep_a.id)],
        "summary": "Lunch with the CEO",
        "outcome": "",
        "next_step": "",
        "next_step_due": "",
        "cost": "",
    }
    return {**data, **overrides}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))


def _newest() -> Interaction:
    return db.session.scalars(sa.select(Interaction).order_by(Interaction.id.desc())).first()


def test_quick_log_preselects_account_and_contact(client, now, world):
    login(client, world.rep_a)
    page = client.get(
        f"/interactions/new?account_id={world.account_a.id}&contact_id={world.contact_a.id}"
    ).get_data(as_text=True)
    assert "Huadong Power" in page and 'id="save-interaction"' in page
    assert f'name="account_id" type="hidden" value="{world.account_a.id}"' in page
    assert f'value="{world.contact_a.id}" id="contact-{world.contact_a.id}" checked' in page
    assert f'value="{world.rep_a.id}" id="participant-{world.rep_a.id}" checked' in page
    assert 'type="datetime-local"' in page and 'value="2026-11-20T17:30"' in page  # Shanghai
    assert "Decision maker" in page


def test_quick_log_without_account_searches_mine_first(client, now, world):
    login(client, world.rep_b)
    page = client.get("/interactions/new").get_data(as_text=True)
    assert page.index("Nanfang Grid") < page.index("Shared Steel")
    assert "Huadong Power" not in page
    page = client.get("/interactions/new?q=steel").get_data(as_text=True)
    assert f"/interactions/new?account_id={world.shared.id}" in page
    assert "Nanfang Grid" not in page


def test_quick_log_two_contacts_makes_one_interaction_and_redirects(client, now, world):
    cfo = make_contact(account=world.account_a, name="CFO Qian")
    login(client, world.rep_a)
    before = _count()
    response = client.post(
        "/interactions/new",
        data=_form(world, contact_ids=[str(world.contact_a.id), str(cfo.id)], cost="88.5"),
    )
    assert response.status_code == 302
    assert _count() == before + 1
    interaction = _newest()
    # it lands on the account page at the new entry (highlighted there by CSS :target)
    location = f"/accounts/{world.account_a.id}#interaction-{interaction.id}"
    assert response.headers["Location"].endswith(location)
    assert {c.id for c in interaction.attendees} == {world.contact_a.id, cfo.id}
    assert [u.id for u in interaction.participants] == [world.rep_a.id]
    assert interaction.occurred_at.hour == 8  # 16:00 in Shanghai is 08:00 UTC
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contact logged." in page and "Lunch with the CEO" in page
    assert f'id="interaction-{interaction.id}"' in page


def test_quick_log_other_accounts_contact_is_422_and_nothing_saved(client, now, world):
    login(client, world.rep_a)
    before = _count()
    response = client.post(
        "/interactions/new", data=_form(world, contact_ids=[str(world.contact_shared.id)])
    )
    assert response.status_code == 422
    assert "Choose current contacts of this account only." in response.get_data(as_text=True)
    assert "Lunch with the CEO" in response.get_data(as_text=True)  # input kept
    assert _count() == before


def test_quick_log_shows_every_problem(client, now, world):
    login(client, world.rep_a)
    response = client.post(
        "/interactions/new", data=_form(world, summary="", cost="-5", kind="banquet")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid choice" in page or "Not one of the allowed values" in page


def test_quick_log_service_errors_show_on_fields(client, now, world):
    login(client, world.rep_a)
    response = client.post("/interactions/new", data=_form(world, summary="", cost="-5"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say what happened." in page and "The cost cannot be negative." in page


def test_quick_log_for_other_teams_account_is_404(client, now, world):
    login(client, world.rep_a)
    assert client.get(f"/interactions/new?account_id={world.account_b.id}").status_code == 404
    before = _count()
    response = client.post(
        "/interactions/new", data=_form(world, account_id=str(world.account_b.id), contact_ids=[])
    )
    assert response.status_code == 404 and _count() == before


def test_form_without_csrf_token_is_refused_and_saves_nothing(app, client, now, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.rep_a)
    before = _count()
    assert client.post("/interactions/new", data=_form(world)).status_code == 400
    assert _count() == before


def test_detail_page_shows_the_interaction_and_history(client, now, world):
    login(client, world.rep_a)
    page = client.get(f"/interactions/{world.interaction_a.id}").get_data(as_text=True)
    assert "timeline-item" in page and "Zhang Wei" in page
    assert f"/contacts/{world.contact_a.id}" in page
    assert f"/interactions/{world.interaction_a.id}/edit" in page
    assert f"/interactions/{world.interaction_a.id}/delete" not in page  # reps never delete


def test_edit_saves_and_stale_version_keeps_input(client, now, world):
    interaction = world.interaction_a
    login(client, world.rep_a)
    page = client.get(f"/interactions/{interaction.id}/edit").get_data(as_text=True)
    read = interaction.version
    assert f'name="version" type="hidden" value="{read}"' in page
    services.update_interaction(  # someone else saves first
        interaction, {"outcome": "Agreed", "version": read}, actor=world.rep_a, now=now
    )
    db.session.commit()
    stale = _form(world, summary="Someone else's view", version=str(read))
    response = client.post(f"/interactions/{interaction.id}/edit", data=stale)
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert "Someone else&#39;s view" in response.get_data(as_text=True)
    fresh = _form(world, summary="Corrected summary", version=str(interaction.version))
    response = client.post(f"/interactions/{interaction.id}/edit", data=fresh)
    assert response.status_code == 302
    page = client.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert "Corrected summary" in page and "What happened" in page  # audit history


def test_rep_delete_is_refused_with_the_reason(client, now, world):
    login(client, world.rep_a)
    response = client.post(f"/interactions/{world.interaction_a.id}/delete", follow_redirects=True)
    assert response.history[0].status_code == 303  # a refused button: back with the reason
    assert "You are not allowed to do this." in response.get_data(as_text=True)
    assert world.interaction_a.deleted_at is None


def test_director_deletes_and_restores(client, now, world):
    login(client, world.director_a)
    interaction = world.interaction_a
    assert client.post(f"/interactions/{interaction.id}/delete").status_code == 303
    assert interaction.deleted_at is not None
    page = client.get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert f"/interactions/{interaction.id}/restore" in page
    assert client.post(f"/interactions/{interaction.id}/restore").status_code == 303
    assert interaction.deleted_at is None


def test_my_day_orders_next_steps_and_done_closes_one(client, now, world):
    today = date(2026, 11, 20)
    make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        next_step="Soon",
        next_step_due=today + timedelta(days=3),
    )
    make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        next_step="Late",
        next_step_due=today - timedelta(days=2),
    )
    due = make_interaction(
        account=world.account_a, owner=world.rep_a, next_step="Now", next_step_due=today
    )
    make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        next_step="Far",
        next_step_due=today + timedelta(days=30),
    )
    make_interaction(
        account=world.account_a, owner=world.rep_a2, next_step="Not mine", next_step_due=today
    )
    login(client, world.rep_a)
    page = client.get("/").get_data(as_text=True).split("My recent contacts")[0]
    # today first, then the coming week, then what is overdue
    assert page.index(">Now<") < page.index("Soon") < page.index("Late")
    assert "Far" not in page and "Not mine" not in page
    assert 'id="log-contact"' in page and f"/accounts/{world.account_a.id}" in page
    assert "/done" in page and "text-danger" in page
    assert f'name="version" value="{due.version}"' in page
    back = f"/#step-{due.id}"
    assert f'name="next" value="{back}"' in page
    response = client.post(f"/interactions/{due.id}/done", data={"next": back, "version": 1})
    assert response.status_code == 303 and response.headers["Location"] == back
    assert due.next_step_done_at == now
    assert ">Now<" not in client.get("/").get_data(as_text=True).split("My recent contacts")[0]


def test_my_day_lists_my_recent_contacts(client, now, world):
    make_interaction(account=world.account_a, owner=world.rep_a, summary="Old one", days_ago=20)
    make_interaction(account=world.account_a, owner=world.rep_a, summary="Fresh one", days_ago=2)
    login(client, world.rep_a)
    page = client.get("/").get_data(as_text=True)
    assert "Fresh one" in page and "Old one" not in page


def test_account_page_timeline_highlights_overdue_next_step(client, now, world):
    make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        summary="Quote promised",
        next_step="Send quote",
        next_step_due=date(2026, 11, 1),
    )
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "Quote promised" in page and "overdue" in page and "timeline-item" in page
