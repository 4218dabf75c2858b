"""Decisions asked of a director reach them, and the answer reaches whoever asked (issue 14, "A
decision asked of a director reaches no one"): a decision point is asked once until answered,
its buttons go once pressed, the request is a notification and a pending decision on the
director's lists, and the deal page returns to its decision points."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from salesflow.opportunities import decisions, services
from salesflow.opportunities.models import Approval, Decision
from salesflow.requests.models import InternalRequest
from tests import factories as f
from tests.conftest import api_as, login


def _decide(deal, who, decision, at, **extra):
    data = {"stage": deal.stage_key, "gate": "atb", "decision": decision, **extra}
    return services.decide(deal, data, actor=who, now=at)


def _notes(user, kind=None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def _records(deal) -> list[Decision]:
    return list(
        db.session.scalars(
            sa.select(Approval.decision)
            .where(Approval.opportunity_id == deal.id)
            .order_by(Approval.id)
        )
    )


@pytest.fixture
def deal(world):
    return f.make_opportunity(
        account=world.account_a, stage="shape", name="Grid upgrade", roles={world.rep_a: "AR"}
    )


# --- the service: asked once until answered -------------------------------------------------


def test_asking_twice_is_refused_with_who_asked_and_nothing_is_recorded(world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    with pytest.raises(ValidationFailed) as refused:
        _decide(deal, world.rep_a2, "requested", now + timedelta(minutes=1))
    assert refused.value.fields == {
        "decision": ["Li Ming already asked for Approve to bid; it is waiting for the director."]
    }
    assert _records(deal) == [Decision.requested]


@pytest.mark.parametrize(
    ("history", "again", "message"),
    [
        (["approve"], "approve", "Approve to bid is already approved."),
        (["approve"], "requested", "Approve to bid is already approved."),
        (["reject"], "reject", "Approve to bid is already rejected."),
        (["requested", "approve"], "approve", "Approve to bid is already approved."),
    ],
)
def test_a_decision_is_not_recorded_twice_in_a_row(world, deal, now, history, again, message):
    for n, decision in enumerate(history):
        who = world.rep_a if decision == "requested" else world.director_a
        _decide(deal, who, decision, now + timedelta(minutes=n), comment="Reason")
    actor = world.rep_a if again == "requested" else world.director_a
    with pytest.raises(ValidationFailed) as refused:
        _decide(deal, actor, again, now + timedelta(hours=1), comment="Again")
    assert refused.value.fields == {"decision": [message]}
    assert len(_records(deal)) == len(history)


@pytest.mark.parametrize(
    ("history", "then"),
    [
        (["reject"], "requested"),  # rejected: ask again
        (["approve"], "reject"),  # approved, then revoked
        (["reject"], "approve"),  # rejected, then approved after all
        (["requested"], "reject"),  # the answer to a request
    ],
)
def test_a_different_decision_after_the_last_one_is_recorded(world, deal, now, history, then):
    for n, decision in enumerate(history):
        who = world.rep_a if decision == "requested" else world.director_a
        _decide(deal, who, decision, now + timedelta(minutes=n), comment="Reason")
    who = world.rep_a if then == "requested" else world.director_a
    _decide(deal, who, then, now + timedelta(hours=1), comment="Why")
    assert _records(deal)[-1] == Decision(then)


def test_a_rep_cannot_approve_and_nothing_is_recorded(world, deal, now):
    with pytest.raises(Forbidden):
        _decide(deal, world.rep_a, "approve", now)
    assert _records(deal) == []


# --- who is told --------------------------------------------------------------------------


def test_a_request_notifies_the_teams_director_with_a_link_to_the_decision_points(world, deal, now):
    _decide(deal, world.rep_a, "requested", now, comment="Tender out on 1 Dec")
    (note,) = _notes(world.director_a)
    assert note.kind == "decision_requested"
    assert note.link == f"/opportunities/{deal.id}#decisions"
    assert render(note.kind, note.params) == (
        "Li Ming asks you to decide Approve to bid on Grid upgrade (Huadong Power): "
        "Tender out on 1 Dec"
    )
    assert _notes(world.director_b) == [] and _notes(world.admin) == []
    assert _notes(world.rep_a) == []  # the asker is not told of their own request


def test_a_request_is_told_in_the_readers_language(app, world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    (note,) = _notes(world.director_a)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_babel import refresh

        refresh()
        text = render(note.kind, note.params)
    assert "投标决策" in text and "Grid upgrade" in text


def test_the_answer_is_told_to_whoever_asked_with_who_decided_and_why(world, deal, now):
    _decide(deal, world.rep_a, "requested", now)
    _decide(deal, world.director_a, "reject", now + timedelta(hours=1), comment="Margin too thin")
    (note,) = _notes(world.rep_a, "decision_made")
    assert note.link == f"/opportunities/{deal.id}#decisions"
    assert render(note.kind, note.params) == (
        "Director North rejected Approve to bid on Grid upgrade (Huadong Power): Margin too thin"
    )
    _decide(deal, world.rep_a2, "requested", now + timedelta(hours=2))
    _decide(deal, world.admin, "approve", now + timedelta(hours=3))
    (note,) = _notes(world.rep_a2, "decision_made")
    assert render(note.kind, note.params) == (
        "Admin approved Approve to bid on Grid upgrade (Huadong Power)."
    )
    assert len(_notes(world.rep_a, "decision_made")) == 1  # rep_a asked only the first time


def test_a_decision_nobody_asked_for_tells_nobody(world, deal, now):
    _decide(deal, world.director_a, "approve", now)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


# --- the pending list ---------------------------------------------------------------------


def test_pending_decisions_are_the_unanswered_requests_the_user_may_decide(world, deal, now):
    shared = f.make_opportunity(account=world.shared, stage="shape", name="Steel mill")
    other = f.make_opportunity(account=world.account_b, stage="shape", name="South grid")
    answered = f.make_opportunity(account=world.account_a, stage="shape", name="Answered")
    _decide(deal, world.rep_a, "requested", now - timedelta(days=2))
    _decide(shared, world.rep_b, "requested", now - timedelta(days=1))
    _decide(other, world.rep_b, "requested", now)
    _decide(answered, world.rep_a, "requested", now)
    _decide(answered, world.director_a, "approve", now + timedelta(minutes=1))

    def names(user):
        return [p.opportunity_name for p in decisions.pending_decisions(user)]

    assert names(world.director_a) == ["Grid upgrade", "Steel mill"]  # oldest first
    assert names(world.director_b) == ["South grid"]
    assert names(world.admin) == ["Grid upgrade", "Steel mill", "South grid"]
    assert names(world.rep_a) == [] and names(world.leader) == []
    (first,) = decisions.pending_decisions(world.director_a)[:1]
    assert (first.requester_name, first.gate_name["en"], first.account_name) == (
        "Li Ming",
        "Approve to bid",
        "Huadong Power",
    )
    assert first.link == f"/opportunities/{deal.id}#decisions"


def test_a_request_is_no_longer_pending_once_the_deal_moved_on_closed_or_was_deleted(world, now):
    moved = f.make_opportunity(account=world.account_a, stage="shape", name="Moved")
    lost = f.make_opportunity(account=world.account_a, stage="shape", name="Lost")
    gone = f.make_opportunity(account=world.account_a, stage="shape", name="Gone")
    for deal in (moved, lost, gone):
        _decide(deal, world.rep_a, "requested", now)
    moved.stage_key, lost.status, gone.deleted_at = "bid", "lost", now
    db.session.flush()
    assert decisions.pending_decisions(world.director_a) == []


# --- the deal page ------------------------------------------------------------------------


def _buttons(client, deal) -> set[str]:
    page = client.get(f"/opportunities/{deal.id}").text
    return {v for v in ("approve", "reject", "requested") if f'value="{v}"' in page}


def test_the_ask_button_goes_once_asked_and_the_page_says_who_asked(client, world, deal, now):
    db.session.commit()
    login(client, world.rep_a)
    assert _buttons(client, deal) == {"requested"}
    response = client.post(
        f"/opportunities/{deal.id}/approvals", data={"gate": "atb", "decision": "requested"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/opportunities/{deal.id}#decisions"
    page = client.get(f"/opportunities/{deal.id}").text
    assert "Approval requested from Director North." in page
    assert "Li Ming asked on" in page and "waiting for the director" in page
    assert _buttons(client, deal) == set()
    again = client.post(
        f"/opportunities/{deal.id}/approvals",
        data={"gate": "atb", "decision": "requested"},
        follow_redirects=True,
    )
    assert "already asked for Approve to bid" in again.text
    assert _records(deal) == [Decision.requested]


def test_the_directors_buttons_follow_the_last_decision(client, world, deal, now):
    db.session.commit()
    login(client, world.director_a)
    assert _buttons(client, deal) == {"approve", "reject"}
    response = client.post(
        f"/opportunities/{deal.id}/approvals", data={"gate": "atb", "decision": "approve"}
    )
    assert response.headers["Location"] == f"/opportunities/{deal.id}#decisions"
    assert _buttons(client, deal) == {"reject"}  # approved: only a revocation is left


def test_a_rep_cannot_approve_by_hand_and_another_teams_director_gets_404(client, world, deal, now):
    db.session.commit()
    login(client, world.rep_a)
    refused = client.post(
        f"/opportunities/{deal.id}/approvals",
        data={"gate": "atb", "decision": "approve"},
        follow_redirects=True,
    )
    assert "Only the team" in refused.text
    login(client, world.director_b)
    response = client.post(
        f"/opportunities/{deal.id}/approvals", data={"gate": "atb", "decision": "approve"}
    )
    assert response.status_code == 404
    assert _records(deal) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"gate": "atb", "decision": "maybe"}, "Approve, reject or ask for a decision."),
        ({"gate": "nope", "decision": "requested"}, "This stage has no such decision point."),
        ({"gate": "atb", "decision": "reject"}, "Say why it is rejected."),
        ({"gate": "atb", "decision": "requested", "comment": "x" * 2001}, "2000"),
    ],
)
def test_bad_decisions_are_refused_on_the_decision_points_and_nothing_is_saved(
    client, world, deal, now, data, message
):
    db.session.commit()
    login(client, world.director_a if data["decision"] == "reject" else world.rep_a)
    response = client.post(f"/opportunities/{deal.id}/approvals", data=data)
    assert response.headers["Location"] == f"/opportunities/{deal.id}#decisions"
    assert message in client.get(response.headers["Location"]).text
    assert _records(deal) == [] and _notes(world.director_a) == []


# --- the API ------------------------------------------------------------------------------


def test_the_deals_json_lists_its_pending_decisions_as_decision_requests(app, world, deal, now):
    rep = api_as(app, world.rep_a)
    assert rep.get(f"/opportunities/{deal.id}").get_json()["pending_decisions"] == []
    asked = rep.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "request", "comment": "Tender out"},
    )
    assert asked.status_code == 201
    again = rep.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "request"},
    )
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"]["decision"] == [
        "Li Ming already asked for Approve to bid; it is waiting for the director."
    ]
    (pending,) = rep.get(f"/opportunities/{deal.id}").get_json()["pending_decisions"]
    request = db.session.scalar(
        sa.select(InternalRequest).where(InternalRequest.kind == "decision")
    )
    assert pending == {
        "id": request.id,  # the decision request's, as GET /requests/{id} reads it
        "kind": "decision",
        "status": "open",
        "stage": "shape",
        "gate": "atb",
        "title": {"en": "Approve to bid", "zh": "投标决策"},
        "account_id": world.account_a.id,
        "opportunity_id": deal.id,
        "requester_id": world.rep_a.id,
        "created_at": pending["created_at"],
        "details": "Tender out",
    }
    assert (
        api_as(app, world.rep_a)
        .post(
            f"/opportunities/{deal.id}/approvals",
            json={"stage": "shape", "gate": "atb", "decision": "approve"},
        )
        .status_code
        == 403
    )
    assert (
        api_as(app, world.director_b)
        .post(
            f"/opportunities/{deal.id}/approvals",
            json={"stage": "shape", "gate": "atb", "decision": "approve"},
        )
        .status_code
        == 404
    )
    director = api_as(app, world.director_a)
    decided = director.post(
        f"/opportunities/{deal.id}/approvals",
        json={"stage": "shape", "gate": "atb", "decision": "approve"},
    )
    assert decided.status_code == 201
    assert director.get(f"/opportunities/{deal.id}").get_json()["pending_decisions"] == []
    kinds = [n["kind"] for n in rep.get("/notifications").get_json()["items"]]
    assert "decision_made" in kinds


# --- My day -------------------------------------------------------------------------------


def test_my_day_of_the_director_leads_with_the_decisions_waiting(client, world, deal, now):
    _decide(deal, world.rep_a, "requested", now, comment="Tender out on 1 Dec")
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/").text
    section = page[page.index('id="decisions-waiting"') :]
    assert page.index('id="decisions-waiting"') < page.index('id="next-steps"')
    assert "Decisions waiting for you" in page
    assert f'href="/opportunities/{deal.id}#decisions"' in section
    assert "Approve to bid · Grid upgrade" in section and "Li Ming asked on" in section
    login(client, world.director_b)
    assert 'id="decisions-waiting"' not in client.get("/").text
    login(client, world.rep_a)
    assert 'id="decisions-waiting"' not in client.get("/").text
