"""Test harness: the app once per session, the database migrated once, a savepoint per test.

SQLite by default (a temporary file); PostgreSQL when TEST_DATABASE_URL is set. Each test runs
inside an outer transaction that is rolled back afterwards (SQLAlchemy 2.0, "joining a session into
an external transaction"); requests made by the test client join it through savepoints, so a view's
commit is real for the request and still undone after the test.
"""

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from flask_migrate import upgrade

from config import TestConfig, normalize_database_url
from salesflow import clock, create_app
from salesflow.auth.models import Role, User
from salesflow.auth.services import create_token
from salesflow.extensions import db
from tests import factories as f

FROZEN_NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _postgres_admin(sql: str) -> None:
    url = sa.engine.make_url(normalize_database_url(os.environ["TEST_DATABASE_URL"]))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(sql)
    admin.dispose()


def fresh_database_url(tmp_dir: str, name: str) -> str:
    """A new, empty database: a file on SQLite; on PostgreSQL a database of its own, created
    next to TEST_DATABASE_URL's (named after it, the purpose and this process, so parallel runs
    never meet) and dropped by drop_database()."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir}/{name}.db"
    url = sa.engine.make_url(normalize_database_url(base))
    db_name = f"{url.database}_{name}_{os.getpid()}"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    _postgres_admin(f'CREATE DATABASE "{db_name}"')
    return url.set(database=db_name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    """Drop a database made by fresh_database_url (files go with pytest's temporary folder)."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        _postgres_admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


class Client(FlaskClient):
    """The test client, with each request starting from a clean `g`.

    Requests made while a test holds an app context reuse it (and so share the test's session,
    which is what lets them see the test's flushed data); without this, Flask-Login's cached user
    and Flask-Babel's cached locale would leak from one request into the next.
    """

    def open(self, *args: Any, **kwargs: Any):
        if has_app_context():
            for cached in ("_login_user", "_flask_babel"):
                g.pop(cached, None)
        # A streamed answer (the CSV export) is read within the request: left unread, its
        # generator would pop its request context whenever it is garbage-collected, on top of
        # another test's (an unraisable error, which the warnings-as-errors suite fails on).
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app = create_app(config)
    app.test_client_class = Client
    return app


@contextlib.contextmanager
def migrated_app(tmp_dir: str, name: str, **overrides: Any) -> Iterator[Flask]:
    """An app on a fresh database of its own (fresh_database_url), migrated to head; afterwards
    its connections are closed and the database dropped, whatever happened. The database URL is
    the app's SQLALCHEMY_DATABASE_URI (for processes of their own)."""
    url = fresh_database_url(tmp_dir, name)
    app = make_app(url, **overrides)
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_app(str(tmp_path_factory.mktemp("db")), "suite", WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture(autouse=True)
def _database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll back everything a test wrote (only for tests that use the shared app)."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]  (sessions bind to it)
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services and queries directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def now() -> Iterator[datetime]:
    """A frozen clock: services, views and reports all see FROZEN_NOW."""
    with clock.frozen(FROZEN_NOW) as at:
        yield at


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log `user` in on `client` without the password round trip (argon2 is slow on purpose).
    Test data so far is committed first, as api_as does: a refused request rolls back to here
    (the unit of work), which inside the test's outer transaction only releases a savepoint."""
    if has_app_context():
        db.session.commit()
    # Flask-Login's "strong" session protection ties a session to the address and user agent.
    client.environ_base["HTTP_USER_AGENT"] = "salesflow-tests"
    with client.application.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "salesflow-tests"}
    ):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier
    return client


class ApiClient:
    """The test client with a bearer token, for API tests."""

    def __init__(self, client: FlaskClient, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str):
        if method not in {"get", "post", "put", "patch", "delete"}:
            raise AttributeError(method)

        def call(path: str, **kwargs: Any):
            return getattr(self.client, method)(
                "/api/v1" + path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
            )

        return call


def api_as(app: Flask, user: User) -> ApiClient:
    """An API client for `user`. Test data so far is committed first: the client's requests share
    the test's session, and an API error rolls back to the last commit (which, inside the test's
    outer transaction, only releases a savepoint)."""
    with app.test_request_context():
        token = create_token(user, now=clock.now())
    db.session.commit()
    return ApiClient(app.test_client(), token)


class World:
    """The permission world, one fixture for every scope test.

    | who            | role       | team | on the account team of |
    |----------------|------------|------|------------------------|
    | rep_a          | rep        | A    | account_a (AR)         |
    | rep_a2         | rep        | A    | -                      |
    | rep_b          | rep        | B    | account_b (AR), shared (SR) |
    | director_a     | director   | A    | -                      |
    | director_b     | director   | B    | -                      |
    | leader         | leadership | -    | -                      |
    | admin          | admin      | -    | -                      |

    account_a and shared belong to team A; account_b belongs to team B. So rep_b sees account_b
    and shared (on its account team) but not account_a; director_b sees account_b only.
    Each account has one contact (contact_a, contact_b, contact_shared) and one interaction.
    """

    def __init__(self) -> None:
        self.team_a = f.make_team(name="North")
        self.team_b = f.make_team(name="South")
        self.rep_a = f.make_user(role=Role.rep, team=self.team_a, name="Li Ming")
        self.rep_a2 = f.make_user(role=Role.rep, team=self.team_a, name="Zhao Lei")
        self.rep_b = f.make_user(role=Role.rep, team=self.team_b, name="Wang Fang")
        self.director_a = f.make_user(role=Role.director, team=self.team_a, name="Director North")
        self.director_b = f.make_user(role=Role.director, team=self.team_b, name="Director South")
        self.leader = f.make_user(role=Role.leadership, name="Chen Jie")
        self.admin = f.make_user(role=Role.admin, name="Admin")
        self.team_a.director_id = self.director_a.id
        self.team_b.director_id = self.director_b.id
        self.account_a = f.make_account(
            team=self.team_a, name="Huadong Power", members={self.rep_a: "AR"}
        )
        self.account_b = f.make_account(
            team=self.team_b, name="Nanfang Grid", members={self.rep_b: "AR"}
        )
        self.shared = f.make_account(
            team=self.team_a, name="Shared Steel", members={self.rep_b: "SR"}
        )
        self.contact_a = f.make_contact(
            account=self.account_a,
            name="Zhang Wei",
            decision_role="decision_maker",
            influence="high",
        )
        self.contact_b = f.make_contact(account=self.account_b, name="Liu Yang")
        self.contact_shared = f.make_contact(account=self.shared, name="Sun Li")
        self.interaction_a = f.make_interaction(
            account=self.account_a, owner=self.rep_a, contacts=[self.contact_a]
        )
        self.interaction_b = f.make_interaction(
            account=self.account_b, owner=self.rep_b, contacts=[self.contact_b]
        )
        self.interaction_shared = f.make_interaction(
            account=self.shared, owner=self.rep_a, contacts=[self.contact_shared]
        )


@pytest.fixture
def world(ctx: None, now: datetime) -> World:
    """The World, built and used at the frozen FROZEN_NOW (its interactions are "now")."""
    return World()


@contextlib.contextmanager
def sql_statements() -> Iterator[list[str]]:
    """The SQL statements sent inside the block (to prove a fixed number of queries)."""
    engine = db.session.get_bind().engine
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
