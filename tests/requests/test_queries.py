"""The reads of requests: the inbox's order (open first, then the soonest needed) and its keyset
pages, each side of it, what waits for someone (the bell), a deal's and an account's open
requests within the reader's scope, and a fixed number of queries whatever the number of rows."""

from datetime import date, timedelta

import pytest

from salesflow.errors import NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.requests import queries, services
from tests.conftest import sql_statements
from tests.requests.conftest import ask


def _close(request, who, to="declined"):
    services.transition(who, request, to, "No time", request.version)


def test_the_inbox_shows_open_requests_first_then_by_the_date_needed(world, now):
    late = ask(world, needed_by=date(2026, 12, 10))
    soon = ask(world, needed_by=date(2026, 11, 30))
    closed = ask(world, needed_by=date(2026, 11, 27))
    _close(closed, world.rep_a2)
    rows, cursor = queries.inbox(world.rep_a2)
    assert rows == [soon, late, closed] and cursor is None
    assert queries.inbox(world.rep_a2, status="declined")[0] == [closed]
    assert queries.inbox(world.rep_a, side="asked_by_me")[0] == [soon, late, closed]
    assert queries.inbox(world.rep_a)[0] == []  # nothing asked of rep_a


def test_the_inbox_pages_by_cursor_without_repeating_or_skipping(world, now):
    made = [ask(world, needed_by=date(2026, 12, 1) + timedelta(days=n % 3)) for n in range(7)]
    _close(made[0], world.rep_a2)
    seen, cursor = [], None
    while True:
        rows, cursor = queries.inbox(world.rep_a2, cursor=cursor, limit=2)
        seen += rows
        if cursor is None:
            break
    assert seen == queries.inbox(world.rep_a2, limit=50)[0]
    assert sorted(r.id for r in seen) == sorted(r.id for r in made)


@pytest.mark.parametrize("cursor", ["zzz", "MXwyMDI2LTEzLTAxfDE", "OXwyMDI2LTEyLTAxfDE"])
def test_a_cursor_not_from_the_list_is_refused(world, now, cursor):
    with pytest.raises(ValidationFailed):
        queries.inbox(world.rep_a2, cursor=cursor)


def test_what_waits_for_someone_is_open_requests_asked_of_them_and_ratings_owed(world, now):
    first, second = ask(world), ask(world)
    assert queries.waiting_count(world.rep_a2) == 2
    assert queries.waiting_for(world.rep_a2) == [first, second]
    services.transition(world.rep_a2, first, "accepted", None, first.version)
    assert queries.waiting_count(world.rep_a2) == 2  # accepted still waits for its delivery
    services.transition(world.rep_a2, first, "done", "Slides", first.version)
    _close(second, world.rep_a2)
    assert queries.waiting_count(world.rep_a2) == 0
    assert queries.waiting_count(world.rep_a) == 2  # two to rate
    services.rate(world.rep_a, first, 5, None)
    assert queries.waiting_count(world.rep_a) == 1


def test_a_deals_and_an_accounts_open_requests_within_the_readers_scope(world, deal, now):
    on_deal = ask(world, deal)
    on_account = ask(world)
    closed = ask(world, deal)
    _close(closed, world.rep_a2)
    assert queries.open_for_deal(deal.id) == [on_deal]
    assert queries.open_for_account(world.account_a.id) == [on_deal, on_account]
    assert queries.open_for_account(world.account_a.id, world.director_a) == [on_deal, on_account]
    assert queries.open_for_account(world.account_a.id, world.director_b) == []


def test_get_visible_is_404_outside_the_scope(world, now):
    request = ask(world)
    assert queries.get_visible(world.leader, request.id) is request
    with pytest.raises(NotFound):
        queries.get_visible(world.rep_b, request.id)


def test_the_reads_take_a_fixed_number_of_queries(world, deal, now):
    def counts():
        db_counts = []
        for read in (
            lambda: queries.inbox(world.rep_a2),
            lambda: queries.waiting_count(world.rep_a2),
            lambda: queries.waiting_for(world.rep_a2),
            lambda: queries.open_for_deal(deal.id, world.rep_a),
            lambda: [(r.account.name, r.requester.name) for r in queries.inbox(world.rep_a2)[0]],
        ):
            db.session.expire_all()  # nothing already loaded: every read goes to the database
            with sql_statements() as statements:
                read()
            db_counts.append(len(statements))
        return db_counts

    ask(world, deal)
    few = counts()
    for _ in range(5):
        ask(world, deal)
    assert counts() == few
