"""The pipeline report (API.md `GET /reports/pipeline`) against hand-computed figures: per stage
the open deals' count, amount and weighted amount per currency and the SLA breaches; gate
compliance over the period with the overrides; scope, filters and bad input."""

from datetime import timedelta

import pytest

from salesflow.pipeline import figures
from tests.conftest import api_as


def _stages(user, now, **filters):
    return {(s.playbook, s.stage): (s.count, {c: str(v) for c, v in s.amount.items()},
                                    {c: str(v) for c, v in s.weighted.items()}, s.breaches)
            for s in figures.funnel(user, figures.Filters(**filters), now=now)}  # fmt: skip


def test_the_funnel_per_stage_and_currency_for_leadership(world, deals, now):
    assert _stages(world.leader, now) == {
        ("enterprise", "validate"): (2, {"CNY": "600000.00"}, {"CNY": "60000.00"}, 0),
        ("enterprise", "shape"): (2, {"CNY": "200000.00", "USD": "30000.00"},
                                  {"CNY": "50000.00", "USD": "7500.00"}, 1),
    }  # fmt: skip
    order = [(s.playbook, s.stage) for s in figures.funnel(world.leader, figures.Filters(),
                                                           now=now)]  # fmt: skip
    assert order == [("enterprise", "validate"), ("enterprise", "shape")]  # playbook order


def test_a_director_sees_their_team_and_filters_narrow_it(world, deals, now):
    assert _stages(world.director_a, now)[("enterprise", "validate")][0] == 1
    assert _stages(world.leader, now, team_id=world.team_b.id) == {
        ("enterprise", "validate"): (1, {"CNY": "500000.00"}, {"CNY": "50000.00"}, 0)
    }
    assert _stages(world.leader, now, user_id=world.rep_a2.id) == {
        ("enterprise", "shape"): (1, {"CNY": "200000.00"}, {"CNY": "50000.00"}, 1)
    }
    assert _stages(world.leader, now, playbook="transactional") == {}
    # a director filtering by another team still sees only their own
    assert _stages(world.director_a, now, team_id=world.team_b.id) == {}


def test_gate_compliance_over_the_period_with_the_overrides(world, deals, now):
    everyone = figures.gate_compliance(world.leader, figures.Filters(), now=now)
    assert (everyone.advances, everyone.met) == (3, 2)
    assert everyone.share == pytest.approx(2 / 3)
    assert [(c.reason, name) for c, name in everyone.overrides] == [
        ("Customer asked", deals["a_shape_late"].name)
    ]
    north = figures.gate_compliance(world.director_a, figures.Filters(), now=now)
    assert (north.advances, north.met, north.share) == (2, 1, 0.5)
    longer = figures.Filters(start=(now - timedelta(days=100)).date(), end=now.date())
    assert figures.gate_compliance(world.leader, longer, now=now).advances == 4
    empty = figures.Filters(start=now.date() + timedelta(days=1), end=now.date() + timedelta(2))
    assert figures.gate_compliance(world.leader, empty, now=now).share is None


def test_the_api_gives_exactly_the_contracts_fields(app, world, deals, now):
    body = (
        api_as(app, world.director_a)
        .get(f"/reports/pipeline?at={now.isoformat().replace('+', '%2B')}")
        .get_json()
    )
    assert set(body) == {"stages", "gate_compliance"}
    shape = next(s for s in body["stages"] if s["stage"] == "shape")
    assert shape == {
        "playbook": "enterprise",
        "stage": "shape",
        "count": 2,
        "amount": {"CNY": "200000.00", "USD": "30000.00"},
        "weighted_amount": {"CNY": "50000.00", "USD": "7500.00"},
        "breaches": 1,
    }
    compliance = body["gate_compliance"]
    assert (compliance["advances"], compliance["met_every_gate"], compliance["share"]) == (
        2, 1, 0.5)  # fmt: skip
    override = compliance["overrides"][0]
    assert set(override) == {"opportunity_id", "at", "from_stage", "to_stage", "reason"}
    assert (override["opportunity_id"], override["reason"]) == (
        deals["a_shape_late"].id, "Customer asked")  # fmt: skip


def test_reps_are_refused(app, world, deals):
    response = api_as(app, world.rep_a).get("/reports/pipeline")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-11-20&to=2026-11-01", "from"), ("from=2026-13-01", "from"),
     ("at=2026-11-20T10:00:00", "at"), ("team_id=abc", "team_id")],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field(app, world, query, field):
    response = api_as(app, world.leader).get(f"/reports/pipeline?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
