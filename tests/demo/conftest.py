"""A small demo data set loaded once into a fresh database for the tests of this folder."""

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade

from salesflow import clock
from salesflow.extensions import db
from tests.conftest import FROZEN_NOW, drop_database, fresh_database_url, make_app

ACCOUNTS = 5


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    url = fresh_database_url(str(tmp_path_factory.mktemp("demo")), "demo")
    app = make_app(url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
        db.session.remove()
    with clock.frozen(FROZEN_NOW):
        result = app.test_cli_runner().invoke(args=["demo", "load", "--accounts", str(ACCOUNTS)])
    assert result.exit_code == 0, result.output
    yield app, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


@pytest.fixture
def loaded(demo) -> Iterator[str]:
    """Inside a GET request context: reads take no write lock on SQLite (salesflow.db), so the
    tests' own connections can write."""
    app, output = demo
    with app.test_request_context():
        yield output
        db.session.remove()
