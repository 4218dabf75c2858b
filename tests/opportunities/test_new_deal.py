"""A new deal takes the account's iron triangle (issue 14): its AR, SR and FR from the account
team instead of a lone AR and an unmet "No active SR"; the seat pickers offer only people who
can see the account, named with their team (and their e-mail when two share a name)."""

import re

import pytest
import sqlalchemy as sa

from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import queries, services
from salesflow.opportunities.models import Opportunity, OpportunityRole, TriangleRole
from tests import factories as f
from tests.conftest import api_as, login


def _seats(deal_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OpportunityRole.role, OpportunityRole.user_id).where(
            OpportunityRole.opportunity_id == deal_id
        )
    )
    return {role.value: user_id for role, user_id in rows}


def _data(account, **extra):
    return {"account_id": account.id, "name": "Substation", "playbook": "enterprise", **extra}


@pytest.fixture
def staffed(world):
    """An account of team A with an SR and an FR on its team (rep_a is its AR)."""
    sr = f.make_user(team=world.team_a, name="Sun Rui")
    fr = f.make_user(team=world.team_a, name="Fu Rong")
    left = f.make_user(team=world.team_a, name="Le Ft", active=False)
    account = f.make_account(
        team=world.team_a,
        name="Taihu Water",
        members={world.rep_a: "AR", sr: "SR", fr: "FR", left: "member"},
    )
    return account, sr, fr


def test_a_new_deal_takes_the_account_teams_ar_sr_and_fr(world, staffed, now):
    account, sr, fr = staffed
    deal = services.create_opportunity(_data(account), actor=world.rep_a2, now=now)
    assert _seats(deal.id) == {"AR": world.rep_a.id, "SR": sr.id, "FR": fr.id}


def test_the_creator_is_ar_when_the_account_has_none_and_a_leaver_takes_no_seat(world, now):
    left = f.make_user(team=world.team_a, name="Gone Away", active=False)
    account = f.make_account(team=world.team_a, members={left: "SR"})
    deal = services.create_opportunity(_data(account), actor=world.rep_a2, now=now)
    assert _seats(deal.id) == {"AR": world.rep_a2.id}


def test_seats_chosen_at_creation_replace_the_account_teams(world, staffed, now):
    account, sr, _ = staffed
    roles = [{"user_id": world.rep_a2.id, "role": "AR"}, {"user_id": sr.id, "role": "FR"}]
    deal = services.create_opportunity(_data(account, roles=roles), actor=world.rep_a, now=now)
    assert _seats(deal.id) == {"AR": world.rep_a2.id, "FR": sr.id}


def test_a_seat_for_someone_who_cannot_see_the_account_is_refused_and_nothing_is_saved(
    world, staffed, now
):
    account, _, _ = staffed
    roles = [{"user_id": world.rep_b.id, "role": "SR"}]
    before = db.session.scalar(sa.select(sa.func.count(Opportunity.id)))
    with pytest.raises(ValidationFailed) as refused:
        services.create_opportunity(_data(account, roles=roles), actor=world.rep_a, now=now)
    assert refused.value.fields == {
        "roles": ["Wang Fang cannot see this account, so cannot work its deals."]
    }
    assert db.session.scalar(sa.select(sa.func.count(Opportunity.id))) == before


def test_the_new_deals_first_gate_is_met_by_the_account_teams_seats(app, world, staffed, now):
    account, sr, _ = staffed
    api = api_as(app, world.rep_a)
    created = api.post(
        "/opportunities", json={"account_id": account.id, "name": "Pumps", "playbook": "enterprise"}
    ).get_json()
    gates = api.get(f"/opportunities/{created['id']}/gates").get_json()
    roles = next(g for g in gates["gates"] if g["gate"] == "roles")
    assert roles["met"] is True, roles["message"]
    assert {r["role"]: r["user_id"] for r in created["roles"]}["SR"] == sr.id


def test_seat_pickers_offer_whoever_sees_the_account_with_their_team(world, staffed):
    account, sr, fr = staffed
    twin = f.make_user(team=world.team_a, name="Sun Rui", email="sun.rui2@example.com")
    offered = dict(queries.seat_people(account))
    assert world.rep_b.id not in offered  # team B, not on this account's team
    assert world.director_b.id not in offered and world.admin.id not in offered
    assert offered[world.rep_a.id] == "Li Ming (North)"
    assert offered[world.leader.id] == "Chen Jie"  # no team: the name alone
    assert offered[twin.id] == "Sun Rui (North, sun.rui2@example.com)"
    assert offered[sr.id] == f"Sun Rui (North, {sr.email})"
    shared = dict(queries.seat_people(world.shared))
    assert shared[world.rep_b.id] == "Wang Fang (South)"  # on the shared account's team


def test_the_new_deal_form_is_prefilled_with_the_account_team(client, world, staffed):
    account, sr, fr = staffed
    db.session.commit()
    login(client, world.rep_a2)
    page = client.get(f"/opportunities/new?account_id={account.id}").text
    for name, user in (("ar_id", world.rep_a), ("sr_id", sr), ("fr_id", fr)):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        assert re.search(rf'<option selected value="{user.id}">', select), name
        assert "Wang Fang" not in select
    response = client.post(
        f"/opportunities/new?account_id={account.id}",
        data={
            "name": "Water meters",
            "playbook": "enterprise",
            "currency": "CNY",
            "ar_id": str(world.rep_a.id),
            "sr_id": str(sr.id),
            "fr_id": "",
        },
    )
    assert response.status_code == 302
    deal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _seats(deal_id) == {"AR": world.rep_a.id, "SR": sr.id}


def test_the_new_deal_form_refuses_a_seat_outside_the_account_with_its_message(
    client, world, staffed
):
    account, _, _ = staffed
    db.session.commit()
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/new?account_id={account.id}",
        data={"name": "X", "playbook": "enterprise", "currency": "CNY", "sr_id": world.rep_b.id},
    )
    assert response.status_code == 422
    assert "Wang Fang cannot see this account" in response.text


def test_the_roles_page_offers_only_people_who_see_the_account(client, world, staffed):
    account, sr, _ = staffed
    deal = f.make_opportunity(account=account, roles={world.rep_a: TriangleRole.AR})
    db.session.commit()
    login(client, world.rep_a)
    page = client.get(f"/opportunities/{deal.id}/roles").text
    assert "Sun Rui (North)" in page and "Wang Fang" not in page
