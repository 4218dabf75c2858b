"""Issue 14: a handover is proven by the people involved. A joint contact counts only when the
person handing over and the successor both took part and one of them logged it; "Plan a joint
contact" plans a day to come and proves nothing; the successor confirms several contacts in one
form, sees the handover in the menu and on My day."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.handovers import detail, services
from salesflow.interactions.models import Interaction
from salesflow.ties.models import TieTouch
from tests import factories as f
from tests.conftest import login
from tests.handovers.conftest import plan, state


@pytest.mark.parametrize("who, counts", [("rep_a", True), ("rep_a2", True), ("director_a", False)])
def test_a_joint_contact_counts_only_when_one_of_the_two_logged_it(world, now, later, who, counts):
    handover = plan(world, now=now)
    owner = getattr(world, who)
    participants = list(dict.fromkeys([world.rep_a, world.rep_a2, owner]))
    f.make_interaction(
        account=world.account_a,
        owner=owner,
        participants=participants,
        contacts=[world.contact_a],
        occurred_at=later,
    )
    assert state(handover)["items"][("joint_contact", world.contact_a.id)] is counts


def test_a_contact_without_the_successor_proves_nothing(world, now, later):
    handover = plan(world, now=now)
    f.make_interaction(
        account=world.account_a, owner=world.rep_a, contacts=[world.contact_a], occurred_at=later
    )
    assert state(handover)["items"][("joint_contact", world.contact_a.id)] is False


def test_planning_a_joint_contact_records_a_day_to_come_and_no_contact(world, now):
    handover = plan(world, now=now)
    interactions = db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))
    touches = db.session.scalar(sa.select(sa.func.count()).select_from(TieTouch))
    day = date(2026, 11, 25)
    assert (
        services.plan_joint_contact(
            handover, world.contact_a.id, {"due": day}, actor=world.rep_a2, now=now
        )
        == day
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == interactions
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TieTouch)) == touches
    assert state(handover)["items"][("joint_contact", world.contact_a.id)] is False
    page = detail.build(handover, world.rep_a2, now)
    row = page.accounts[0].contacts[0]
    assert row.planned == day and row.may_plan


@pytest.mark.parametrize(
    "due, field",
    [(None, "due"), (date(2026, 11, 19), "due"), ("2026-11-25", "due")],
)
def test_a_plan_needs_a_day_from_today_on(world, now, due, field):
    handover = plan(world, now=now)
    with pytest.raises(ValidationFailed) as refused:
        services.plan_joint_contact(
            handover, world.contact_a.id, {"due": due}, actor=world.rep_a2, now=now
        )
    assert field in refused.value.fields
    entries = sa.select(AuditEntry).where(AuditEntry.action == "plan_joint")
    assert db.session.scalars(entries).all() == []


def test_who_may_plan_a_joint_contact(world, now):
    handover = plan(world, now=now)
    for outsider in (world.rep_b, world.director_b):
        with pytest.raises(Forbidden):
            services.plan_joint_contact(
                handover, world.contact_a.id, {"due": now.date()}, actor=outsider, now=now
            )
    with pytest.raises(NotFound):  # not a key contact of this handover
        services.plan_joint_contact(
            handover, world.contact_b.id, {"due": now.date()}, actor=world.rep_a2, now=now
        )
    for insider in (world.rep_a, world.rep_a2, world.director_a, world.leader):
        services.plan_joint_contact(
            handover, world.contact_a.id, {"due": now.date()}, actor=insider, now=now
        )


def test_the_page_plans_a_joint_contact(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.rep_a2)
    page = client.get(f"/handovers/{handover.id}").text
    assert 'class="row g-2 align-items-center mt-1 plan-joint-form"' in page
    url = f"/handovers/{handover.id}/contacts/{world.contact_a.id}/plan"
    refused = client.post(url, data={"due": "2020-01-01"}, follow_redirects=True)
    assert "Choose a day from today on" in refused.text
    done = client.post(url, data={"due": "2026-11-27"}, follow_redirects=True)
    assert "Joint contact planned for" in done.text and "planned for" in done.text
    login(client, world.rep_b)
    assert client.post(url, data={"due": "2026-11-27"}).status_code == 404


def _second_key_contact(world):
    contact = f.make_contact(
        account=world.account_a, name="Qian Hua", decision_role="decision_maker", influence="high"
    )
    f.make_interaction(account=world.account_a, owner=world.rep_a, contacts=[contact])
    return contact


def test_the_successor_confirms_several_contacts_in_one_form(client, world, now):
    second = _second_key_contact(world)
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.rep_a2)
    page = client.get(f"/handovers/{handover.id}").text
    assert page.count('form="confirm-all"') == 6  # a tick and two selects per contact
    one, two = world.contact_a.id, second.id
    response = client.post(
        f"/handovers/{handover.id}/confirm",
        data={
            "contact_ids": [one, two],
            f"c{one}-attitude": "supporter",
            f"c{one}-influence": "high",
            f"c{two}-attitude": "skeptic",
            f"c{two}-influence": "medium",
        },
        follow_redirects=True,
    )
    assert "You confirmed 2 contacts" in response.text
    assert world.contact_a.attitude == "supporter" and second.attitude == "skeptic"
    items = state(handover)["items"]
    assert items[("confirmed", one)] and items[("confirmed", two)]


@pytest.mark.parametrize("ticked", [[], ["abc"], ["{b}"]])
def test_a_bad_confirmation_saves_nothing(client, world, now, ticked):
    second = _second_key_contact(world)
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.rep_a2)
    ids = [world.contact_a.id] + [t.format(b=world.contact_b.id) for t in ticked]
    response = client.post(
        f"/handovers/{handover.id}/confirm",
        data={"contact_ids": ids if ticked else []},
        follow_redirects=True,
    )
    expected = "Tick at least one contact." if not ticked else "not key contacts of this handover"
    assert expected in response.text
    items = state(handover)["items"]
    assert not items[("confirmed", world.contact_a.id)] and not items[("confirmed", second.id)]


def test_only_the_successor_confirms_in_one_form(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    response = client.post(
        f"/handovers/{handover.id}/confirm",
        data={"contact_ids": [world.contact_a.id]},
        follow_redirects=True,
    )
    assert "Only the successor confirms the decision chain." in response.text
    assert not state(handover)["items"][("confirmed", world.contact_a.id)]


def test_my_day_lists_the_handovers_received_with_the_planned_joint_contacts(world, now):
    handover = plan(world, now=now)
    services.plan_joint_contact(
        handover,
        world.contact_a.id,
        {"due": now.date() + timedelta(days=3)},
        actor=world.rep_a,
        now=now,
    )
    received = detail.for_my_day(world.rep_a2, now)
    assert [r.handover.id for r in received] == [handover.id]
    assert [(p.contact.id, p.day) for p in received[0].planned] == [
        (world.contact_a.id, now.date() + timedelta(days=3))
    ]
    assert received[0].from_person.name == "Li Ming" and not received[0].from_person.left
    assert detail.for_my_day(world.rep_a, now) == []  # the person handing over receives nothing
    f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        participants=[world.rep_a, world.rep_a2],
        contacts=[world.contact_a],
        occurred_at=now + timedelta(minutes=5),
    )
    assert detail.for_my_day(world.rep_a2, now)[0].planned == []  # proven: no longer planned


def test_the_handover_page_marks_a_person_who_left(client, world, now):
    handover = plan(world, now=now)
    world.rep_a.active = False
    db.session.commit()
    login(client, world.director_a)
    people = client.get(f"/handovers/{handover.id}").text.split('id="handover-people"', 1)[1]
    assert re.search(r"Li Ming</span> <span class=\"badge[^\"]*\"[^>]*>left</span>", people[:600])


def test_the_list_marks_a_person_who_left(client, world, now):
    plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    assert ">left</span>" not in client.get("/handovers").text
    world.rep_a.active = False
    db.session.commit()
    assert ">left</span>" in client.get("/handovers").text


def test_my_day_shows_the_successor_the_handover_and_its_planned_joint_contact(client, world, now):
    handover = plan(world, now=now)
    services.plan_joint_contact(
        handover, world.contact_a.id, {"due": date(2026, 11, 24)}, actor=world.rep_a, now=now
    )
    db.session.commit()
    login(client, world.rep_a2)
    page = client.get("/").text
    section = page.split('id="my-handovers"', 1)[1].split("</section>", 1)[0]
    assert f'href="/handovers/{handover.id}"' in section
    assert "Joint contact with Zhang Wei and Li Ming on" in section
    login(client, world.rep_b)
    assert 'id="my-handovers"' not in client.get("/").text
