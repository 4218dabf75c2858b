"""The application runs a request once more after a deadlock or serialization failure
(salesflow.app): the user sees the request succeed, or after a second failure a clear 409 with
nothing saved — never a 500. The database errors are simulated as psycopg raises them."""

from collections.abc import Callable
from typing import Any

import psycopg.errors
import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from salesflow.app import retryable
from salesflow.errors import TryAgain
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.ties import touches
from salesflow.ties.models import TieTouch
from tests.conftest import api_as, login

RACES = {"40P01": psycopg.errors.DeadlockDetected, "40001": psycopg.errors.SerializationFailure}


def _error(sqlstate: str = "40P01") -> sa_exc.OperationalError:
    cause = RACES.get(sqlstate, psycopg.errors.QueryCanceled)("simulated")
    return sa_exc.OperationalError("INSERT INTO tie_touches ...", {}, cause)


class Flaky:
    """`real`, failing `times` times first as the database would; `calls` counts the calls."""

    def __init__(self, real: Callable[..., Any], times: int, sqlstate: str = "40P01"):
        self.real, self.times, self.sqlstate, self.calls = real, times, sqlstate, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise _error(self.sqlstate)
        return self.real(*args, **kwargs)


def _logged(summary: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Interaction).where(Interaction.summary == summary)
    )


def _body(world, summary: str) -> dict[str, Any]:
    return {
        "account_id": world.account_a.id,
        "kind": "call",
        "summary": summary,
        "occurred_at": "2026-11-20T10:00:00+08:00",
        "contact_ids": [world.contact_a.id],
    }


def _form(world, summary: str) -> dict[str, Any]:
    return {
        "account_id": str(world.account_a.id),
        "kind": "visit",
        "summary": summary,
        "occurred_at": "2026-11-20T16:00",
        "contact_ids": [str(world.contact_a.id)],
        "participant_ids": [str(world.rep_a.id)],
    }


def _touches(world) -> int:
    return db.session.scalar(
        sa.select(sa.func.sum(TieTouch.touches)).where(TieTouch.account_id == world.account_a.id)
    )


@pytest.mark.parametrize("sqlstate", sorted(RACES))
def test_a_request_that_meets_a_race_once_succeeds_on_its_second_run(
    app, world, monkeypatch, sqlstate
):
    api = api_as(app, world.rep_a)
    before = _touches(world)
    flaky = Flaky(touches.apply, 1, sqlstate)
    monkeypatch.setattr(touches, "apply", flaky)
    response = api.post("/interactions", json=_body(world, "Retried"))
    assert response.status_code == 201
    assert flaky.calls == 2
    assert _logged("Retried") == 1  # the first run's insert was rolled back
    assert _touches(world) == before + 1


def test_a_race_twice_is_a_clear_409_and_saves_nothing(app, world, monkeypatch):
    api = api_as(app, world.rep_a)
    monkeypatch.setattr(touches, "apply", Flaky(touches.apply, 2))
    response = api.post("/interactions", json=_body(world, "Twice"))
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "conflict", "message": TryAgain().message}
    assert _logged("Twice") == 0


def test_a_race_in_the_apis_commit_is_run_again_too(app, world, monkeypatch):
    api = api_as(app, world.rep_a)
    commit = Flaky(db.session.commit, 1)
    monkeypatch.setattr(db.session, "commit", commit)
    response = api.post("/interactions", json=_body(world, "At commit"))
    assert response.status_code == 201
    assert commit.calls == 2
    assert _logged("At commit") == 1


def test_the_quick_log_page_is_run_again_and_twice_is_a_409_page(client, world, monkeypatch):
    db.session.commit()  # the retry rolls back to here
    login(client, world.rep_a)
    monkeypatch.setattr(touches, "apply", Flaky(touches.apply, 1))
    assert client.post("/interactions/new", data=_form(world, "Page once")).status_code == 302
    assert _logged("Page once") == 1
    monkeypatch.setattr(touches, "apply", Flaky(touches.apply, 2))
    response = client.post("/interactions/new", data=_form(world, "Page twice"))
    assert response.status_code == 409
    assert "Nothing was saved; please try again." in response.get_data(as_text=True)
    assert _logged("Page twice") == 0


def test_other_database_errors_are_not_run_again(app, world, monkeypatch):
    api = api_as(app, world.rep_a)
    flaky = Flaky(touches.apply, 1, "57014")  # query canceled: not a race
    monkeypatch.setattr(touches, "apply", flaky)
    with pytest.raises(sa_exc.OperationalError):  # TESTING propagates what would be a 500
        api.post("/interactions", json=_body(world, "Canceled"))
    assert flaky.calls == 1


def test_only_deadlocks_and_serialization_failures_are_retryable():
    assert retryable(_error("40P01")) == "deadlock detected"
    assert retryable(_error("40001")) == "serialization failure"
    assert retryable(_error("57014")) is None
    assert retryable(ValueError("40P01")) is None


def test_postgresql_runs_without_its_jit_compiler_and_sqlite_with_its_pragmas(app):
    """Each engine's session settings hold on every pooled connection: PostgreSQL compiles no
    query (the reports' large queries paid ~250 ms each), SQLite waits for a writer and keeps
    foreign keys."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        else:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
