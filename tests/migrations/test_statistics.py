"""After `flask db upgrade` changed the schema, the planner's statistics are gathered again, so a
new index is used with what the data holds (SQLite keeps no statistics for an index created after
its last ANALYZE, and then plans the review's open deals through the wrong index)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from salesflow.extensions import db
from tests import factories as f
from tests.conftest import drop_database, fresh_database_url, make_app

BEFORE_LIST_INDEXES = "1c925ab78572"  # the revision before the opportunity list's indexes


def _analysed_opportunities() -> bool:
    if db.session.get_bind().dialect.name == "sqlite":
        sql = "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_opportunities_by_amount'"
    else:
        # an expression index's values are sampled by ANALYZE, under the index's name
        sql = "SELECT count(*) FROM pg_stats WHERE tablename = 'ix_opportunities_by_amount'"
    found = bool(db.session.execute(sa.text(sql)).scalar())
    db.session.remove()
    return found


def test_an_upgrade_that_changed_the_schema_gathers_statistics(tmp_path):
    url = fresh_database_url(str(tmp_path), "statistics")
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
            account = f.make_account(team=f.make_team(name="East"), name="Pacific Power")
            for n in range(3):
                f.make_opportunity(account=account, name=f"Deal {n}", stage="shape")
            db.session.commit()
            db.session.remove()
            downgrade(revision=BEFORE_LIST_INDEXES)
            if db.session.get_bind().dialect.name == "sqlite":
                db.session.execute(sa.text("DELETE FROM sqlite_stat1"))
                db.session.commit()
            assert not _analysed_opportunities()
            upgrade()
            assert _analysed_opportunities()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
