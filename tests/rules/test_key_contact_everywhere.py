"""A key contact is current and a decision maker or of high influence (Contact.is_key): a contact
of high influence who is no decision maker counts as key in the dependency report, the handover's
checklist (page and API) and the reminder of idle key contacts; one of medium influence nowhere."""

import pytest
import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import api_as, login
from tests.handovers.conftest import plan


@pytest.fixture
def people(world, now):
    account = f.make_account(
        team=world.team_a, name="Key Steel", tier="A", members={world.rep_a: "AR"}
    )
    chief = f.make_contact(
        account=account, name="Chief Engineer", decision_role="user", influence="high"
    )
    clerk = f.make_contact(account=account, name="Clerk", decision_role="user", influence="medium")
    return account, chief, clerk


def test_the_rule_in_python_and_in_sql(world, people):
    account, chief, clerk = people
    assert chief.is_key and not clerk.is_key
    keys = db.session.scalars(
        sa.select(Contact.id).where(Contact.account_id == account.id, Contact.is_key)
    ).all()
    assert keys == [chief.id]


def test_the_dependency_report_counts_them(app, world, people):
    account, chief, _clerk = people
    items = api_as(app, world.director_a).get("/reports/dependency").json["items"]
    mine = next(i for i in items if i["account_id"] == account.id)
    assert mine["key_contacts"] == 1 and mine["uncovered_key_contacts"] == [chief.id]


def test_the_handover_checklist_lists_them(app, client, world, people, now):
    account, chief, clerk = people
    handover = plan(world, accounts=[account], now=now)
    assert handover.accounts[0].key_contact_ids == [chief.id]
    db.session.commit()
    items = api_as(app, world.director_a).get(f"/handovers/{handover.id}").json["items"]
    assert {i["contact_id"] for i in items} == {None, chief.id}
    page = login(client, world.director_a).get(f"/handovers/{handover.id}").text
    assert "Chief Engineer" in page and "Clerk" not in page


def test_the_idle_reminder_tells_of_them(world, people, now):
    _account, chief, _clerk = people
    assert runner.run("idle_key_contacts", now=now).detail == "1 notification"
    told = db.session.execute(sa.select(Notification.user_id, Notification.link)).all()
    assert told == [(world.rep_a.id, f"/contacts/{chief.id}")]
