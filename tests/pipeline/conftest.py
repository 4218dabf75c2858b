"""Pipeline review fixtures: deals in two teams and currencies, one over its stage's limit, and
forward advances in and out of the default period, one of them an override."""

from datetime import timedelta

import pytest

from salesflow.extensions import db
from salesflow.opportunities.models import Move, StageChange
from tests import factories as f


def _change(deal, now, days_ago, move=Move.advanced, met=True, overridden=False, reason=None):
    db.session.add(
        StageChange(
            opportunity_id=deal.id,
            at=now - timedelta(days=days_ago),
            move=move,
            from_stage="validate",
            to_stage="shape",
            gates=[],
            gates_met=met,
            overridden=overridden,
            reason=reason,
        )
    )


@pytest.fixture
def deals(world, now):
    """validate is 10 % (SLA 21 days), shape 25 % (SLA 45 days)."""
    made = {
        "a_validate": f.make_opportunity(
            account=world.account_a, stage="validate", amount=100_000, days_in_stage=10
        ),
        "a_shape_late": f.make_opportunity(
            account=world.account_a,
            stage="shape",
            amount=200_000,
            days_in_stage=50,
            roles={world.rep_a2: "AR"},
        ),
        "shared_usd": f.make_opportunity(
            account=world.shared, stage="shape", amount=30_000, currency="USD", days_in_stage=1
        ),
        "b_validate": f.make_opportunity(account=world.account_b, stage="validate", amount=500_000),
        "a_won": f.make_opportunity(account=world.account_a, stage="shape", status="won"),
    }
    _change(made["a_validate"], now, 5)
    _change(made["a_shape_late"], now, 10, met=False, overridden=True, reason="Customer asked")
    _change(made["a_shape_late"], now, 100)  # before the default 90-day period
    _change(made["a_validate"], now, 1, move=Move.moved_back)  # not a forward advance
    _change(made["b_validate"], now, 3)
    db.session.flush()
    return made
