"""The board at full size (issue 15): each column shows its first CARDS_PER_PAGE cards by
expected close (no date last) and a "show more" that loads the next page in place (htmx), every
deal once across the pages; the totals count every deal; the pages keep the board's scope and
filters; the number of queries does not grow with the deals."""

import re
from datetime import date, timedelta

from salesflow.opportunities import queries
from salesflow.opportunities.queries import CARDS_PER_PAGE, OpportunityFilters
from tests import factories as f
from tests.conftest import login, sql_statements


def _deals(world, count, **kw):
    return [
        f.make_opportunity(
            account=world.account_a,
            name=f"Deal {i:03d}",
            expected_close=None if i % 7 == 0 else date(2027, 1, 1) + timedelta(days=i % 30),
            **kw,
        )
        for i in range(count)
    ]


def _order(deals):
    return [d.id for d in sorted(deals, key=lambda d: (d.expected_close or date.max, d.id))]


def _more_url(html: str) -> str | None:
    found = re.search(r'class="small d-block board-more"[^>]* hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="card mb-2 deal-card[^"]*" data-id="(\d+)"', html)]


def test_a_column_pages_its_cards_by_close_date_and_shows_more_in_place(client, world, now):
    deals = _deals(world, 2 * CARDS_PER_PAGE + 5)
    login(client, world.director_a)
    board = client.get("/pipeline?playbook=enterprise").text
    assert f"{len(deals)} deals" in board
    seen = _ids(board)
    assert seen == _order(deals)[:CARDS_PER_PAGE]
    url = _more_url(board)
    assert url and "stage=validate" in url and 'hx-swap="outerHTML"' in board
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200 and "<html" not in page.text  # a fragment for htmx
        seen += _ids(page.text)
        url, pages = _more_url(page.text), pages + 1
    assert seen == _order(deals) and pages == 2  # every deal once, no-date ones last


def test_show_more_keeps_the_scope_and_the_filters(client, world, now):
    _deals(world, CARDS_PER_PAGE + 3)
    theirs = f.make_opportunity(account=world.account_b, name="South deal")
    login(client, world.director_b)
    board = client.get("/pipeline?playbook=enterprise").text
    assert _ids(board) == [theirs.id] and _more_url(board) is None
    hidden = client.get("/pipeline/cards?playbook=enterprise&stage=validate").text
    assert _ids(hidden) == [theirs.id]
    login(client, world.leader)
    filtered = client.get(f"/pipeline?playbook=enterprise&filtered=1&team_id={world.team_b.id}")
    assert _ids(filtered.text) == [theirs.id]
    assert client.get("/pipeline/cards?playbook=nope&stage=validate").status_code == 404


def test_the_board_reads_a_fixed_number_of_queries_whatever_the_deals(world, now):
    playbook = queries.board_playbook("enterprise")

    def statements() -> tuple[int, list]:
        with sql_statements() as seen:
            columns = queries.board(world.leader, playbook, OpportunityFilters(), now=now)
        return len(seen), columns

    _deals(world, 3)
    few, _columns = statements()
    _deals(world, 60)
    assert statements()[0] <= few  # more deals in a column: no more queries
    _deals(world, 30, stage="shape")
    more, columns = statements()
    assert more <= few + 4  # a column with deals: a page of cards (ids, deals, versions, seats)
    assert [len(c.cards) for c in columns[:2]] == [CARDS_PER_PAGE, CARDS_PER_PAGE]
    assert columns[0].count == 63 and columns[0].more == 63 - CARDS_PER_PAGE
