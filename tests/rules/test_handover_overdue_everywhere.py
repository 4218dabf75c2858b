"""A handover is overdue when its checklist is not complete and its due date is before the
company's today (Handover.is_overdue): one due yesterday with one item still unproven is marked
on the list and its page, said by the API and reminded by the job; one due today is not."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.extensions import db
from salesflow.handovers import checklist, services
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import api_as, login
from tests.handovers.conftest import plan
from tests.rules.pages import row


@pytest.fixture
def handovers(world, now):
    today, planned = clock.today(now), now - timedelta(days=30)
    late = plan(world, now=planned, due_date=today - timedelta(days=1))
    on_time = plan(world, now=planned, due_date=today)
    services.transfer_roles(late, actor=world.director_a, now=planned + timedelta(hours=1))
    f.make_interaction(  # the joint contact with Zhang Wei; his confirmation is still missing
        account=world.account_a,
        owner=world.rep_a,
        participants=[world.rep_a, world.rep_a2],
        contacts=[world.contact_a],
        occurred_at=planned + timedelta(days=1),
    )
    items = checklist.of(late)
    assert (items.done, items.total) == (2, 3)
    db.session.commit()
    return late, on_time


def test_the_list_and_the_page_mark_it(client, world, handovers):
    late, on_time = handovers
    login(client, world.director_a)
    page = client.get("/handovers").text
    assert "overdue" in row(page, f"/handovers/{late.id}")
    assert "overdue" not in row(page, f"/handovers/{on_time.id}")
    assert " · overdue" in client.get(f"/handovers/{late.id}").text
    assert " · overdue" not in client.get(f"/handovers/{on_time.id}").text


def test_the_api_says_it(app, world, handovers):
    late, on_time = handovers
    api = api_as(app, world.director_a)
    body = api.get(f"/handovers/{late.id}").json
    assert body["overdue"] is True and body["completion"]["done"] == 2
    assert api.get(f"/handovers/{on_time.id}").json["overdue"] is False


def test_the_job_reminds_of_it(world, handovers, now):
    late, _on_time = handovers
    assert runner.run("overdue_handovers", now=now).detail == "2 notifications"
    told = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "handover_overdue")
    ).all()
    assert {(n.user_id, n.link) for n in told} == {
        (world.rep_a2.id, f"/handovers/{late.id}"),
        (world.director_a.id, f"/handovers/{late.id}"),
    }
    assert {n.params["open"] for n in told} == {1}
