"""The tie touch counts follow every change of an interaction, and always equal what a rebuild
from the interactions gives (STACK.md: the running count is checked against the live query)."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.extensions import db
from salesflow.interactions import services
from salesflow.ties import touches
from salesflow.ties.models import TieTouch
from tests import factories as f


def _counts() -> dict[tuple[int, int, int, int], int]:
    columns = (TieTouch.account_id, TieTouch.contact_id, TieTouch.user_id, TieTouch.day)
    rows = db.session.execute(sa.select(*columns, TieTouch.touches))
    return {(a, c, u, d): n for a, c, u, d, n in rows}


def _rebuilt() -> dict[tuple[int, int, int, int], int]:
    touches.rebuild()
    return _counts()


def test_logging_changing_deleting_and_restoring_keep_the_counts_true(world, now):
    other = f.make_contact(account=world.account_a, name="Other")
    data = {
        "account_id": world.account_a.id,
        "kind": "visit",
        "occurred_at": now,
        "summary": "Visit",
        "contact_ids": [world.contact_a.id],
        "participant_ids": [world.rep_a.id, world.rep_a2.id],
    }
    logged = services.log_interaction(data, actor=world.rep_a, now=now)
    kept = _counts()
    day = clock.day_number(now)
    assert kept[(world.account_a.id, world.contact_a.id, world.rep_a2.id, day)] == 1
    assert kept[(world.account_a.id, world.contact_a.id, world.rep_a.id, day)] == 2  # + World's
    assert kept == _rebuilt()

    change = {
        "contact_ids": [other.id],
        "participant_ids": [world.rep_a.id],
        "occurred_at": now - timedelta(days=3),
        "version": logged.version,
    }
    services.update_interaction(logged, change, actor=world.rep_a, now=now)
    kept = _counts()
    assert (world.account_a.id, world.contact_a.id, world.rep_a2.id, day) not in kept
    assert kept[(world.account_a.id, other.id, world.rep_a.id, day - 3)] == 1
    assert kept == _rebuilt()

    services.delete_interaction(logged, actor=world.director_a, now=now)
    assert (world.account_a.id, other.id, world.rep_a.id, day - 3) not in _counts()
    assert _counts() == _rebuilt()
    services.restore_interaction(logged, actor=world.director_a, now=now)
    assert _counts()[(world.account_a.id, other.id, world.rep_a.id, day - 3)] == 1
    assert _counts() == _rebuilt()


def test_rebuild_command_recomputes_the_counts(app, world, now):
    db.session.execute(sa.delete(TieTouch))
    result = app.test_cli_runner().invoke(args=["ties", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "tie counts rebuilt" in result.output
    assert len(_counts()) == 3  # the World's three interactions, one pair each
