"""Helpers of the requests tests: a deal on account_a worked by rep_a (AR) and rep_a2 (SR), and a
request from rep_a to rep_a2 asked at FROZEN_NOW (Friday 2026-11-20 in the company's calendar)."""

from datetime import date

import pytest

from salesflow.requests import services
from tests import factories as f

FRIDAY = date(2026, 11, 20)
IN_TWO_WEEKS = date(2026, 12, 4)  # 10 working days after FRIDAY


@pytest.fixture
def deal(world):
    return f.make_opportunity(
        account=world.account_a,
        stage="shape",
        name="Grid upgrade",
        roles={world.rep_a: "AR", world.rep_a2: "SR"},
    )


def ask(world, deal=None, *, user=None, **given):
    """rep_a (or `user`) asks rep_a2 for a solution workshop on account_a in two weeks, unless
    `given` says otherwise."""
    values = {
        "kind": "solution_workshop",
        "title": "Workshop on the control system",
        "details": None,
        "account_id": world.account_a.id,
        "opportunity_id": deal.id if deal is not None else None,
        "assignee_id": world.rep_a2.id,
        "needed_by": IN_TWO_WEEKS,
        "rush_reason": None,
    }
    values.update(given)
    return services.ask(user or world.rep_a, **values)
