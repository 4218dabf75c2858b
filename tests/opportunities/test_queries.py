"""Scoped reads: the list (filters, keyset sorting) and the board (totals aggregated in SQL)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from salesflow.extensions import db
from salesflow.opportunities import queries
from salesflow.opportunities.queries import OpportunityFilters
from tests import factories as f
from tests.conftest import sql_statements

# The list page's query (the scope joined) and the exports' and API's (the scope as a set of
# accounts) list the same deals.
BOTH_QUERIES = pytest.mark.parametrize("scoped", [queries.list_query, queries.listed])


def _names(rows) -> list[str]:
    return [o.name for o in rows]


@BOTH_QUERIES
def test_a_rep_lists_only_deals_on_accounts_they_see(world, now, scoped):
    f.make_opportunity(account=world.account_a, name="North deal")
    f.make_opportunity(account=world.account_b, name="South deal")
    f.make_opportunity(account=world.shared, name="Shared deal")
    rows, _ = queries.page(scoped(world.rep_b, OpportunityFilters()), sort="name")
    assert _names(rows) == ["Shared deal", "South deal"]
    rows, _ = queries.page(scoped(world.leader, OpportunityFilters()), sort="name")
    assert _names(rows) == ["North deal", "Shared deal", "South deal"]


@BOTH_QUERIES
def test_deleted_deals_and_deals_of_deleted_accounts_are_not_listed(world, now, scoped):
    f.make_opportunity(account=world.account_a, name="Gone", deleted=True)
    gone = f.make_account(team=world.team_a, deleted=True)
    f.make_opportunity(account=gone, name="On a deleted account")
    rows, _ = queries.page(scoped(world.director_a, OpportunityFilters()))
    assert rows == []


def test_filters_owner_mine_month_status_and_playbook(world, now):
    f.make_opportunity(
        account=world.account_a,
        name="March",
        roles={world.rep_a: "AR"},
        expected_close=date(2027, 3, 5),
    )
    f.make_opportunity(
        account=world.account_a,
        name="April",
        roles={world.rep_a2: "AR", world.rep_a: "SR"},
        expected_close=date(2027, 4, 30),
        playbook="transactional",
    )
    f.make_opportunity(account=world.account_a, name="Won", status="won", roles={world.rep_a: "AR"})

    def names(**filters) -> list[str]:
        query = queries.list_query(world.rep_a, OpportunityFilters(**filters))
        return _names(queries.page(query, sort="name")[0])

    assert names(owner_id=world.rep_a.id) == ["March"]
    assert names(mine=True) == ["April", "March"]
    assert names(close_month=date(2027, 4, 1)) == ["April"]
    assert names(status=None) == ["April", "March", "Won"]
    assert names(status="won") == ["Won"]
    assert names(playbook="transactional") == ["April"]
    assert names(q="mar") == ["March"]


@BOTH_QUERIES
def test_keyset_pages_follow_the_sort_without_gaps_or_repeats(world, now, scoped):
    for n, amount in enumerate([500, None, 300, 300, 900, 100]):
        f.make_opportunity(account=world.account_a, name=f"D{n}", amount=amount)
    seen: list[str] = []
    cursor = None
    while True:
        rows, cursor = queries.page(
            scoped(world.director_a, OpportunityFilters()),
            sort="amount",
            descending=True,
            cursor=cursor,
            size=2,
        )
        seen += _names(rows)
        if cursor is None:
            break
    assert seen == ["D4", "D0", "D3", "D2", "D5", "D1"]


def test_pages_by_close_date_put_deals_without_one_last(world, now):
    for n, close in enumerate([date(2027, 5, 1), None, date(2027, 1, 1), None, date(2027, 3, 1)]):
        f.make_opportunity(account=world.account_a, name=f"D{n}", expected_close=close)
    seen: list[str] = []
    cursor = None
    while True:
        scoped = queries.listed(world.director_a, OpportunityFilters())
        rows, cursor = queries.page(scoped, sort="close", cursor=cursor, size=2)
        seen += _names(rows)
        if cursor is None:
            break
    assert seen == ["D2", "D4", "D0", "D1", "D3"]


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
def test_a_list_page_reads_a_fixed_number_of_queries_whatever_the_deals(world, now, sort):
    def statements() -> int:
        with sql_statements() as seen:
            rows, _cursor = queries.page(
                queries.listed(world.leader, OpportunityFilters()), sort=sort, size=20
            )
        return len(seen)

    f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    few = statements()
    for n in range(30):
        account = world.account_a if n % 2 else world.account_b
        f.make_opportunity(account=account, roles={world.rep_a: "AR", world.rep_b: "SR"})
    assert statements() <= few  # a page of ids, its deals with their people: no query per row


@pytest.mark.parametrize(("sort", "index"), [("amount", "by_amount"), ("close", "by_close")])
def test_the_list_walks_the_index_of_its_order(world, now, sort, index):
    """The sort's expression is the index's, to the letter (migration 5e8a1f3c7b42): a page is read
    in order from the index, not sorted from every visible deal."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner reads a few test rows without any index")
    query = queries.listed(world.leader, OpportunityFilters())
    column = queries.SORTS[sort]
    order = (column.desc(), queries.Opportunity.id.desc())
    query = query.with_only_columns(queries.Opportunity.id).order_by(*order).limit(51)
    compiled = query.compile(db.session.get_bind())  # with its parameters, as the page sends it
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    explained = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
    plan = " ".join(str(row[-1]) for row in explained)
    assert f"ix_opportunities_{index}" in plan and "TEMP B-TREE" not in plan


def test_a_tampered_cursor_starts_from_the_top(world, now):
    f.make_opportunity(account=world.account_a, name="Only")
    rows, _ = queries.page(
        queries.list_query(world.director_a, OpportunityFilters()),
        sort="amount",
        cursor="not-a-cursor",
    )
    assert _names(rows) == ["Only"]


def test_board_totals_per_stage_with_weighted_amounts(world, now):
    for stage, amount in [("validate", 100_000), ("validate", 50_000), ("shape", 200_000)]:
        f.make_opportunity(account=world.account_a, stage=stage, amount=amount)
    f.make_opportunity(account=world.account_a, stage="shape", amount=1, status="lost")
    f.make_opportunity(account=world.account_b, stage="shape", amount=7)  # not director_a's
    playbook = queries.board_playbook("enterprise")
    columns = queries.board(world.director_a, playbook, OpportunityFilters())
    assert [c.stage.key for c in columns] == [s.key for s in playbook.stages]
    validate, shape = columns[0], columns[1]
    assert (validate.count, validate.amount) == (2, {"CNY": Decimal("150000.00")})
    assert validate.weighted == {"CNY": Decimal("15000.00")}  # 10 %
    assert (shape.count, shape.weighted) == (1, {"CNY": Decimal("50000.00")})  # 25 %
    assert [len(c.cards) for c in columns] == [2, 1, 0, 0, 0, 0]


def test_a_page_of_deals_does_not_carry_their_playbook_source(world, now):
    """Each deal's version is joined for its stages, not its 10 KB of source text: that is read
    once per process and version, when the registry first parses it."""
    for _n in range(3):
        f.make_opportunity(account=world.account_a)
    with sql_statements() as seen:
        rows, _cursor = queries.page(queries.listed(world.leader, OpportunityFilters()))
        stages = {queries.stage_of(deal).key for deal in rows}
    source = re.compile(r"playbook_versions(_\d+)?\.source")  # the table or its join's alias
    assert stages and not [sql for sql in seen if source.search(sql)]
