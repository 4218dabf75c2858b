"""Handover pages: planning from the page, the handover page with ✓/✗ per item, how to do each
(the prefilled quick log, the transfer button, the successor's confirm form) and the risk before
and now; reps are read-only; outside the scope is a 404."""

import re

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.handovers import services
from salesflow.handovers.models import Handover
from tests import factories as f
from tests.conftest import login
from tests.handovers.conftest import plan, state


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Handover))


def test_the_planning_page_gives_each_element_its_own_id(client, world, now):
    """A label points at one field: the person picker and the form's hidden copy of the person
    must not share an id."""
    db.session.commit()
    login(client, world.leader)
    page = client.get(f"/handovers/new?from_user_id={world.rep_a.id}").text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_leadership_plans_a_handover_from_the_page(client, world, now):
    db.session.commit()
    login(client, world.leader)
    page = client.get("/handovers/new").text
    assert f'<option value="{world.rep_a.id}">Li Ming</option>' in page
    page = client.get(f"/handovers/new?from_user_id={world.rep_a.id}").text
    assert f'value="{world.account_a.id}" id="account-{world.account_a.id}" checked' in page
    assert f'value="{world.shared.id}" id="account-{world.shared.id}" checked' in page  # a tie
    assert "Nanfang Grid" not in page
    response = client.post(
        f"/handovers/new?from_user_id={world.rep_a.id}",
        data={
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a2.id,
            "due_date": "2026-12-15",
            "account_ids": [world.account_a.id],
        },
    )
    assert response.status_code == 302
    handover = db.session.scalar(sa.select(Handover))
    assert response.headers["Location"].split("#")[0] == f"/handovers/{handover.id}"
    assert (handover.from_user_id, handover.to_user_id, handover.account_ids) == (
        world.rep_a.id,
        world.rep_a2.id,
        [world.account_a.id],
    )


def test_planning_with_bad_input_shows_every_problem_and_saves_nothing(client, world, now):
    db.session.commit()
    login(client, world.director_a)
    response = client.post(
        f"/handovers/new?from_user_id={world.rep_a.id}",
        data={
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a.id,
            "due_date": "2026-11-01",
        },
    )
    assert response.status_code == 422
    for message in (
        "Choose someone other than the person who hands over.",
        "The due date cannot be in the past.",
        "Choose at least one account.",
    ):
        assert message in response.text
    assert _count() == 0


def test_reps_neither_plan_nor_see_the_menu(client, world, now):
    login(client, world.rep_a)
    assert client.get("/handovers/new").status_code == 403
    assert 'href="/handovers"' not in client.get("/").text
    login(client, world.director_a)
    assert 'href="/handovers"' in client.get("/").text


def test_the_handover_page_shows_each_item_and_how_to_do_it(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    page = client.get(f"/handovers/{handover.id}").text
    assert "0%" in page and "0 of 3 items proven by the data" in page
    assert page.count("✗") == 3 and 'id="transfer-roles"' in page
    assert "Li Ming is still on the account team as AR · account responsible." in page
    assert "waiting for Zhao Lei" in page and "confirm-form" not in page  # not the successor
    assert re.search(r"Risk: <span[^>]*>High</span> → <span[^>]*>High</span>", page)
    # the risk now in the dependency report's colours (red for high)
    assert '<span class="badge text-bg-danger" title="Now">High</span>' in page


def test_the_page_names_the_deals_whose_roles_are_still_to_transfer(client, world, now):
    deal = f.make_opportunity(
        account=world.account_a, name="Grid upgrade", roles={world.rep_a: "AR"}
    )
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    page = client.get(f"/handovers/{handover.id}").text
    assert f'<a href="/opportunities/{deal.id}">Grid upgrade</a> (AR)' in page


def test_the_joint_contact_link_opens_the_quick_log_with_both_people(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.rep_a2)
    page = client.get(f"/handovers/{handover.id}").text
    link = re.search(r'class="joint-log" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.endswith(f"next=/handovers/{handover.id}")
    form = client.get(link).text
    contact, old, new = world.contact_a.id, world.rep_a.id, world.rep_a2.id
    assert f'value="{contact}" id="contact-{contact}" checked' in form
    assert f'value="{old}" id="participant-{old}" checked' in form
    assert f'value="{new}" id="participant-{new}" checked' in form
    response = client.post(
        link,
        data={
            "account_id": world.account_a.id,
            "kind": "meeting",
            "occurred_at": "2026-11-20T17:30",
            "contact_ids": [contact],
            "participant_ids": [old, new],
            "summary": "Introduction",
            "next": f"/handovers/{handover.id}",
        },
    )
    assert response.headers["Location"].split("#")[0] == f"/handovers/{handover.id}"
    assert state(handover)["items"][("joint_contact", contact)] is True


def test_the_planner_transfers_the_roles_from_the_page(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    response = client.post(f"/handovers/{handover.id}/transfer", follow_redirects=True)
    assert "Roles transferred on 1 account teams and deals." in response.text
    assert [m.user_id for m in world.account_a.members] == [world.rep_a2.id]
    assert "33%" in response.text


def test_the_successor_confirms_and_nobody_else_can(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    url = f"/handovers/{handover.id}/contacts/{world.contact_a.id}/confirm"
    login(client, world.rep_a)  # the old person sees the page but cannot confirm
    assert 'id="confirm-all"' not in client.get(f"/handovers/{handover.id}").text
    refused = client.post(
        url, data={"attitude": "champion", "influence": "high"}, follow_redirects=True
    )
    assert "Only the successor confirms the decision chain." in refused.text
    assert state(handover)["items"][("confirmed", world.contact_a.id)] is False
    login(client, world.rep_a2)
    page = client.get(f"/handovers/{handover.id}").text
    assert "I confirm attitude" in page and 'id="transfer-roles"' not in page
    # the choices start from what is recorded now (Zhang Wei: high influence, attitude unknown)
    influence = re.search(r'<select aria-label="Influence of Zhang Wei".*?</select>', page).group()
    assert '<option selected value="high">High</option>' in influence
    attitude = re.search(r'<select aria-label="Attitude of Zhang Wei".*?</select>', page).group()
    assert '<option selected value="unknown">Unknown</option>' in attitude
    done = client.post(
        url, data={"attitude": "supporter", "influence": "high"}, follow_redirects=True
    )
    assert "You confirmed Zhang Wei&#39;s attitude and influence." in done.text
    assert world.contact_a.attitude == "supporter" and "✓" in done.text
    assert state(handover)["items"][("confirmed", world.contact_a.id)] is True


def test_outside_the_scope_is_404(client, world, now):
    handover = plan(world, now=now)
    db.session.commit()
    login(client, world.rep_b)
    assert client.get(f"/handovers/{handover.id}").status_code == 404
    assert client.post(f"/handovers/{handover.id}/transfer").status_code == 404
    assert client.get("/handovers/999999").status_code == 404


def test_the_list_shows_visible_handovers_with_their_completion(client, world, now):
    plan(world, now=now)
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/handovers").text
    assert "Li Ming → Zhao Lei" in page and "0%" in page and "0 of 3" in page
    login(client, world.director_b)
    assert "Li Ming → Zhao Lei" not in client.get("/handovers").text


def test_planning_without_a_csrf_token_is_refused(app, client, world, now, monkeypatch):
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.leader)
    response = client.post(
        "/handovers/new",
        data={
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a2.id,
            "due_date": "2026-12-15",
            "account_ids": [world.account_a.id],
        },
    )
    assert response.status_code == 400 and _count() == 0


def test_a_complete_handover_shows_100_and_the_proofs(client, world, now):
    handover = plan(world, now=now)
    services.transfer_roles(handover, actor=world.director_a, now=now)
    joint = f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        contacts=[world.contact_a],
        participants=[world.rep_a, world.rep_a2],
    )
    services.confirm_contact(handover, world.contact_a.id, {}, actor=world.rep_a2, now=now)
    db.session.commit()
    login(client, world.leader)
    page = client.get(f"/handovers/{handover.id}").text
    assert "100%" in page and page.count("✓") == 3 and "✗" not in page
    assert f'href="/interactions/{joint.id}"' in page
    assert "100%" in client.get("/handovers").text
