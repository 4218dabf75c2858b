"""Who sees which deal, who decides on it and who staffs it (see the World table in
tests/conftest.py): a deal is visible when its account is; decisions belong to the director of the
account's team or an admin; the iron triangle is reseated by that director, leadership, admins,
the deal's AR and the account's AR."""

import pytest
import sqlalchemy as sa

from salesflow import scope
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity
from tests import factories as f
from tests.conftest import api_as, login

EVERYONE = ["rep_a", "rep_a2", "rep_b", "director_a", "director_b", "leader", "admin"]
SEES = {
    "rep_a": {"north", "shared"},
    "rep_a2": {"north", "shared"},
    "rep_b": {"south", "shared"},  # on shared's account team
    "director_a": {"north", "shared"},
    "director_b": {"south"},
    "leader": {"north", "south", "shared"},
    "admin": {"north", "south", "shared"},
}
DECIDES = {
    "north": {"director_a", "admin"},
    "shared": {"director_a", "admin"},  # team A's account, though rep_b works on it
    "south": {"director_b", "admin"},
}
# Who may reseat the iron triangle of the `deals` below (none has a seat taken yet): the director
# of the account's team, leadership, admins and the account's AR (scope.can_set_roles).
STAFFS = {
    "north": {"rep_a", "director_a", "leader", "admin"},  # rep_a is account_a's AR
    "shared": {"director_a", "leader", "admin"},  # rep_b is only on its account team, as SR
    "south": {"rep_b", "director_b", "leader", "admin"},  # rep_b is account_b's AR
}


@pytest.fixture
def deals(now, world) -> dict[str, Opportunity]:
    return {
        "north": f.make_opportunity(account=world.account_a, name="North deal"),
        "south": f.make_opportunity(account=world.account_b, name="South deal"),
        "shared": f.make_opportunity(account=world.shared, name="Shared deal"),
    }


def _sees(user, deal, **kwargs) -> bool:
    try:
        found = scope.get_opportunity(user, deal.id, **kwargs)
    except NotFound:
        return False
    assert found is deal
    return True


@pytest.mark.parametrize("who", EVERYONE)
def test_get_opportunity_follows_the_accounts_visibility(world, deals, who):
    user = getattr(world, who)
    assert {name for name, deal in deals.items() if _sees(user, deal)} == SEES[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_visible_opportunities_agrees_with_get_opportunity(world, deals, who):
    names = db.session.scalars(
        sa.select(Opportunity.name).where(scope.visible_opportunities(getattr(world, who)))
    )
    assert {n.split()[0].lower() for n in names} == SEES[who]


def test_an_unknown_id_is_not_found_like_a_hidden_one(world):
    with pytest.raises(NotFound):
        scope.get_opportunity(world.admin, 999_999)


@pytest.mark.parametrize(
    "who, sees",
    [
        ("rep_a", False),
        ("leader", False),  # sees everything, restores nothing
        ("director_b", False),
        ("director_a", True),
        ("admin", True),
    ],
)
def test_a_deleted_deal_is_found_only_by_those_who_may_restore_it(now, world, who, sees):
    gone = f.make_opportunity(account=world.account_a, deleted=True)
    user = getattr(world, who)
    assert not _sees(user, gone)
    assert _sees(user, gone, include_deleted=True) is sees
    ids = db.session.scalars(sa.select(Opportunity.id).where(scope.visible_opportunities(user)))
    assert gone.id not in set(ids)


def test_a_deal_on_a_deleted_account_is_not_found(now, world):
    account = f.make_account(team=world.team_a, members={world.rep_a: "AR"}, deleted=True)
    deal = f.make_opportunity(account=account)
    for who in EVERYONE:
        assert not _sees(getattr(world, who), deal), who


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_accounts_director_and_admins_decide(world, deals, who):
    user = getattr(world, who)
    decides = {name for name, deal in deals.items() if scope.can_decide(user, deal)}
    assert decides == {name for name, deciders in DECIDES.items() if who in deciders}


# The HTML pages load the deal through the same rule.


@pytest.mark.parametrize("who", ["rep_a", "director_b", "rep_b"])
def test_opportunity_pages_answer_404_outside_scope_and_200_inside(client, world, deals, who):
    login(client, getattr(world, who))
    for name, deal in deals.items():
        expected = 200 if name in SEES[who] else 404
        for path in ("", "/edit"):
            response = client.get(f"/opportunities/{deal.id}{path}")
            assert response.status_code == expected, (name, path)
        if expected == 200 and who not in STAFFS[name]:
            expected = 403
        assert client.get(f"/opportunities/{deal.id}/roles").status_code == expected, name


def test_a_deleted_deal_page_is_404_to_a_rep(now, client, world):
    gone = f.make_opportunity(account=world.account_a, deleted=True)
    login(client, world.rep_a)
    assert client.get(f"/opportunities/{gone.id}").status_code == 404
    assert client.get("/opportunities/999999").status_code == 404


# The iron triangle is reseated by those who lead the deal or its account (scope.can_set_roles).


def _expected(who: str, name: str) -> int:
    if name not in SEES[who]:
        return 404
    return 200 if who in STAFFS[name] else 403


def _seats(deal) -> list[tuple[str, int]]:
    db.session.expire(deal, ["roles"])
    return sorted((r.role.value, r.user_id) for r in deal.roles)


@pytest.mark.parametrize("who", EVERYONE)
def test_can_set_roles_allows_the_directors_leadership_admins_and_the_accounts_ar(
    world, deals, who
):
    user = getattr(world, who)
    assert {name for name, deal in deals.items() if scope.can_set_roles(user, deal)} == {
        name for name, staffers in STAFFS.items() if who in staffers
    }


@pytest.mark.parametrize("seat, allowed", [("AR", True), ("SR", False), ("FR", False)])
def test_the_deals_own_ar_reseats_it_but_not_its_sr_or_fr(now, world, seat, allowed):
    north = f.make_opportunity(account=world.account_a, roles={world.rep_a2: seat})
    shared = f.make_opportunity(account=world.shared, roles={world.rep_b: seat})
    assert scope.can_set_roles(world.rep_a2, north) is allowed
    assert scope.can_set_roles(world.rep_b, shared) is allowed  # even from another team


def test_a_deleted_deal_is_reseated_by_nobody(now, world):
    gone = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"}, deleted=True)
    assert not any(scope.can_set_roles(getattr(world, who), gone) for who in EVERYONE)


@pytest.mark.parametrize("who", EVERYONE)
def test_put_roles_by_api_is_for_those_who_staff_the_deal(app, world, deals, who):
    api = api_as(app, getattr(world, who))
    for name, deal in deals.items():
        # the leader sees every account, so may be seated on each deal (services._wanted_seats)
        seats = [{"user_id": world.leader.id, "role": "FR"}]
        response = api.put(f"/opportunities/{deal.id}/roles", json=seats)
        assert response.status_code == _expected(who, name), name
        if response.status_code == 403:
            assert response.get_json()["error"]["code"] == "forbidden"
        staffed = response.status_code == 200
        assert _seats(deal) == ([("FR", world.leader.id)] if staffed else []), name


@pytest.mark.parametrize("who", EVERYONE)
def test_roles_page_is_for_those_who_staff_the_deal(client, world, deals, who):
    db.session.commit()  # a refused request rolls back to here
    login(client, getattr(world, who))
    for name, deal in deals.items():
        response = client.post(
            f"/opportunities/{deal.id}/roles",
            data={
                "seats-0-role": "AR",
                "seats-0-user_id": "",
                "seats-1-role": "SR",
                "seats-1-user_id": str(world.leader.id),  # sees every account
            },
        )
        expected = _expected(who, name)
        assert response.status_code == (302 if expected == 200 else expected), name
        staffed = expected == 200
        assert _seats(deal) == ([("SR", world.leader.id)] if staffed else []), name


@pytest.mark.parametrize(
    "who, offered", [("rep_a", True), ("director_a", True), ("leader", True), ("rep_a2", False)]
)
def test_the_deal_page_offers_staffing_only_to_those_who_may(now, client, world, who, offered):
    # The transactional playbook's first stage needs an AR: its gate links to the roles page.
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    login(client, getattr(world, who))
    page = client.get(f"/opportunities/{deal.id}").get_data(as_text=True)
    assert (f'href="/opportunities/{deal.id}/roles"' in page) is offered
    assert ("Staff the iron triangle" in page) is offered
    assert "Iron triangle" in page  # the seats are shown to everyone who sees the deal
