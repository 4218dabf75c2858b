"""Who sees which account, by URL and by API (see the World table in tests/conftest.py)."""

import pytest

from salesflow import scope
from salesflow.accounts import queries, services
from salesflow.errors import Forbidden
from salesflow.extensions import db
from tests.conftest import api_as, login

ALL = {"Huadong Power", "Nanfang Grid", "Shared Steel"}


def _names(user):
    return {a.name for a in queries.page(queries.list_query(user, queries.AccountFilters()))[0]}


def test_list_applies_the_one_visibility_rule(world):
    assert _names(world.rep_a) == _names(world.rep_a2) == {"Huadong Power", "Shared Steel"}
    assert _names(world.rep_b) == {"Nanfang Grid", "Shared Steel"}
    assert _names(world.director_a) == {"Huadong Power", "Shared Steel"}
    assert _names(world.director_b) == {"Nanfang Grid"}
    assert _names(world.leader) == _names(world.admin) == ALL


def test_api_list_applies_the_same_rule(app, world):
    for who, expected in [
        ("rep_b", {"Nanfang Grid", "Shared Steel"}),
        ("director_b", {"Nanfang Grid"}),
        ("leader", ALL),
        ("admin", ALL),
    ]:
        items = api_as(app, getattr(world, who)).get("/accounts").get_json()["items"]
        assert {a["name"] for a in items} == expected, who


@pytest.mark.parametrize("who", ["rep_a", "director_a"])
def test_other_teams_account_is_404_by_url(client, world, who):
    login(client, getattr(world, who))
    account_id = world.account_b.id
    for path in ("", "/edit", "/team"):
        assert client.get(f"/accounts/{account_id}{path}").status_code == 404, path
    for path in ("/edit", "/team", "/delete", "/restore"):
        assert client.post(f"/accounts/{account_id}{path}", data={}).status_code == 404, path


@pytest.mark.parametrize("who", ["rep_a", "director_a"])
def test_other_teams_account_is_404_by_api(app, world, who):
    api = api_as(app, getattr(world, who))
    account_id = world.account_b.id
    assert api.get(f"/accounts/{account_id}").status_code == 404
    response = api.patch(f"/accounts/{account_id}", json={"notes": "x", "version": 1})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.get(f"/accounts/{account_id}/team").status_code == 404
    assert api.put(f"/accounts/{account_id}/team", json=[]).status_code == 404
    assert api.delete(f"/accounts/{account_id}").status_code == 404
    assert api.post(f"/accounts/{account_id}/restore").status_code == 404
    assert world.account_b.notes is None and world.account_b.members


def test_unknown_account_is_404_like_a_hidden_one(app, client, world):
    login(client, world.admin)
    assert client.get("/accounts/999999").status_code == 404
    assert api_as(app, world.admin).get("/accounts/999999").status_code == 404


def test_rep_on_another_teams_account_team_sees_it(app, client, world):
    login(client, world.rep_b)
    assert client.get(f"/accounts/{world.shared.id}").status_code == 200
    api = api_as(app, world.rep_b)
    assert api.get(f"/accounts/{world.shared.id}").status_code == 200
    change = {"notes": "ok", "version": world.shared.version}
    assert api.patch(f"/accounts/{world.shared.id}", json=change).status_code == 200


def test_rep_taken_off_the_account_team_loses_sight_of_it(app, world, now):
    services.set_account_team(world.shared, [], actor=world.director_a, now=now)
    assert api_as(app, world.rep_b).get(f"/accounts/{world.shared.id}").status_code == 404


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leadership_and_admin_see_every_account(app, client, world, who):
    login(client, getattr(world, who))
    api = api_as(app, getattr(world, who))
    for account in (world.account_a, world.account_b, world.shared):
        assert client.get(f"/accounts/{account.id}").status_code == 200
        assert api.get(f"/accounts/{account.id}").status_code == 200


def test_deleted_account_is_404_for_reps_and_visible_to_its_director(client, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    for who in ("rep_a", "leader", "director_b"):
        login(client, getattr(world, who))
        assert client.get(f"/accounts/{world.account_a.id}").status_code == 404, who
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}")
    assert page.status_code == 200 and b"/restore" in page.data


def test_rep_cannot_delete_by_url_or_api(app, client, world):
    login(client, world.rep_a)
    refused = client.post(f"/accounts/{world.account_a.id}/delete", follow_redirects=True)
    assert refused.history[0].status_code == 303  # a refused button: back with the reason
    assert "You are not allowed to do this." in refused.get_data(as_text=True)
    assert api_as(app, world.rep_a).delete(f"/accounts/{world.account_a.id}").status_code == 403
    assert world.account_a.deleted_at is None


def test_only_restorers_restore(app, client, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    login(client, world.rep_a)
    assert client.post(f"/accounts/{world.account_a.id}/restore").status_code == 404
    assert (
        api_as(app, world.leader).post(f"/accounts/{world.account_a.id}/restore").status_code == 404
    )
    assert world.account_a.is_deleted
    assert (
        api_as(app, world.admin).post(f"/accounts/{world.account_a.id}/restore").status_code == 200
    )


def test_rep_cannot_create_in_another_team_by_form_or_api(app, client, world):
    login(client, world.rep_a)
    data = {"name": "Sneaky", "team_id": world.team_b.id, "tier": "C"}
    assert client.post("/accounts/new", data=data).status_code == 422
    response = api_as(app, world.rep_a).post(
        "/accounts", json={"name": "Sneaky", "team_id": world.team_b.id}
    )
    assert response.status_code == 422
    assert "Sneaky" not in _names(world.leader)


# --- who changes an account team (scope.can_set_account_team) ----------------------------

# The account team is changed by the director of the account's team, leadership, admins and the
# account's AR; anyone else who sees the account gets 403, and those who do not see it 404.
TEAM_CHANGE = {
    "account_a": {
        "rep_a": 200,
        "rep_a2": 403,
        "rep_b": 404,
        "director_a": 200,
        "director_b": 404,
        "leader": 200,
        "admin": 200,
    },
    # team A's account with rep_b (team B) on its team as SR: he may not replace its people
    "shared": {
        "rep_a": 403,
        "rep_a2": 403,
        "rep_b": 403,
        "director_a": 200,
        "director_b": 404,
        "leader": 200,
        "admin": 200,
    },
    "account_b": {
        "rep_a": 404,
        "rep_a2": 404,
        "rep_b": 200,
        "director_a": 404,
        "director_b": 200,
        "leader": 200,
        "admin": 200,
    },
}
CASES = [(account, who) for account, row in TEAM_CHANGE.items() for who in row]


def _pairs(account) -> list[tuple[int, str]]:
    db.session.expire(account, ["members"])
    return sorted((m.user_id, m.role.value) for m in account.members)


@pytest.mark.parametrize("account, who", CASES)
def test_the_predicate_allows_exactly_the_people_responsible(world, account, who):
    allowed = scope.can_set_account_team(getattr(world, who), getattr(world, account))
    assert allowed is (TEAM_CHANGE[account][who] == 200)


@pytest.mark.parametrize("account, who", CASES)
def test_account_team_put_by_api_is_for_the_people_responsible(app, world, account, who):
    account, expected = getattr(world, account), TEAM_CHANGE[account][who]
    before = _pairs(account)
    members = [
        *({"user_id": u, "role": r} for u, r in before),
        {"user_id": world.rep_a2.id, "role": "member"},
    ]
    response = api_as(app, getattr(world, who)).put(f"/accounts/{account.id}/team", json=members)
    assert response.status_code == expected
    if expected == 403:
        assert response.get_json()["error"]["code"] == "forbidden"
    changed = sorted([*before, (world.rep_a2.id, "member")])
    assert _pairs(account) == (changed if expected == 200 else before)


@pytest.mark.parametrize("account, who", CASES)
def test_account_team_page_is_for_the_people_responsible(client, world, account, who):
    account, expected = getattr(world, account), TEAM_CHANGE[account][who]
    before = _pairs(account)
    db.session.commit()  # a refused request rolls back to here
    login(client, getattr(world, who))
    assert client.get(f"/accounts/{account.id}/team").status_code == expected
    data = {"members-0-user_id": world.rep_a2.id, "members-0-role": "member"}
    response = client.post(f"/accounts/{account.id}/team", data=data)
    assert response.status_code == (302 if expected == 200 else expected)
    assert _pairs(account) == ([(world.rep_a2.id, "member")] if expected == 200 else before)


@pytest.mark.parametrize("account, who", [c for c in CASES if TEAM_CHANGE[c[0]][c[1]] != 404])
def test_account_page_offers_edit_team_only_to_those_who_may(client, world, account, who):
    account_id, expected = getattr(world, account).id, TEAM_CHANGE[account][who]
    login(client, getattr(world, who))
    page = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert (f'href="/accounts/{account_id}/team"' in page) is (expected == 200)


def test_a_deleted_account_team_is_changed_by_nobody(client, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    assert not any(
        scope.can_set_account_team(getattr(world, who), world.account_a)
        for who in TEAM_CHANGE["account_a"]
    )
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert f'href="/accounts/{world.account_a.id}/team"' not in page


@pytest.mark.parametrize(
    ("who", "account", "may"),
    [
        ("rep_a", "account_a", True),  # a rep of the account's team
        ("rep_a2", "account_a", True),  # of the team, not on the account team
        ("rep_b", "shared", True),  # another team's rep on the account team
        ("rep_b", "account_a", False),  # another team's rep
        ("director_a", "account_a", True),
        ("director_b", "account_a", False),  # another team's director
        ("director_b", "shared", False),  # a director sees their team's accounts only
        ("leader", "account_b", True),
        ("admin", "account_a", True),
    ],
)
def test_can_edit_account_decides_on_the_user_as_update_account_does(world, now, who, account, may):
    user, account = getattr(world, who), getattr(world, account)
    assert scope.can_edit_account(user, account) is may
    data = {"industry": "Grid", "version": account.version}
    if may:
        assert services.update_account(account, data, actor=user, now=now).industry == "Grid"
    else:
        with pytest.raises(Forbidden):
            services.update_account(account, data, actor=user, now=now)


def test_nobody_edits_a_deleted_account(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    assert not scope.can_edit_account(world.admin, world.account_a)
