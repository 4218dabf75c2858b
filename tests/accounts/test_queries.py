"""The account list: scope first, then filters, sorting, keyset pages and the industry list."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.accounts import queries, services
from salesflow.accounts.queries import AccountFilters
from salesflow.extensions import db
from tests import factories as f


def _all_pages(user, filters=None, *, sort="name", descending=False, size=3):
    """Every page, following the cursors; returns the accounts in the order shown."""
    seen, cursor = [], None
    while True:
        rows, cursor = queries.page(
            queries.list_query(user, filters or AccountFilters()),
            sort=sort,
            descending=descending,
            cursor=cursor,
            size=size,
        )
        seen += rows
        if cursor is None:
            return seen


def _names(user, **filters):
    return {a.name for a in _all_pages(user, AccountFilters(**filters), size=50)}


@pytest.fixture
def many(world, now):
    """Ten more team-A accounts with ties on tier and on the last-updated time."""
    accounts = []
    for n in range(10):
        account = f.make_account(
            team=world.team_a,
            name=f"Firm {n:02d}",
            tier="ABC"[n % 3],
            industry="Steel" if n % 2 else "Power",
        )
        account.updated_at = now - timedelta(days=n // 4)
        accounts.append(account)
    db.session.flush()
    return accounts


@pytest.mark.parametrize("sort", ["name", "tier", "updated"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_return_every_account_exactly_once_in_order(world, many, sort, descending):
    shown = _all_pages(world.rep_a, sort=sort, descending=descending, size=3)
    ids = [a.id for a in shown]
    assert len(ids) == len(set(ids)) == 12  # ten firms, account_a, shared
    key = {
        "name": lambda a: a.name,
        "tier": lambda a: a.tier.value,
        "updated": lambda a: a.updated_at,
    }[sort]
    expected = sorted(shown, key=lambda a: (key(a), a.id), reverse=descending)
    assert ids == [a.id for a in expected]


def test_name_search_is_case_insensitive_and_works_for_chinese(world):
    f.make_account(team=world.team_a, name="华东钢铁集团")
    assert _names(world.rep_a, q="huadong") == {"Huadong Power"}
    assert _names(world.rep_a, q="STEEL") == {"Shared Steel"}
    assert _names(world.rep_a, q="钢铁") == {"华东钢铁集团"}


def test_search_wildcards_are_literal(world):
    f.make_account(team=world.team_a, name="100% Rail_Co")
    assert _names(world.rep_a, q="%") == {"100% Rail_Co"}
    assert _names(world.rep_a, q="l_c") == {"100% Rail_Co"}
    assert _names(world.rep_a, q="a\x00") == _names(world.rep_a, q="a")


def test_filters_by_team_tier_industry_and_mine(world, many):
    assert _names(world.leader, team_id=world.team_b.id) == {"Nanfang Grid"}
    assert _names(world.rep_a, tier="A") == {"Firm 00", "Firm 03", "Firm 06", "Firm 09"}
    assert _names(world.rep_a, industry="Steel", tier="A") == {"Firm 03", "Firm 09"}
    assert _names(world.rep_a, mine=True) == {"Huadong Power"}
    assert _names(world.rep_b, mine=True) == {"Nanfang Grid", "Shared Steel"}


def test_filters_never_widen_the_scope(world):
    assert _names(world.rep_a, team_id=world.team_b.id) == set()
    assert _names(world.director_b, q="Huadong") == set()


def test_deleted_filter_lists_only_what_the_user_may_restore(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    services.delete_account(world.account_b, actor=world.director_b, now=now)
    assert _names(world.director_a, deleted=True) == {"Huadong Power"}
    assert _names(world.admin, deleted=True) == {"Huadong Power", "Nanfang Grid"}
    assert _names(world.rep_a, deleted=True) == {"Shared Steel"}  # reps: the normal list
    assert _names(world.leader, deleted=True) == {"Shared Steel"}
    assert "Huadong Power" not in _names(world.director_a)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        queries.encode_cursor("name", False, "Z", 2**70),
        queries.encode_cursor("name", False, {"a": 1}, 1),
        queries.encode_cursor("tier", False, "Z", 1),
        queries.encode_cursor("updated", False, "yesterday", 1),
        queries.encode_cursor("updated", False, "2026-01-01T00:00:00", 1),  # naive
        queries.encode_cursor("tier", True, "A", 1),  # made for another order
    ],
)
def test_a_foreign_or_tampered_cursor_starts_from_the_top(world, cursor):
    for sort in ("name", "tier", "updated"):
        rows, _ = queries.page(
            queries.list_query(world.rep_a, AccountFilters()), sort=sort, cursor=cursor
        )
        assert len(rows) == 2


def test_a_page_loads_team_and_account_team_without_a_query_per_row(world, many):
    statements = []
    db.session.expire_all()
    assert world.rep_a.role == "rep"  # reloaded before counting

    def count(*args):
        statements.append(args[2])

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        rows, _ = queries.page(queries.list_query(world.rep_a, AccountFilters()), size=50)
        names = [(a.team.name, [m.user.name for m in a.members]) for a in rows]
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert len(names) == 12 and ("North", ["Li Ming"]) in names
    assert len(statements) == 2, statements  # the page, then the account teams' people


def test_industries_are_distinct_sorted_and_scoped(world, many):
    f.make_account(team=world.team_b, name="Hidden", industry="Shipping")
    assert queries.industries(world.rep_a) == ["Manufacturing", "Power", "Steel"]
    assert "Shipping" in queries.industries(world.leader)
