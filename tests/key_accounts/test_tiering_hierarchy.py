"""Account hierarchy: group_ids is the account and all its descendants (recursive, deleted ones
and their branches left out, other groups untouched), on both engines."""

from salesflow.extensions import db
from salesflow.key_accounts import hierarchy
from tests import factories as f
from tests.conftest import sql_statements


def _child(parent, team, **kw):
    account = f.make_account(team=team, **kw)
    account.parent_id = parent.id
    db.session.flush()
    return account


def test_group_is_the_account_and_all_its_descendants(world, now):
    top = world.account_a
    a = _child(top, world.team_a)
    b = _child(top, world.team_b)
    a1 = _child(a, world.team_a)
    a11 = _child(a1, world.team_b)
    gone = _child(b, world.team_a, deleted=True)
    _child(gone, world.team_a)  # under a deleted account: out of the group with it
    _child(world.account_b, world.team_b)  # another group
    with sql_statements() as seen:
        ids = hierarchy.group_ids(top.id)
    assert ids == sorted([top.id, a.id, b.id, a1.id, a11.id])
    assert len(seen) == 1
    assert hierarchy.group_ids(a1.id) == sorted([a1.id, a11.id])
    assert hierarchy.group_ids(world.shared.id) == [world.shared.id]


def test_group_view_in_scope(world, now):
    top = world.account_a
    child = _child(top, world.team_b, name="Far Child")
    f.make_opportunity(account=child, amount=40_000, currency="USD")
    f.make_opportunity(account=top, amount=10_000)
    group = hierarchy.for_account(world.director_a, top)
    assert (group.members, group.hidden, group.subsidiaries) == (1, 1, [])
    assert group.open_pipeline == {"CNY": 10_000} and group.open_deals == 1
    group = hierarchy.for_account(world.leader, top)
    assert (group.members, group.hidden, [s.name for s in group.subsidiaries]) == (
        2,
        0,
        ["Far Child"],
    )
    assert group.open_pipeline == {"CNY": 10_000, "USD": 40_000}
