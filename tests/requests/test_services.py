"""Asking a colleague (lead time, rush, every field's refusal), the state machine of the person
asked and the requester (every allowed and every refused move, per side and role), the rating,
and the history and audit each change leaves."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.notifications.models import Notification
from salesflow.opportunities.models import OpportunityRole, TriangleRole
from salesflow.requests import services
from salesflow.requests.models import InternalRequest, RequestChange, Status
from tests import factories as f
from tests.requests.conftest import FRIDAY, IN_TWO_WEEKS, ask

S = Status


def _notes(user, kind):
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


# --- asking: lead time and rush -------------------------------------------------------------


@pytest.mark.parametrize(
    ("needed_by", "lead", "rush"),
    [
        (date(2026, 11, 27), 5, False),  # exactly the workshop's 5 working days
        (date(2026, 11, 26), 4, True),
        (FRIDAY, 0, True),  # needed today
        (IN_TWO_WEEKS, 10, False),
    ],
)
def test_lead_time_counts_working_days_and_less_than_the_minimum_is_a_rush(
    needed_by, lead, rush, ctx
):
    assert services.lead_days(FRIDAY, needed_by) == lead
    assert services.is_rush("solution_workshop", FRIDAY, needed_by) is rush


def test_asking_with_enough_lead_time_is_not_a_rush(world, deal, now):
    request = ask(world, deal)
    assert (request.status, request.rush, request.rush_reason) == (S.open, False, None)
    assert (request.requester_id, request.assignee_id) == (world.rep_a.id, world.rep_a2.id)
    assert request.created_at == now
    assert [(c.from_status, c.to_status) for c in _changes(request)] == [(None, S.open)]
    assert len(_notes(world.rep_a2, "request_asked")) == 1


def test_asking_too_soon_without_a_reason_is_refused_naming_the_minimum(world, now):
    with pytest.raises(ValidationFailed) as refused:
        ask(world, needed_by=date(2026, 11, 24))
    assert refused.value.fields == {
        "rush_reason": [
            "Solution workshop needs 5 working days; to ask for it sooner, say why it is a rush."
        ]
    }
    assert db.session.scalar(sa.select(sa.func.count(InternalRequest.id))) == 0


def test_asking_too_soon_with_a_reason_is_a_rush(world, now):
    request = ask(world, needed_by=date(2026, 11, 24), rush_reason="The customer moved the date")
    assert (request.rush, request.rush_reason) == (True, "The customer moved the date")


def test_a_reason_given_without_a_rush_is_not_kept(world, now):
    assert ask(world, rush_reason="Just in case").rush_reason is None


def test_the_holidays_count_against_the_lead_time(app, world, now):
    app.config["COMPANY_HOLIDAYS"] = ["2026-11-23"]
    try:
        with pytest.raises(ValidationFailed) as refused:
            ask(world, needed_by=date(2026, 11, 27))  # 4 working days with Monday off
    finally:
        app.config["COMPANY_HOLIDAYS"] = []
    assert list(refused.value.fields) == ["rush_reason"]


def test_the_default_person_asked_is_the_deals_sr_or_fr_for_a_delivery_plan(world, deal, now):
    fr = f.make_user(team=world.team_a, name="Qian FR")
    deal.roles.append(OpportunityRole(user_id=fr.id, role=TriangleRole.FR))
    db.session.flush()
    assert ask(world, deal, assignee_id=None).assignee_id == world.rep_a2.id
    assert ask(world, deal, kind="delivery_plan", assignee_id=None).assignee_id == fr.id


def test_without_a_deal_nor_a_person_asked_it_says_to_choose_one(world, now):
    with pytest.raises(ValidationFailed) as refused:
        ask(world, assignee_id=None)
    assert refused.value.fields == {"assignee_id": ["Choose whom to ask."]}


def test_every_problem_is_said_at_once(world, deal, now):
    other = f.make_opportunity(account=world.shared)
    with pytest.raises(ValidationFailed) as refused:
        ask(
            world,
            kind="massage",
            title="  ",
            opportunity_id=other.id,
            assignee_id=world.rep_b.id,  # cannot see account_a
            needed_by=date(2026, 11, 19),
        )
    assert refused.value.fields == {
        "kind": ["Choose a kind of request."],
        "title": ["Add a title."],
        "opportunity_id": ["Choose a deal of this account."],
        "assignee_id": ["Wang Fang cannot see this account."],
        "needed_by": ["The date is in the past."],
    }


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"kind": "decision"}, "kind", "Choose a kind of request."),  # asked through the deal
        ({"needed_by": None}, "needed_by", "Say when it is needed."),
        ({"needed_by": "2026-12-01"}, "needed_by", "Enter a date."),
        ({"title": "x" * 201}, "title", "Use at most 200 characters."),
        ({"assignee_id": "7"}, "assignee_id", "Choose an active colleague."),
        ({"opportunity_id": 2**31}, "opportunity_id", "Choose a deal of this account."),
    ],
)
def test_bad_input_is_refused_on_its_field(world, now, given, field, message):
    with pytest.raises(ValidationFailed) as refused:
        ask(world, **given)
    assert refused.value.fields[field] == [message]


def test_asking_an_inactive_colleague_or_yourself_is_refused(world, now):
    gone = f.make_user(team=world.team_a, active=False)
    for who, message in [
        (gone, "Choose an active colleague."),
        (world.rep_a, "Ask someone other than yourself."),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            ask(world, assignee_id=who.id)
        assert refused.value.fields == {"assignee_id": [message]}


def test_an_account_outside_the_askers_scope_is_not_found(world, now):
    with pytest.raises(NotFound):
        ask(world, user=world.rep_b, assignee_id=world.rep_a.id)


# --- the state machine ----------------------------------------------------------------------

ASSIGNEE = {
    S.open: {S.accepted, S.declined},
    S.accepted: {S.in_progress, S.on_hold, S.done, S.declined},
    S.in_progress: {S.on_hold, S.done, S.declined},
    S.on_hold: {S.in_progress, S.done, S.declined},
}
REQUESTER = {s: {S.cancelled} for s in (S.open, S.accepted, S.in_progress, S.on_hold)}
CASES = [
    (side, before, to, to in table.get(before, set()))
    for side, table in (("assignee", ASSIGNEE), ("requester", REQUESTER))
    for before in Status
    for to in Status
    if to != before
]


def _changes(request):
    return list(
        db.session.scalars(
            sa.select(RequestChange)
            .where(RequestChange.request_id == request.id)
            .order_by(RequestChange.id)
        )
    )


@pytest.mark.parametrize(("side", "before", "to", "allowed"), CASES)
def test_every_move_of_the_state_machine(world, now, side, before, to, allowed):
    request = ask(world)
    request.status = before
    db.session.flush()
    who = world.rep_a2 if side == "assignee" else world.rep_a
    assert (to.value in services.allowed(who, request)) is allowed
    if allowed:
        services.transition(who, request, to.value, "Because", request.version)
        assert request.status == to
        assert (_changes(request)[-1].from_status, _changes(request)[-1].to_status) == (before, to)
    else:
        with pytest.raises(Conflict):
            services.transition(who, request, to.value, "Because", request.version)
        assert request.status == before


@pytest.mark.parametrize("role", ["rep_b", "director_a", "leader", "admin"])
def test_nobody_else_moves_a_request(world, now, role):
    request = ask(world)
    who = getattr(world, role)
    assert services.allowed(who, request) == []
    with pytest.raises(Conflict) as refused:
        services.transition(who, request, "accepted", None, request.version)
    assert refused.value.message == "This request cannot go from Open to Accepted by you."


def test_the_allowed_moves_of_each_side(world, now):
    request = ask(world)
    assert services.allowed(world.rep_a2, request) == ["accepted", "declined"]
    assert services.allowed(world.rep_a, request) == ["cancelled"]


@pytest.mark.parametrize(
    ("path", "to", "message"),
    [
        ([], "declined", "Say why it is declined."),
        ([], "cancelled", "Say why it is cancelled."),
        (["accepted"], "on_hold", "Say why it is on hold."),
        (["accepted"], "done", "Say what was delivered."),
    ],
)
def test_a_hold_decline_cancel_needs_a_reason_and_done_what_was_delivered(
    world, now, path, to, message
):
    request = ask(world)
    for step in path:
        services.transition(world.rep_a2, request, step, None, request.version)
    who = world.rep_a if to == "cancelled" else world.rep_a2
    with pytest.raises(ValidationFailed) as refused:
        services.transition(who, request, to, "  ", request.version)
    assert refused.value.fields == {"comment": [message]}


def test_a_stale_version_is_a_conflict(world, now):
    request = ask(world)
    read = request.version
    services.transition(world.rep_a2, request, "accepted", None, read)
    with pytest.raises(Conflict) as refused:
        services.transition(world.rep_a2, request, "in_progress", None, read)
    assert "Someone else changed this record" in refused.value.message


def test_an_unknown_status_is_refused_on_to(world, now):
    request = ask(world)
    with pytest.raises(ValidationFailed) as refused:
        services.transition(world.rep_a2, request, "finished", None, request.version)
    assert list(refused.value.fields) == ["to"]


def test_delivering_records_times_words_history_audit_and_tells_the_requester(world, now):
    request = ask(world)
    services.transition(world.rep_a2, request, "accepted", None, request.version)
    services.transition(world.rep_a2, request, "done", "Slides and notes", request.version)
    assert (request.accepted_at, request.done_at, request.delivered) == (
        now,
        now,
        "Slides and notes",
    )
    assert [c.to_status for c in _changes(request)] == [S.open, S.accepted, S.done]
    actions = db.session.scalars(
        sa.select(AuditEntry.changes).where(
            AuditEntry.entity_type == "internal_requests", AuditEntry.entity_id == request.id
        )
    ).all()
    assert [a.get("status") for a in actions] == [None, ["open", "accepted"], ["accepted", "done"]]
    assert len(_notes(world.rep_a, "request_changed")) == 2


def test_a_cancellation_tells_the_person_asked_and_keeps_the_reason(world, now):
    request = ask(world)
    services.transition(world.rep_a, request, "cancelled", "Customer postponed", request.version)
    assert (request.status, request.reason, request.done_at) == (
        S.cancelled,
        "Customer postponed",
        None,
    )
    assert len(_notes(world.rep_a2, "request_changed")) == 1


# --- rating ----------------------------------------------------------------------------------


def _done(world, to="done"):
    request = ask(world)
    services.transition(world.rep_a2, request, "accepted", None, request.version)
    services.transition(world.rep_a2, request, to, "Words", request.version)
    return request


@pytest.mark.parametrize("to", ["done", "declined"])
def test_the_requester_rates_once_a_done_or_declined_request(world, now, to):
    request = _done(world, to)
    services.rate(world.rep_a, request, 4, "Helpful")
    assert (request.rating, request.rating_comment, request.rating_at) == (4, "Helpful", now)
    assert len(_notes(world.rep_a2, "request_rated")) == 1
    with pytest.raises(Conflict):
        services.rate(world.rep_a, request, 5, None)


@pytest.mark.parametrize("rating", [0, 6, True, "4", None, 3.5])
def test_a_rating_is_a_whole_number_from_1_to_5(world, now, rating):
    with pytest.raises(ValidationFailed) as refused:
        services.rate(world.rep_a, _done(world), rating, None)
    assert refused.value.fields == {"rating": ["Rate from 1 to 5."]}


def test_only_the_requester_rates_and_only_once_closed_so(world, now):
    request = ask(world)
    with pytest.raises(Conflict):
        services.rate(world.rep_a, request, 5, None)
    services.transition(world.rep_a, request, "cancelled", "No longer needed", request.version)
    with pytest.raises(Conflict):
        services.rate(world.rep_a, request, 5, None)  # a cancelled request is not rated
    done = _done(world)
    for who in (world.rep_a2, world.director_a, world.admin):
        with pytest.raises(Forbidden):
            services.rate(who, done, 5, None)


def test_dismissing_a_rating_stops_asking_for_it(world, now):
    from salesflow.requests import queries

    request = _done(world)
    assert queries.due_ratings(world.rep_a) == [request]
    assert queries.waiting_count(world.rep_a) == 1
    services.dismiss_rating(world.rep_a, request)
    assert queries.due_ratings(world.rep_a) == []
    assert queries.waiting_count(world.rep_a) == 0
    with pytest.raises(Forbidden):
        services.dismiss_rating(world.rep_a2, request)


# --- editing ---------------------------------------------------------------------------------


def test_the_requester_edits_an_open_request_and_a_rush_is_counted_again(world, now):
    request = ask(world)
    with pytest.raises(ValidationFailed) as refused:
        services.update_request(
            world.rep_a, request, {"needed_by": date(2026, 11, 24), "version": request.version}
        )
    assert list(refused.value.fields) == ["rush_reason"]
    services.update_request(
        world.rep_a,
        request,
        {"needed_by": date(2026, 11, 24), "rush_reason": "Moved up", "version": request.version},
    )
    assert (request.needed_by, request.rush, request.rush_reason) == (
        date(2026, 11, 24),
        True,
        "Moved up",
    )
    with pytest.raises(Forbidden):
        services.update_request(world.rep_a2, request, {"title": "X", "version": request.version})
    with pytest.raises(Conflict):
        services.update_request(world.rep_a, request, {"title": "X", "version": 1})
