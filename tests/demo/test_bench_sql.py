"""The benchmark's hand-written SQL answers the same question as the pages it is compared with
(checked on the demo data set, both engines)."""

import sqlalchemy as sa

from salesflow.auth.models import Role, User
from salesflow.demo import bench_sql
from salesflow.extensions import db
from salesflow.search.queries import search
from tests.conftest import FROZEN_NOW


def _people() -> list[tuple[User, bench_sql.Viewer]]:
    users = db.session.scalars(
        sa.select(User).where(User.email.in_(["ar.east.1@example.com", "ceo@example.com"]))
    ).all()
    return [(u, bench_sql.Viewer(u.id, u.team_id, sees_all=u.role != Role.rep)) for u in users]


def test_raw_search_finds_what_the_search_page_finds(loaded):
    for user, viewer in _people():
        for q in ("王", "PACIFIC", "a", "总", "%"):
            results = search(user, q)
            with db.engine.connect() as conn:
                accounts, contacts = bench_sql.search(conn, viewer, q)
            assert [r[0] for r in accounts[:20]] == [h.id for h in results.accounts], q
            assert [r[0] for r in contacts[:20]] == [h.id for h in results.contacts], q
            assert (len(contacts) > 20) == results.more_contacts


def test_raw_page_queries_run_on_both_engines(loaded):
    account_id = db.session.scalar(
        sa.select(sa.func.min(sa.text("id"))).select_from(sa.text("accounts"))
    )
    for _user, viewer in _people():
        with db.engine.connect() as conn:
            assert bench_sql.account_list(conn, viewer) > 0
            assert bench_sql.account_list(conn, viewer, "电力") >= 0
    _user, viewer = _people()[0]
    with db.engine.connect() as conn:
        assert bench_sql.account_page(conn, viewer, account_id, FROZEN_NOW) == 20


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
