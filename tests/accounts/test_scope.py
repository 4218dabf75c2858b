"""Who sees which account, by URL and by API (see the World table in tests/conftest.py)."""

import pytest

from salesflow.accounts import queries
from tests.conftest import api_as, login


def _names(world, user):
    return {a.name for a in queries.page(queries.list_query(user, queries.AccountFilters()))[0]}


def test_list_applies_the_one_visibility_rule(world):
    assert _names(world, world.rep_a) == {"Huadong Power", "Shared Steel"}
    assert _names(world, world.rep_b) == {"Nanfang Grid", "Shared Steel"}
    assert _names(world, world.director_b) == {"Nanfang Grid"}
    assert _names(world, world.leader) == _names(world, world.admin) == {
        "Huadong Power", "Nanfang Grid", "Shared Steel"}  # fmt: skip


@pytest.mark.parametrize("who", ["rep_a", "director_a"])
def test_other_teams_account_is_404_by_url(client, world, who):
    login(client, getattr(world, who))
    assert client.get(f"/accounts/{world.account_b.id}").status_code == 404
    assert client.get(f"/accounts/{world.account_b.id}/edit").status_code == 404
    assert client.get(f"/accounts/{world.account_b.id}/team").status_code == 404


def test_other_teams_account_is_404_by_api(app, world):
    api = api_as(app, world.rep_a)
    assert api.get(f"/accounts/{world.account_b.id}").status_code == 404
    assert api.patch(f"/accounts/{world.account_b.id}", json={"notes": "x"}).status_code == 404
    assert api.get(f"/accounts/{world.account_b.id}/team").status_code == 404
    assert api.put(f"/accounts/{world.account_b.id}/team", json=[]).status_code == 404
    assert api.delete(f"/accounts/{world.account_b.id}").status_code == 404


def test_rep_on_another_teams_account_team_sees_it(client, world):
    login(client, world.rep_b)
    assert client.get(f"/accounts/{world.shared.id}").status_code == 200


def test_deleted_account_is_404_for_reps_and_visible_to_its_director(client, world, now):
    from salesflow.accounts.services import delete_account

    delete_account(world.account_a, actor=world.director_a, now=now)
    login(client, world.rep_a)
    assert client.get(f"/accounts/{world.account_a.id}").status_code == 404
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}")
    assert page.status_code == 200 and b"/restore" in page.data


def test_rep_cannot_delete_by_url_or_api(app, client, world):
    login(client, world.rep_a)
    assert client.post(f"/accounts/{world.account_a.id}/delete").status_code == 403
    assert api_as(app, world.rep_a).delete(f"/accounts/{world.account_a.id}").status_code == 403
    assert world.account_a.deleted_at is None
