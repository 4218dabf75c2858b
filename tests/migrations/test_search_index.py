"""The search index's migration: built from the rows already there, walked back cleanly."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.search.queries import search
from tests import factories as f
from tests.conftest import drop_database, fresh_database_url, make_app
from tests.search.test_index import assert_index_in_step

REVISION, BEFORE = "7e3b51c0a9d4", "6d1e5f0a9b21"


def _objects() -> set[str]:
    """The index's own objects in the database (FTS5 tables, triggers, trigram indexes)."""
    if db.session.get_bind().dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE name LIKE '%search%'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_search_%'"
    found = set(db.session.execute(sa.text(sql)).scalars())
    db.session.remove()  # no transaction left open for the migrations to wait on
    return found


def test_upgrade_indexes_existing_rows_and_downgrade_removes_the_index(tmp_path):
    """Rows are made with today's models at the head, then the schema is walked back to before
    the index (the rows stay) and forward again: the index is built from the rows already
    there. Models are only used at the head, so later columns don't break the test."""
    url = fresh_database_url(str(tmp_path), "search_index")
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
            team = f.make_team(name="East")
            boss = f.make_user(role="leadership", name="Chen Jie")
            account = f.make_account(team=team, name="太平洋电力 Pacific Power")
            f.make_contact(account=account, name="欧阳明", title="总工程师")
            db.session.commit()
            boss_id = boss.id
            db.session.remove()
            downgrade(revision=BEFORE)
            assert _objects() == set()
            upgrade(revision=REVISION)
            assert _objects()
            assert_index_in_step()
            db.session.remove()
            upgrade()
            with app.test_request_context():
                boss = db.session.get(User, boss_id)
                assert [c.name for c in search(boss, "欧阳").contacts] == ["欧阳明"]
                assert [a.name for a in search(boss, "pacific pow").accounts] == [
                    "太平洋电力 Pacific Power"
                ]
                db.session.remove()
            downgrade(revision=BEFORE)
            assert _objects() == set()
            upgrade()
            assert _objects()
            assert_index_in_step()
            db.session.remove()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
