"""Migrations are reviewed code: they build the schema from empty on both engines, they agree with
the models, and they can be walked back."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from salesflow.extensions import db
from salesflow.search import index as search_index
from tests.conftest import drop_database, fresh_database_url, make_app


def _diff(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": search_index.include_name,
            },
        )
        with warnings.catch_warnings():  # the expression indexes, left out by include_name
            warnings.filterwarnings("ignore", search_index.EXPRESSION_WARNING)
            return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models_and_downgrades(tmp_path):
    url = fresh_database_url(str(tmp_path), "migrations")
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
        assert _diff(app) == []
        with app.app_context():
            downgrade(revision="base")
            db.session.remove()
            assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
            upgrade()
        assert _diff(app) == []
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
