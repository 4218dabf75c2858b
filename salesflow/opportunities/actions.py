"""POST-only actions on an opportunity: moves, checklist ticks and decisions. Each checks CSRF
through its small form, calls one service, says what happened and goes back (forms.press); a
refusal (unmet gates, a missing reason, a stale page) is said in words and nothing is saved."""

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from salesflow import clock, scope
from salesflow.errors import GatesUnmet
from salesflow.forms import press
from salesflow.opportunities import decisions, moves, services
from salesflow.opportunities import detail as page_detail
from salesflow.opportunities.forms import ApprovalForm, MoveForm, TickForm
from salesflow.opportunities.models import Approval, Decision, Opportunity
from salesflow.opportunities.views import bp

# The parts of the opportunity page an action returns to (ids in opportunities/detail.html).
TOP, GATES, CHECKLIST, DECISIONS, OTHER_MOVES = (
    "",
    "#gates",
    "#checklist",
    "#decisions",
    "#other-moves",
)


def _act(
    opportunity: Opportunity,
    form: FlaskForm,
    change: Callable[[], Any],
    done: str | Callable[[Any], str],
    *,
    anchor: str,
    refused_anchor: str | None = None,
) -> Any:
    """Run one service for a valid form; back where the button was (the board, or the part of
    the opportunity page acted on: `anchor`); on refusal to the part of the page that shows
    what to do about it (`refused_anchor`, else `anchor`) with the reason."""
    page = url_for("opportunities.detail", opportunity_id=opportunity.id)
    return press(
        change,
        back=page + anchor,
        done=done,
        form=form,
        refused_back=page + (refused_anchor or anchor),
    )


def _opportunity(opportunity_id: int) -> Opportunity:
    return scope.get_opportunity(current_user, opportunity_id)


def _linked(opportunity: Opportunity, change: Callable[[], Any]) -> Callable[[], Any]:
    """`change`, whose refusal for unmet gates links each gate to its action."""

    def run() -> Any:
        try:
            return change()
        except GatesUnmet:
            raise GatesUnmet(
                page_detail.linked_unmet(opportunity, current_user, clock.now())
            ) from None

    return run


def _move(
    opportunity_id: int,
    service: Callable[..., Any],
    done: str,
    *,
    anchor: str = GATES,
    refused_anchor: str = GATES,
    **extra: Any,
):
    opportunity = _opportunity(opportunity_id)
    form = MoveForm()

    def change() -> Any:
        data = {**form.service_data(), **extra}
        return service(opportunity, data, actor=current_user, now=clock.now())

    return _act(
        opportunity,
        form,
        _linked(opportunity, change),
        done,
        anchor=anchor,
        refused_anchor=refused_anchor,
    )


@bp.post("/opportunities/<int:opportunity_id>/advance")
@login_required
def advance(opportunity_id: int):
    return _move(opportunity_id, moves.advance, _("Advanced to the next stage."))


@bp.post("/opportunities/<int:opportunity_id>/back")
@login_required
def back(opportunity_id: int):
    return _move(opportunity_id, moves.move_back, _("Moved back."), refused_anchor=OTHER_MOVES)


@bp.post("/opportunities/<int:opportunity_id>/won")
@login_required
def won(opportunity_id: int):
    done = _("Closed as won. Well done.")
    return _move(opportunity_id, moves.close, done, anchor=TOP, status="won")


@bp.post("/opportunities/<int:opportunity_id>/lost")
@login_required
def lost(opportunity_id: int):
    done = _("Closed as lost.")
    return _move(
        opportunity_id, moves.close, done, anchor=TOP, refused_anchor=OTHER_MOVES, status="lost"
    )


@bp.post("/opportunities/<int:opportunity_id>/reopen")
@login_required
def reopen(opportunity_id: int):
    return _move(opportunity_id, moves.reopen, _("Reopened."), anchor=TOP, refused_anchor=TOP)


@bp.post("/opportunities/<int:opportunity_id>/migrate")
@login_required
def migrate(opportunity_id: int):
    done = _("Moved to the newest playbook version.")
    return _move(opportunity_id, moves.migrate, done, anchor=TOP, refused_anchor=TOP)


@bp.post("/opportunities/<int:opportunity_id>/checklist")
@login_required
def tick(opportunity_id: int):
    opportunity = _opportunity(opportunity_id)
    form = TickForm()
    data = {"stage": opportunity.stage_key, "item": form.item.data, "evidence": form.evidence.data}
    return _act(
        opportunity,
        form,
        lambda: services.tick_item(opportunity, data, actor=current_user, now=clock.now()),
        _("Ticked."),
        anchor=CHECKLIST,
    )


@bp.post("/opportunities/<int:opportunity_id>/checklist/clear")
@login_required
def untick(opportunity_id: int):
    opportunity = _opportunity(opportunity_id)
    form = TickForm()
    data = {"stage": opportunity.stage_key, "item": form.item.data}
    return _act(
        opportunity,
        form,
        lambda: services.untick_item(opportunity, data, actor=current_user, now=clock.now()),
        _("Tick cleared."),
        anchor=CHECKLIST,
    )


@bp.post("/opportunities/<int:opportunity_id>/approvals")
@login_required
def decide(opportunity_id: int):
    opportunity = _opportunity(opportunity_id)
    form = ApprovalForm()
    data = {
        "stage": opportunity.stage_key,
        "gate": form.gate.data,
        "decision": form.decision.data,
        "comment": form.comment.data,
    }
    return _act(
        opportunity,
        form,
        lambda: services.decide(opportunity, data, actor=current_user, now=clock.now()),
        lambda approval: _decided(approval, opportunity),
        anchor=DECISIONS,
    )


def _decided(approval: Approval, opportunity: Opportunity) -> str:
    """What a decision's button says it did: whom a request went to, or the decision."""
    if approval.decision == Decision.approve:
        return _("Approved.")
    if approval.decision == Decision.reject:
        return _("Rejected.")
    asked = ", ".join(u.name for u in decisions.deciders(opportunity))
    if not asked:
        return _("Approval requested; the team has no director yet, so an admin must decide.")
    return _("Approval requested from %(names)s.", names=asked)
