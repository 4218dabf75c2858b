"""Services and queries behind the admin pages (auth.services, teams.services, teams.queries)."""

import pytest

from salesflow.auth import services as user_services
from salesflow.auth.models import Role
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.teams import queries
from salesflow.teams import services as team_services
from tests.factories import make_user


def test_admin_cannot_deactivate_or_demote_themselves(world, now):
    with pytest.raises(ValidationFailed) as refused:
        user_services.update_user(
            world.admin, {"active": False, "role": Role.rep}, actor=world.admin, now=now
        )
    assert set(refused.value.fields) == {"active", "role"}
    assert world.admin.active is True and world.admin.role == Role.admin


def test_admin_may_deactivate_another_admin(world, now):
    other = make_user(role=Role.admin)
    generation = other.session_generation
    user_services.update_user(other, {"active": False}, actor=world.admin, now=now)
    assert other.active is False and other.session_generation == generation + 1


def test_director_cannot_create_users_or_teams(world, now):
    with pytest.raises(Forbidden):
        user_services.create_user(
            {"name": "X", "email": "x@example.com", "password": "long-enough"},
            actor=world.director_a,
            now=now,
        )
    with pytest.raises(Forbidden):
        team_services.create_team({"name": "West"}, actor=world.director_a, now=now)


def test_create_user_collects_every_problem_at_once(world, now):
    data = {"name": " ", "email": world.rep_a.email, "password": "short", "team_id": 999999}
    with pytest.raises(ValidationFailed) as refused:
        user_services.create_user(data, actor=world.admin, now=now)
    assert set(refused.value.fields) == {"name", "email", "password", "team_id"}


def test_teams_with_sizes_counts_active_users(world):
    world.rep_a2.active = False
    sizes = {team.name: (team.director.name, size) for team, size in queries.teams_with_sizes()}
    assert sizes == {"North": ("Director North", 2), "South": ("Director South", 2)}


def test_director_candidates_are_active_directors_and_admins(world):
    make_user(role=Role.director, name="Gone Boss", active=False)
    names = [u.name for u in queries.director_candidates()]
    assert names == ["Admin", "Director North", "Director South"]


def test_list_users_filters_by_team(world):
    users, more = queries.list_users(team_id=world.team_b.id)
    assert [u.name for u in users] == ["Director South", "Wang Fang"] and not more
