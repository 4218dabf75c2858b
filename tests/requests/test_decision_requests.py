"""Decisions are requests too (issue 16): asking for a deal's decision point makes an open request
of kind `decision` to the team's director, needed within two working days; deciding it (approve
or reject) closes it as done with the decision as what was delivered; the director's lists and
the bell read these requests."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesflow.errors import Conflict
from salesflow.extensions import db
from salesflow.opportunities import decisions
from salesflow.opportunities import services as deals
from salesflow.requests import queries, services
from salesflow.requests.models import InternalRequest, RequestChange, Status
from tests import factories as f


def _decide(deal, who, decision, at, **extra):
    data = {"stage": deal.stage_key, "gate": "atb", "decision": decision, **extra}
    return deals.decide(deal, data, actor=who, now=at)


def _requests(deal) -> list[InternalRequest]:
    return list(
        db.session.scalars(
            sa.select(InternalRequest)
            .where(InternalRequest.opportunity_id == deal.id)
            .order_by(InternalRequest.id)
        )
    )


def test_asking_for_a_decision_makes_a_request_to_the_teams_director(world, deal, now):
    _decide(deal, world.rep_a, "requested", now, comment="Tender out on 1 Dec")
    (request,) = _requests(deal)
    assert (request.kind, request.status, request.title, request.details) == (
        "decision",
        Status.open,
        "Approve to bid",
        "Tender out on 1 Dec",
    )
    assert (request.requester_id, request.assignee_id) == (world.rep_a.id, world.director_a.id)
    assert (request.stage_key, request.gate_key, request.account_id) == (
        "shape",
        "atb",
        world.account_a.id,
    )
    assert request.needed_by == date(2026, 11, 24)  # Friday + 2 working days
    assert queries.waiting_count(world.director_a) == 1
    assert queries.inbox(world.director_a)[0] == [request]
    (pending,) = decisions.pending_decisions(world.director_a)
    assert (pending.request_id, pending.needed_by) == (request.id, date(2026, 11, 24))


@pytest.mark.parametrize(
    ("decision", "comment", "delivered"),
    [("approve", None, "Approved"), ("reject", "Margin too thin", "Rejected: Margin too thin")],
)
def test_deciding_closes_the_request_as_done_with_the_decision(
    world, deal, now, decision, comment, delivered
):
    _decide(deal, world.rep_a, "requested", now)
    later = now + timedelta(hours=3)
    _decide(deal, world.director_a, decision, later, comment=comment)
    (request,) = _requests(deal)
    assert (request.status, request.done_at, request.delivered) == (Status.done, later, delivered)
    changes = db.session.scalars(
        sa.select(RequestChange).where(RequestChange.request_id == request.id)
    ).all()
    assert [(c.to_status, c.actor_id) for c in changes] == [
        (Status.open, world.rep_a.id),
        (Status.done, world.director_a.id),
    ]
    assert decisions.pending_decisions(world.director_a) == []
    assert queries.waiting_count(world.director_a) == 0
    assert queries.due_ratings(world.rep_a) == [request]  # the asker may rate the answer


def test_asked_again_after_a_rejection_is_a_new_request(world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    _decide(deal, world.director_a, "reject", now + timedelta(minutes=1), comment="No")
    _decide(deal, world.rep_a, "requested", now + timedelta(minutes=2))
    assert [r.status for r in _requests(deal)] == [Status.done, Status.open]


def test_a_decision_request_is_not_moved_by_hand(world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    (request,) = _requests(deal)
    assert services.allowed(world.director_a, request) == []
    assert services.allowed(world.rep_a, request) == []
    with pytest.raises(Conflict) as refused:
        services.transition(world.director_a, request, "done", "Yes", request.version)
    assert refused.value.message == "A decision is closed by deciding it on the deal."


def test_without_a_named_director_the_teams_active_director_is_asked(world, deal, now):
    world.team_a.director_id = None
    db.session.flush()
    _decide(deal, world.rep_a, "requested", now)
    assert _requests(deal)[0].assignee_id == world.director_a.id


def test_a_named_director_who_left_gives_way_to_an_active_one(world, deal, now):
    second = f.make_user(role="director", team=world.team_a, name="Second director")
    world.director_a.active = False
    db.session.flush()
    _decide(deal, world.rep_a, "requested", now)
    assert _requests(deal)[0].assignee_id == second.id


def test_a_team_without_any_director_keeps_the_decision_on_the_deal(world, now):
    team = f.make_team(name="Lonely")
    rep = f.make_user(team=team)
    account = f.make_account(team=team, members={rep: "AR"})
    deal = f.make_opportunity(account=account, stage="shape", roles={rep: "AR"})
    _decide(deal, rep, "requested", now)
    assert _requests(deal) == []


def test_a_deal_that_moves_on_withdraws_its_decision_requests(world, deal, now):
    from salesflow.opportunities import moves

    _decide(deal, world.rep_a, "requested", now)
    (request,) = _requests(deal)
    data = {"to_stage": "validate", "reason": "Scope changed", "version": deal.version}
    moves.move_back(deal, data, actor=world.rep_a, now=now + timedelta(hours=1))
    assert (request.status, request.reason) == (
        Status.cancelled,
        "The deal moved on before it was decided.",
    )
    assert queries.waiting_count(world.director_a) == 0
    assert queries.due_ratings(world.rep_a) == []  # nothing was delivered to rate


def test_moving_a_deal_keeps_the_decision_requests_of_the_stage_it_is_in(world, deal, now):
    from salesflow.opportunities import moves

    other = f.make_opportunity(account=world.account_a, stage="shape", name="Other")
    _decide(other, world.rep_a, "requested", now)
    data = {"to_stage": "validate", "reason": "Scope changed", "version": deal.version}
    moves.move_back(deal, data, actor=world.rep_a, now=now)
    assert [r.status for r in _requests(other)] == [Status.open]


def test_deleting_a_deal_withdraws_its_decision_requests(world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    deals.delete_opportunity(deal, actor=world.director_a, now=now)
    assert [r.status for r in _requests(deal)] == [Status.cancelled]
    assert queries.waiting_count(world.director_a) == 0
