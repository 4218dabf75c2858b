"""Handover pages: the list, planning one, the handover page with its checklist, what to do
for each item and the accounts' risk before and now; the transfer and confirm buttons."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden
from salesflow.forms import ButtonForm, press, save_form
from salesflow.handovers import detail as detail_page
from salesflow.handovers import queries, services
from salesflow.handovers.forms import FIELD_LABELS, ConfirmForm, HandoverForm, PlanJointForm
from salesflow.handovers.models import Handover
from salesflow.validation import parse_id

bp = Blueprint("handovers", __name__)


@bp.app_context_processor
def menu() -> dict[str, Any]:
    """The menu asks whether the reader sees Handovers (scope.sees_handovers): planners, and the
    people a handover not yet complete is about."""
    return {"sees_handovers": scope.sees_handovers}


@bp.route("/handovers")
@login_required
def index():
    rows, more = queries.page(current_user, before=parse_id(request.args.get("before")))
    next_url = url_for("handovers.index", before=rows[-1].id) if more else None
    return render_template(
        "handovers/index.html",
        rows=detail_page.rows(rows, clock.now()),
        next_url=next_url,
        can_plan=scope.can_plan_handovers(current_user),
    )


def _new_page(form: HandoverForm, status: int = 200):
    """The planning page: first whose accounts, then the accounts, successor and due date."""
    now = clock.now()
    people = queries.people_for(current_user, active_only=False)
    old = next((u for u in people if u.id == parse_id(form.from_user_id.data)), None)
    accounts = queries.accounts_of(old.id, actor=current_user, now=now) if old else []
    form.to_user_id.choices = [("", "—")] + [
        (str(u.id), u.name)
        for u in queries.people_for(current_user, active_only=True)
        if old is None or u.id != old.id
    ]
    return render_template(
        "handovers/new.html",
        form=form,
        people=people,
        from_user=old,
        accounts=accounts,
        field_labels=FIELD_LABELS,
    ), status


@bp.route("/handovers/new", methods=["GET", "POST"])
@login_required
def new():
    if not scope.can_plan_handovers(current_user):
        raise Forbidden()
    form = HandoverForm()
    if not form.is_submitted():
        form.from_user_id.data = request.args.get("from_user_id", "")
        # from the departure simulation: the accounts it found, ticked
        ticked = (parse_id(a) for a in request.args.getlist("account_ids"))
        form.account_ids.data = [a for a in ticked if a is not None]
        form.due_date.data = clock.today(clock.now()) + timedelta(days=30)
        return _new_page(form)
    if not form.validate():
        return _new_page(form, 422)
    data = form.service_data()
    saved, status = save_form(
        form,
        lambda: services.create_handover(data, actor=current_user, now=clock.now()),
        on_top=("from_user_id", "account_ids"),
    )
    if saved is None:
        return _new_page(form, status)
    flash(_("Handover planned. Everyone involved has been told."), "success")
    return redirect(url_for("handovers.detail", handover_id=saved.id))


@bp.route("/handovers/<int:handover_id>")
@login_required
def detail(handover_id: int):
    handover = scope.get_handover(current_user, handover_id)
    page = detail_page.build(handover, current_user, clock.now())
    return render_template("handovers/detail.html", page=page, handover=handover)


def _act(handover: Handover, form: Any, change: Callable[[], Any], done: Callable[[Any], str]):
    """Run one service for a valid form; say what happened or why not; go back."""
    back = url_for("handovers.detail", handover_id=handover.id)
    return press(change, back=back, done=done, form=form)


@bp.post("/handovers/<int:handover_id>/transfer")
@login_required
def transfer(handover_id: int):
    handover = scope.get_handover(current_user, handover_id)
    return _act(
        handover,
        ButtonForm(),
        lambda: services.transfer_roles(handover, actor=current_user, now=clock.now()),
        lambda n: (
            _("Roles transferred on %(n)d account teams and deals.", n=n)
            if n
            else _("Nothing left to transfer.")
        ),
    )


@bp.post("/handovers/<int:handover_id>/contacts/<int:contact_id>/confirm")
@login_required
def confirm(handover_id: int, contact_id: int):
    handover = scope.get_handover(current_user, handover_id)
    form = ConfirmForm()
    return _act(
        handover,
        form,
        lambda: services.confirm_contact(
            handover, contact_id, form.service_data(), actor=current_user, now=clock.now()
        ),
        lambda contact: _("You confirmed %(name)s's attitude and influence.", name=contact.name),
    )


def _confirmations() -> dict[int, dict[str, Any]]:
    """The contacts ticked in the successor's one confirmation form, each with its selects."""
    rows: dict[int, dict[str, Any]] = {}
    for raw in request.form.getlist("contact_ids"):
        if (contact_id := parse_id(raw)) is None:
            rows[0] = {}  # not an id: the service names it
            continue
        prefix = f"c{contact_id}-"
        rows[contact_id] = {
            "attitude": request.form.get(prefix + "attitude"),
            "influence": request.form.get(prefix + "influence"),
        }
    return rows


@bp.post("/handovers/<int:handover_id>/confirm")
@login_required
def confirm_many(handover_id: int):
    """The successor confirms every contact ticked, in one form."""
    handover = scope.get_handover(current_user, handover_id)
    rows = _confirmations()
    return _act(
        handover,
        ButtonForm(),
        lambda: services.confirm_contacts(handover, rows, actor=current_user, now=clock.now()),
        lambda contacts: ngettext(
            "You confirmed %(num)d contact's attitude and influence.",
            "You confirmed %(num)d contacts' attitude and influence.",
            len(contacts),
        ),
    )


@bp.post("/handovers/<int:handover_id>/contacts/<int:contact_id>/plan")
@login_required
def plan_joint(handover_id: int, contact_id: int):
    """Plan the joint contact with a key contact: a day to come, nothing logged as done."""
    handover = scope.get_handover(current_user, handover_id)
    form = PlanJointForm()
    return _act(
        handover,
        form,
        lambda: services.plan_joint_contact(
            handover, contact_id, form.service_data(), actor=current_user, now=clock.now()
        ),
        lambda due: _("Joint contact planned for %(day)s.", day=format_date(due)),
    )
