"""Notifications: each active person told once; a key makes a repeat harmless; messages are
rendered from kind and parameters in the reader's language."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications import queries, services
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from tests import factories as f


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id))
    )


def _complete(users, now, **kwargs):
    return services.notify(
        users,
        "handover_complete",
        params={"from_user": "A", "to_user": "B"},
        link="/handovers/1",
        now=now,
        **kwargs,
    )


def test_each_active_person_is_told_once(world, now):
    gone = f.make_user(active=False)
    created = _complete([world.rep_a, world.rep_a, None, gone], now)
    assert [n.user_id for n in created] == [world.rep_a.id]
    assert created[0].created_at == now and created[0].read_at is None
    assert _kinds(gone) == []


def test_a_key_is_said_once_per_person(world, now):
    _complete([world.rep_a], now, key="handover:1:complete")
    again = _complete([world.rep_a, world.rep_a2], now, key="handover:1:complete")
    assert [n.user_id for n in again] == [world.rep_a2.id]
    assert _kinds(world.rep_a) == ["handover_complete"]


def test_an_unknown_kind_fails_loudly(world, now):
    with pytest.raises(KeyError):
        services.notify([world.rep_a], "no_such_kind", now=now)


def test_messages_are_rendered_from_the_parameters(world, now):
    params = {
        "creator": "Chen Jie",
        "from_user": "Li Ming",
        "to_user": "Zhao Lei",
        "due": "2026-12-15",
        "accounts": 2,
    }
    assert render("handover_planned", params) == (
        "Chen Jie planned the handover of 2 accounts from Li Ming to Zhao Lei, due Dec 15, 2026."
    )
    assert render("retired_kind", {}) == "retired_kind"


def test_mark_read_and_unread_count(world, now):
    first, second = (_complete([world.rep_a], now)[0] for _ in range(2))
    _complete([world.rep_a2], now)
    assert queries.unread_count(world.rep_a) == 2
    services.mark_read(first, now=now)
    services.mark_read(first, now=now + timedelta(hours=1))  # the first time counts
    assert first.read_at == now and queries.unread_count(world.rep_a) == 1
    assert services.mark_all_read(world.rep_a, now=now) == 1
    assert queries.unread_count(world.rep_a) == 0 and queries.unread_count(world.rep_a2) == 1


def test_pages_are_newest_first_and_only_ones_own(world, now):
    ids = [_complete([world.rep_a], now)[0].id for _ in range(3)]
    _complete([world.rep_a2], now)
    rows, more = queries.page(world.rep_a, limit=2)
    assert [n.id for n in rows] == ids[:0:-1] and more
    rows, more = queries.page(world.rep_a, before=rows[-1].id, limit=2)
    assert [n.id for n in rows] == ids[:1] and not more
