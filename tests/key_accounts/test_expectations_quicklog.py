"""The quick log records a perception in the same form (issue 17): optional (a log without one
keeps no record), linked to the logged contact at its time, and a refused perception keeps no log
either (one unit of work). The edit form does not show the fields."""

from datetime import UTC, datetime

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.key_accounts.expectations_models import PerceptionRecord
from tests.conftest import login


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _form(world, **overrides):
    data = {
        "account_id": str(world.account_a.id),
        "kind": "visit",
        "occurred_at": "2026-11-20T16:00",  # 08:00 UTC, before the frozen 09:30
        "contact_ids": [str(world.contact_a.id)],
        "participant_ids": [str(world.rep_a.id)],
        "summary": "Lunch with the CEO",
    }
    return {**data, **overrides}


def test_the_quick_log_offers_the_perception_fields_and_the_edit_form_does_not(client, world, now):
    login(client, world.rep_a)
    html = client.get(f"/interactions/new?account_id={world.account_a.id}").get_data(as_text=True)
    assert 'id="quicklog-perception"' in html and 'name="perception_source"' in html
    edit = client.get(f"/interactions/{world.interaction_a.id}/edit").get_data(as_text=True)
    assert 'id="quicklog-perception"' not in edit


def test_a_log_without_a_perception_records_none(client, world, now):
    login(client, world.rep_a)
    assert client.post("/interactions/new", data=_form(world)).status_code == 302
    assert _count(PerceptionRecord) == 0


def test_a_log_with_a_perception_records_it_against_the_log(client, world, now):
    login(client, world.rep_a)
    response = client.post(
        "/interactions/new",
        data=_form(world, perceived="2", expected="4", perception_source="meeting"),
    )
    assert response.status_code == 302
    log = db.session.scalars(sa.select(Interaction).order_by(Interaction.id.desc())).first()
    record = db.session.scalars(sa.select(PerceptionRecord)).one()
    assert (record.perceived, record.expected, record.gap, record.source) == (2, 4, -2, "meeting")
    assert (record.interaction_id, record.account_id) == (log.id, world.account_a.id)
    assert record.at == datetime(2026, 11, 20, 8, tzinfo=UTC)  # the contact's time


def test_a_refused_perception_keeps_no_log(client, world, now):
    login(client, world.rep_a)
    before = _count(Interaction)
    response = client.post(
        "/interactions/new", data=_form(world, perceived="4", perception_source="")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a score from 1 to 5." in html and "Choose survey, meeting or complaint." in html
    assert _count(Interaction) == before and _count(PerceptionRecord) == 0


def test_a_log_later_today_records_the_perception_now(client, world, now):
    # 17:45 in Shanghai is 09:45 UTC, after the frozen 09:30: the log keeps its time, the
    # perception is recorded at now, never in the future
    login(client, world.rep_a)
    response = client.post(
        "/interactions/new",
        data=_form(
            world,
            occurred_at="2026-11-20T17:45",
            perceived="5",
            expected="3",
            perception_source="survey",
        ),
    )
    assert response.status_code == 302
    assert db.session.scalars(sa.select(PerceptionRecord)).one().at == now
