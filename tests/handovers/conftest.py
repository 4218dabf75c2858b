"""Handover tests start from the permission world: Li Ming (rep_a) hands Huadong Power
(account_a, where he is AR and alone met the decision maker Zhang Wei today) over to Zhao Lei
(rep_a2), planned by Director North."""

from datetime import date, timedelta

import pytest

from salesflow.handovers import checklist, services
from salesflow.handovers.models import Handover


def plan(world, *, actor=None, accounts=None, now, **data) -> Handover:
    """A handover planned through the service (defaults: rep_a → rep_a2, account_a, in 30 days)."""
    values = {
        "from_user_id": world.rep_a.id,
        "to_user_id": world.rep_a2.id,
        "account_ids": [a.id for a in (accounts or [world.account_a])],
        "due_date": date(2026, 12, 20),
        **data,
    }
    return services.create_handover(values, actor=actor or world.director_a, now=now)


def state(handover: Handover) -> dict:
    """{(item kind, contact id or None): done} of the handover's checklist, and its percent."""
    items = checklist.of(handover)
    done = {(i.kind.value, i.contact_id): i.done for i in items.items}
    return {"items": done, "percent": items.percent}


@pytest.fixture
def handover(world, now) -> Handover:
    return plan(world, now=now)


@pytest.fixture
def later(now):
    """A moment after the handover was planned."""
    return now + timedelta(hours=2)
