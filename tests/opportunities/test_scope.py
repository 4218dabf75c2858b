"""Who sees which deal and who decides on it (see the World table in tests/conftest.py): a deal is
visible when its account is; decisions belong to the director of the account's team or an admin."""

import pytest
import sqlalchemy as sa

from salesflow.auth import scope
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity
from tests import factories as f
from tests.conftest import login

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
        for path in ("", "/edit", "/roles"):
            response = client.get(f"/opportunities/{deal.id}{path}")
            assert response.status_code == expected, (name, path)


def test_a_deleted_deal_page_is_404_to_a_rep(now, client, world):
    gone = f.make_opportunity(account=world.account_a, deleted=True)
    login(client, world.rep_a)
    assert client.get(f"/opportunities/{gone.id}").status_code == 404
    assert client.get("/opportunities/999999").status_code == 404
