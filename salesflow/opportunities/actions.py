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
from salesflow.forms import press
from salesflow.opportunities import moves, services
from salesflow.opportunities.forms import ApprovalForm, MoveForm, TickForm
from salesflow.opportunities.models import Opportunity
from salesflow.opportunities.views import bp


def _act(opportunity: Opportunity, form: FlaskForm, change: Callable[[], Any], done: str) -> Any:
    """Run one service for a valid form; back where the button was (the board or the opportunity
    page); on refusal to the opportunity page (where the gates and what to do about them are
    shown) with the reason."""
    page = url_for("opportunities.detail", opportunity_id=opportunity.id)
    return press(change, back=page, done=done, form=form, refused_back=page)


def _opportunity(opportunity_id: int) -> Opportunity:
    return scope.get_opportunity(current_user, opportunity_id)


def _move(opportunity_id: int, service: Callable[..., Any], done: str, **extra: Any):
    opportunity = _opportunity(opportunity_id)
    form = MoveForm()
    return _act(
        opportunity,
        form,
        lambda: service(
            opportunity, {**form.service_data(), **extra}, actor=current_user, now=clock.now()
        ),
        done,
    )


@bp.post("/opportunities/<int:opportunity_id>/advance")
@login_required
def advance(opportunity_id: int):
    return _move(opportunity_id, moves.advance, _("Advanced to the next stage."))


@bp.post("/opportunities/<int:opportunity_id>/back")
@login_required
def back(opportunity_id: int):
    return _move(opportunity_id, moves.move_back, _("Moved back."))


@bp.post("/opportunities/<int:opportunity_id>/won")
@login_required
def won(opportunity_id: int):
    return _move(opportunity_id, moves.close, _("Closed as won. Well done."), status="won")


@bp.post("/opportunities/<int:opportunity_id>/lost")
@login_required
def lost(opportunity_id: int):
    return _move(opportunity_id, moves.close, _("Closed as lost."), status="lost")


@bp.post("/opportunities/<int:opportunity_id>/reopen")
@login_required
def reopen(opportunity_id: int):
    return _move(opportunity_id, moves.reopen, _("Reopened."))


@bp.post("/opportunities/<int:opportunity_id>/migrate")
@login_required
def migrate(opportunity_id: int):
    return _move(opportunity_id, moves.migrate, _("Moved to the newest playbook version."))


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
    done = {
        "requested": _("Approval requested from the director."),
        "approve": _("Approved."),
        "reject": _("Rejected."),
    }
    return _act(
        opportunity,
        form,
        lambda: services.decide(opportunity, data, actor=current_user, now=clock.now()),
        done.get(form.decision.data or "", _("Saved.")),
    )
