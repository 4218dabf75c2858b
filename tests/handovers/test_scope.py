"""Who plans, sees and works a handover: leadership and admins anyone's; a director their own
team's; reps only the handovers they give or receive, read-only; outside the scope is a 404."""

from datetime import date

import pytest

from salesflow import scope
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.handovers import services
from tests import factories as f
from tests.handovers.conftest import plan


@pytest.mark.parametrize("who", ["rep_a", "rep_b"])
def test_reps_cannot_plan_handovers(world, now, who):
    with pytest.raises(Forbidden):
        plan(world, actor=getattr(world, who), now=now)


@pytest.mark.parametrize("who", ["leader", "admin", "director_a"])
def test_leadership_admins_and_the_teams_director_plan(world, now, who):
    assert plan(world, actor=getattr(world, who), now=now).id


def test_leadership_hands_over_across_teams(world, now):
    handover = plan(
        world,
        actor=world.leader,
        to_user_id=world.rep_b.id,
        accounts=[world.account_a, world.account_b],
        now=now,
    )
    assert set(handover.account_ids) == {world.account_a.id, world.account_b.id}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"to_user_id": "rep_b"}, "to_user_id"),
        ({"from_user_id": "rep_b", "to_user_id": "rep_a"}, "from_user_id"),
        ({"accounts": ["account_b"]}, "account_ids"),
    ],
)
def test_a_director_plans_only_within_their_team(world, now, data, field):
    data = {
        k: ([getattr(world, a) for a in v] if k == "accounts" else getattr(world, v).id)
        for k, v in data.items()
    }
    with pytest.raises(ValidationFailed) as error:
        plan(world, actor=world.director_a, now=now, **data)
    assert field in error.value.fields


def test_a_director_hands_over_all_of_a_persons_accounts_in_their_team_only(world, now):
    f.make_opportunity(account=world.account_b, roles={world.rep_a: "SR"})
    handover = plan(world, account_ids=None, now=now)
    assert world.account_b.id not in handover.account_ids


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("rep_a", True),
        ("rep_a2", True),
        ("rep_b", False),
        ("director_a", True),
        ("director_b", False),
        ("leader", True),
        ("admin", True),
    ],
)
def test_who_sees_a_handover(world, now, who, sees):
    handover = plan(world, now=now)
    user = getattr(world, who)
    if sees:
        assert scope.get_handover(user, handover.id) is handover
    else:
        with pytest.raises(NotFound):
            scope.get_handover(user, handover.id)


def test_a_director_sees_handovers_touching_their_teams_accounts_or_people(world, now):
    to_b = plan(world, actor=world.leader, to_user_id=world.rep_b.id, now=now)
    b_account = plan(world, actor=world.leader, accounts=[world.account_b], now=now)
    assert scope.get_handover(world.director_b, to_b.id)
    assert scope.get_handover(world.director_b, b_account.id)


@pytest.mark.parametrize("who", ["rep_a", "rep_a2", "director_b"])
def test_only_planners_transfer_the_roles(world, now, who):
    handover = plan(world, now=now)
    with pytest.raises(Forbidden):
        services.transfer_roles(handover, actor=getattr(world, who), now=now)
    assert [m.user_id for m in world.account_a.members] == [world.rep_a.id]


def test_the_successor_confirms_even_before_seeing_the_account(world, now):
    """A successor from another team works the handover before the roles are theirs."""
    handover = plan(
        world, actor=world.leader, to_user_id=world.rep_b.id, now=now, due_date=date(2026, 12, 31)
    )
    with pytest.raises(NotFound):
        scope.get_account(world.rep_b, world.account_a.id)
    services.confirm_contact(handover, world.contact_a.id, {}, actor=world.rep_b, now=now)
