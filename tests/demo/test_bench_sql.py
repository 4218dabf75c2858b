"""The benchmark's hand-written SQL answers the same question as the pages it is compared with
(checked on the demo data set, both engines)."""

import sqlalchemy as sa

from salesflow.accounts import queries as account_queries
from salesflow.accounts.queries import AccountFilters
from salesflow.auth.models import Role, User
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.interactions.queries import timeline
from salesflow.opportunities import queries
from salesflow.opportunities.models import Opportunity
from salesflow.search.queries import search
from tests.conftest import FROZEN_NOW
from tests.demo.conftest import ACCOUNTS
from tools.bench import sql as bench_sql
from tools.bench import sql_deals as bench_sql_deals
from tools.bench import sql_search
from tools.bench.main import routed


def _people() -> list[tuple[User, bench_sql.Viewer]]:
    users = db.session.scalars(
        sa.select(User).where(User.email.in_(["ar.east.1@example.com", "ceo@example.com"]))
    ).all()
    return [(u, bench_sql.Viewer(u.id, u.team_id, sees_all=u.role != Role.rep)) for u in users]


def test_raw_search_finds_what_the_search_page_finds(loaded):
    for user, viewer in _people():
        for q in ("王", "PACIFIC", "a", "总", "%", "li", "电力", "zzzz"):
            results = search(user, q)
            with db.engine.connect() as conn:
                accounts, contacts = sql_search.search(conn, viewer, q)
            assert [r[0] for r in accounts[:20]] == [h.id for h in results.accounts], q
            assert [r[0] for r in contacts[:20]] == [h.id for h in results.contacts], q
            assert (len(contacts) > 20) == results.more_contacts


def test_raw_page_queries_run_on_both_engines(loaded):
    account_id = db.session.scalar(
        sa.select(sa.func.min(sa.text("id"))).select_from(sa.text("accounts"))
    )
    listed = {}  # role → the names the account list page shows that user
    for user, viewer in _people():
        rows, _more = account_queries.page(account_queries.list_query(user, AccountFilters()))
        names = [a.name for a in rows]
        with db.engine.connect() as conn:
            assert bench_sql.account_list(conn, viewer) == len(names)
            assert bench_sql.account_list(conn, viewer, "电力") == sum("电力" in n for n in names)
        listed[user.role] = names
    # the counts above are worth comparing: leadership sees every account, the rep some, and
    # the filter finds something
    assert len(listed[Role.leadership]) == ACCOUNTS
    assert 0 < len(listed[Role.rep]) < ACCOUNTS
    assert any("电力" in name for name in listed[Role.leadership])
    user, viewer = _people()[0]
    shown = timeline(user, account_id=account_id)  # the page's first page of its timeline
    assert shown
    with db.engine.connect() as conn:
        assert bench_sql.account_page(conn, viewer, account_id, FROZEN_NOW) == len(shown)


def test_raw_quick_log_inserts_one_interaction_with_its_people(loaded):
    _user, viewer = _people()[0]
    account_id, contact_id = db.session.execute(
        sa.text("SELECT account_id, id FROM contacts ORDER BY id LIMIT 1")
    ).one()
    log = bench_sql.QuickLog(account_id, (contact_id,), (viewer.user_id,), FROZEN_NOW)
    db.session.remove()  # the raw insert commits on its own connection
    with db.engine.connect() as conn:
        new_id = bench_sql.quick_log(conn, viewer, log, FROZEN_NOW)
    people = db.session.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM interaction_participants WHERE interaction_id = :i), "
            "(SELECT COUNT(*) FROM interaction_attendees WHERE interaction_id = :i)"
        ),
        {"i": new_id},
    ).one()
    assert tuple(people) == (1, 1)
    with db.engine.begin() as conn:  # leave the shared data set as it was
        for table in ("interaction_participants", "interaction_attendees", "audit_entries"):
            column = "entity_id" if table == "audit_entries" else "interaction_id"
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :i"), {"i": new_id})
        conn.execute(sa.text("DELETE FROM interactions WHERE id = :i"), {"i": new_id})


def _deal_viewers() -> list[tuple[User, bench_sql.Viewer]]:
    emails = ["ar.east.1@example.com", "director.east@example.com", "ceo@example.com"]
    users = db.session.scalars(sa.select(User).where(User.email.in_(emails))).all()
    return [
        (
            u,
            bench_sql.Viewer(
                u.id,
                u.team_id,
                sees_all=u.role == Role.leadership,
                director=u.role == Role.director,
            ),
        )
        for u in users
    ]


def test_raw_opportunity_list_and_board_find_what_the_pages_show(loaded):
    playbook = queries.board_playbook("enterprise")
    for user, viewer in _deal_viewers():
        rows, _next = queries.page(
            queries.list_query(user, queries.OpportunityFilters()), sort="amount", descending=True
        )
        columns = queries.board(user, playbook, queries.OpportunityFilters())
        with db.engine.connect() as conn:
            assert bench_sql_deals.opportunity_list(conn, viewer) == [o.id for o in rows]
            assert bench_sql_deals.board(conn, viewer, "enterprise") == sum(
                c.count for c in columns
            )


def test_raw_export_reads_every_deal_of_the_directors_team(loaded):
    user, viewer = next((u, v) for u, v in _deal_viewers() if u.role == Role.director)
    filters = queries.OpportunityFilters(team_id=user.team_id, status=None)
    query = queries.list_query(user, filters)
    expected = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    with db.engine.connect() as conn:
        assert bench_sql_deals.export(conn, viewer, user.team_id) == expected > 0


def test_raw_opportunity_page_shows_the_interactions_the_page_shows(loaded):
    user, viewer = next((u, v) for u, v in _deal_viewers() if u.role == Role.rep)
    visible = queries.list_query(user, queries.OpportunityFilters()).subquery()
    deal_id = db.session.scalar(
        sa.select(Interaction.opportunity_id)
        .join(visible, visible.c.id == Interaction.opportunity_id)
        .order_by(Interaction.opportunity_id)
        .limit(1)
    )
    shown = timeline(user, opportunity_id=deal_id)
    assert shown
    with db.engine.connect() as conn:
        assert bench_sql_deals.opportunity_page(conn, viewer, deal_id, FROZEN_NOW) == len(shown)
        first = db.session.scalars(sa.select(Opportunity.id).order_by(Opportunity.id).limit(50))
        assert bench_sql_deals.facts(conn, list(first), FROZEN_NOW) > 0


def test_bench_skips_pages_the_app_has_no_route_for(demo):
    app, _ = demo
    assert routed(app, "/pipeline", "GET") and routed(app, "/opportunities/7", "GET")
    assert not routed(app, "/opportunities/report", "GET")
    assert not routed(app, "/pipeline", "DELETE")


def test_raw_account_export_reads_every_account_the_viewer_sees(loaded):
    from salesflow.accounts.queries import AccountFilters, list_query

    for user, viewer in _people():
        query = list_query(user, AccountFilters())
        expected = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        with db.engine.connect() as conn:
            assert bench_sql.account_export(conn, viewer) == expected > 0
