"""Reschedule a next step ("snooze to…" on My day): the service's rules, the page (with and
without htmx), the API and the scope."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions import services
from tests.conftest import api_as, login
from tests.factories import make_interaction

TODAY = date(2026, 11, 20)  # the frozen clock's day in Shanghai (a Friday)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def step(world):
    return make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        next_step="Send the quote",
        next_step_due=TODAY - timedelta(days=3),
    )


def _audits(interaction) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity_type == "interactions", AuditEntry.entity_id == interaction.id
            )
        )
    )


# The service -------------------------------------------------------------------------------------


def test_moves_the_due_day_and_audits_it(now, world, step):
    version = step.version
    services.reschedule_next_step(
        step, {"due": TODAY + timedelta(days=3), "version": version}, actor=world.rep_a, now=now
    )
    assert step.next_step_due == date(2026, 11, 23) and step.version == version + 1
    assert not step.step_overdue(TODAY)
    [entry] = _audits(step)
    assert entry.changes == {"next_step_due": ["2026-11-17", "2026-11-23"]}
    assert entry.actor_id == world.rep_a.id and entry.account_id == world.account_a.id


def test_today_is_allowed(now, world, step):
    services.reschedule_next_step(
        step, {"due": TODAY, "version": step.version}, actor=world.rep_a, now=now
    )
    assert step.next_step_due == TODAY


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (TODAY - timedelta(days=1), "Choose today or a later day."),
        (None, "Choose a day."),
        ("2026-11-30", "Enter a date."),  # a text, not a date: the form or API parses first
        (date(1850, 1, 1), None),  # out of the app's range: its own message
    ],
)
def test_a_past_missing_or_bad_day_is_refused_and_nothing_changes(now, world, step, due, message):
    with pytest.raises(ValidationFailed) as refused:
        services.reschedule_next_step(
            step, {"due": due, "version": step.version}, actor=world.rep_a, now=now
        )
    assert list(refused.value.fields) == ["due"]
    if message:
        assert refused.value.fields["due"] == [message]
    assert step.next_step_due == TODAY - timedelta(days=3) and _audits(step) == []


def test_a_stale_version_conflicts_and_a_missing_one_is_refused(now, world, step):
    day = TODAY + timedelta(days=1)
    with pytest.raises(Conflict):
        services.reschedule_next_step(
            step, {"due": day, "version": step.version + 1}, actor=world.rep_a, now=now
        )
    with pytest.raises(ValidationFailed) as refused:
        services.reschedule_next_step(step, {"due": day}, actor=world.rep_a, now=now)
    assert "version" in refused.value.fields
    assert step.next_step_due == TODAY - timedelta(days=3)


def test_a_done_step_or_none_cannot_be_moved(now, world, step):
    services.complete_next_step(step, {"version": step.version}, actor=world.rep_a, now=now)
    with pytest.raises(ValidationFailed) as refused:
        services.reschedule_next_step(
            step, {"due": TODAY, "version": step.version}, actor=world.rep_a, now=now
        )
    assert refused.value.fields == {"next_step": ["This next step is already done."]}
    plain = world.interaction_a  # no next step at all
    with pytest.raises(ValidationFailed) as refused:
        services.reschedule_next_step(
            plain, {"due": TODAY, "version": plain.version}, actor=world.rep_a, now=now
        )
    assert refused.value.fields == {"next_step": ["There is no next step."]}


def test_only_who_may_edit_the_interaction_moves_it(now, world, step):
    data = {"due": TODAY + timedelta(days=1), "version": step.version}
    with pytest.raises(Forbidden):  # a rep of the same team who took no part
        services.reschedule_next_step(step, data, actor=world.rep_a2, now=now)
    services.reschedule_next_step(step, data, actor=world.director_a, now=now)
    assert step.next_step_due == TODAY + timedelta(days=1)


# The page ----------------------------------------------------------------------------------------


def test_snooze_without_javascript_goes_back_to_the_row(client, now, world, step):
    login(client, world.rep_a)
    back = f"/#step-{step.id}"
    response = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "2026-11-23", "version": str(step.version), "next": back},
    )
    assert response.status_code == 303 and response.headers["Location"] == back
    assert step.next_step_due == date(2026, 11, 23)
    page = client.get(back).text
    assert "Next step moved to" in page
    upcoming = page.split('id="steps-upcoming"', 1)[1].split("</section>", 1)[0]
    assert f'id="step-{step.id}"' in upcoming


def test_my_day_offers_tomorrow_next_monday_and_a_picked_day(client, now, world, step):
    page = login(client, world.rep_a).get("/").text
    row = page.split(f'id="step-{step.id}"', 1)[1].split("</li>", 1)[0]
    assert f'hx-post="/interactions/{step.id}/reschedule"' in row
    assert f'hx-target="#step-{step.id}"' in row and 'hx-swap="outerHTML"' in row
    assert 'name="due" value="2026-11-21"' in row and 'name="due" value="2026-11-23"' in row
    assert 'type="date" name="due"' in row and 'min="2026-11-20"' in row
    assert 'name="csrf_token"' in row


def test_htmx_gets_the_row_alone_after_done_and_after_snooze(client, now, world, step):
    login(client, world.rep_a)
    moved = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "2026-11-21", "version": str(step.version)},
        headers=HTMX,
    )
    assert moved.status_code == 200
    row = moved.text
    assert row.lstrip().startswith("<li") and "<html" not in row
    assert f'id="step-{step.id}"' in row and "Next step moved to" in row
    assert f'name="version" value="{step.version}"' in row  # the next action names the new one
    done = client.post(
        f"/interactions/{step.id}/done", data={"version": str(step.version)}, headers=HTMX
    )
    assert done.status_code == 200 and "Next step done." in done.text
    assert "next-step-done" in done.text and "/done" not in done.text  # no second Done
    assert step.next_step_done_at == now
    # nothing was flashed for the next page load
    assert "Next step done." not in client.get("/").text


def test_htmx_refusal_is_said_in_the_row_and_nothing_changes(client, now, world, step):
    login(client, world.rep_a)
    stale = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "2026-11-21", "version": str(step.version + 1)},
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert 'role="alert"' in stale.text and f'id="step-{step.id}"' in stale.text
    past = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "2026-11-19", "version": str(step.version)},
        headers=HTMX,
    )
    assert past.status_code == 422 and "Choose today or a later day." in past.text
    garbled = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "next week", "version": str(step.version)},
        headers=HTMX,
    )
    assert garbled.status_code == 422 and "Enter the date as YYYY-MM-DD." in garbled.text
    db.session.refresh(step)
    assert step.next_step_due == TODAY - timedelta(days=3) and _audits(step) == []


def test_a_bad_day_without_javascript_is_a_flash_back_on_my_day(client, now, world, step):
    login(client, world.rep_a)
    response = client.post(
        f"/interactions/{step.id}/reschedule",
        data={"due": "2026-11-19", "version": str(step.version), "next": "/"},
        follow_redirects=True,
    )
    assert "Choose today or a later day." in response.text
    db.session.refresh(step)
    assert step.next_step_due == TODAY - timedelta(days=3)


def test_another_teams_rep_gets_404(client, now, world, step):
    login(client, world.rep_b)
    for headers in ({}, HTMX):
        response = client.post(
            f"/interactions/{step.id}/reschedule",
            data={"due": "2026-11-21", "version": str(step.version)},
            headers=headers,
        )
        assert response.status_code == 404
    assert step.next_step_due == TODAY - timedelta(days=3)


# The API -----------------------------------------------------------------------------------------


def test_api_reschedules(app, now, world, step):
    api = api_as(app, world.rep_a)
    response = api.post(
        f"/interactions/{step.id}/reschedule", json={"due": "2026-11-23", "version": step.version}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_step_due"] == "2026-11-23" and body["version"] == step.version


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"due": "2026-11-19"}, 422),  # a past day
        ({"due": "23/11/2026"}, 422),  # not YYYY-MM-DD
        ({"due": "2026-02-30"}, 422),
        ({}, 422),  # no day
        ({"due": "2026-11-23", "version": None}, 422),
    ],
)
def test_api_refuses_bad_input(app, now, world, step, body, status):
    api = api_as(app, world.rep_a)
    response = api.post(
        f"/interactions/{step.id}/reschedule", json={"version": step.version, **body}
    )
    assert response.status_code == status
    assert response.get_json()["error"]["fields"]
    db.session.refresh(step)
    assert step.next_step_due == TODAY - timedelta(days=3)


def test_api_stale_version_is_409(app, now, world, step):
    api = api_as(app, world.rep_a)
    response = api.post(
        f"/interactions/{step.id}/reschedule",
        json={"due": "2026-11-23", "version": step.version + 1},
    )
    assert response.status_code == 409


def test_api_another_teams_rep_gets_404_and_a_teammate_403(app, now, world, step):
    body = {"due": "2026-11-23", "version": step.version}
    path = f"/interactions/{step.id}/reschedule"
    assert api_as(app, world.rep_b).post(path, json=body).status_code == 404
    assert api_as(app, world.rep_a2).post(path, json=body).status_code == 403


def test_in_place_after_the_session_ended_goes_to_the_login_page_not_into_the_row(
    app, client, monkeypatch, world, step
):
    """htmx would follow a redirect and swap the login page into the row: it is told to go
    there instead, and a form too old for its CSRF token reloads the page."""
    db.session.commit()
    ended = client.post(f"/interactions/{step.id}/done", data={"version": 1}, headers=HTMX)
    assert ended.status_code == 204 and ended.data == b""
    assert ended.headers["HX-Redirect"].startswith("/login?next=")
    plain = client.post(f"/interactions/{step.id}/done", data={"version": 1})
    assert plain.status_code == 302 and "HX-Redirect" not in plain.headers  # a page: as before
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.rep_a)
    stale = client.post(f"/interactions/{step.id}/done", data={"version": 1}, headers=HTMX)
    assert stale.status_code == 400 and stale.headers["HX-Refresh"] == "true"
    assert step.next_step_done_at is None
