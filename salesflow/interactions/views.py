"""Contact history pages: My day, the phone-first quick log, the interaction page and its form."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.audit import words
from salesflow.contacts import queries as contact_queries
from salesflow.forms import REFUSALS, ButtonForm, local_path, press, refusal_message, save_form
from salesflow.interactions import my_day as my_day_page
from salesflow.interactions import queries, services, timeline
from salesflow.interactions.forms import (
    InteractionForm,
    RescheduleForm,
    to_local,
)
from salesflow.interactions.models import Interaction, Kind
from salesflow.key_accounts import expectations_quicklog as quicklog
from salesflow.opportunities import queries as opportunity_queries
from salesflow.unit_of_work import refuse
from salesflow.validation import parse_id

bp = Blueprint("interactions", __name__)


def _form_page(form: InteractionForm, account: Account, interaction: Interaction | None, status):
    keep = {current_user.id} | set(form.participant_ids.data or [])  # e.g. a handover's two
    if interaction is not None:
        keep |= {u.id for u in interaction.participants}
    form.opportunity_id.choices = _opportunity_choices(account.id, interaction)
    contacts = contact_queries.current_contacts(account.id)
    if interaction is not None:  # attendees who have left since stay on the record
        contacts += [c for c in interaction.attendees if c not in contacts and not c.is_deleted]
    page = render_template(
        "interactions/form.html",
        form=form,
        account=account,
        interaction=interaction,
        contacts=contacts,
        users=queries.team_users(account.id, also=keep),
        quicklog_account_id=account.id,
    )
    return page, status


def _opportunity_choices(account_id: int, interaction: Interaction | None) -> list[SelectChoice]:
    """The account's open deals (and the one already linked) for the quick log's select."""
    linked = interaction.opportunity_id if interaction is not None else None
    deals = opportunity_queries.open_deal_names(account_id, also=linked or None)
    return [SelectChoice("", _("None"))] + [SelectChoice(str(i), name) for i, name in deals]


def _prefill(form: InteractionForm) -> None:
    """A link may say what is being logged (e.g. a gate's "log a contact"): the deal, the kind,
    the people met, our people who took part and where to go back to."""
    args = request.args
    form.opportunity_id.data = parse_id(args.get("opportunity_id"))
    if args.get("kind") in {k.value for k in Kind}:
        form.kind.data = args["kind"]
    picked = [parse_id(v) for v in args.getlist("contact_ids") + args.getlist("contact_id")]
    form.contact_ids.data = [v for v in picked if v is not None]
    people = [v for v in (parse_id(v) for v in args.getlist("participant_ids")) if v is not None]
    if people:  # e.g. a handover's joint contact: the old and the new person
        form.participant_ids.data = people
    form.next.data = local_path(args.get("next"))


def _search_page(status: int = 200, problem: str | None = None):
    q = request.args.get("q", "")[:200]
    accounts = queries.account_search(current_user, q)
    back = local_path(request.values.get("next"))  # where the quick log lands once saved
    page = render_template(
        "interactions/pick_account.html", q=q, accounts=accounts, problem=problem, back=back
    )
    return page, status


@bp.route("/interactions/new", methods=["GET", "POST"])
@login_required
def new():
    form = InteractionForm()
    raw = form.account_id.data if request.method == "POST" else request.args.get("account_id")
    account_id = parse_id(raw)
    if account_id is None:
        return _search_page(422, _("Choose an account.")) if form.is_submitted() else _search_page()
    account = scope.get_account(current_user, account_id)
    if not form.is_submitted():
        form.account_id.data = str(account.id)
        form.occurred_at.data = to_local(clock.now())
        form.participant_ids.data = [current_user.id]
        _prefill(form)
        return _form_page(form, account, None, 200)
    if not form.validate():
        return _form_page(form, account, None, 422)
    data = {**form.service_data(), "account_id": account.id}
    saved, status = save_form(
        form,
        lambda: quicklog.log_with_perception(
            data, form.perception_data(), actor=current_user, now=clock.now()
        ),
        on_top=("account_id",),
    )
    if saved is None:
        return _form_page(form, account, None, status)
    flash(_("Contact logged."), "success")
    return redirect(_landing(form.next.data, account.id, saved.id))


def _landing(back: str | None, account_id: int, interaction_id: int) -> str:
    """Where a saved quick log lands: the page it came from (else the account's), at the new
    entry of its timeline (highlighted there by CSS :target)."""
    page = local_path(back) or url_for("accounts.detail", account_id=account_id)
    return f"{page.split('#', 1)[0]}#interaction-{interaction_id}"


@bp.route("/interactions/<int:interaction_id>")
@login_required
def detail(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id, include_deleted=True)
    can_edit = scope.can_edit_interaction(current_user, interaction)
    # a next step not done yet, one without a due date too (unlike Interaction.has_open_step)
    step_open = bool(interaction.next_step) and interaction.next_step_done_at is None
    return render_template(
        "interactions/detail.html",
        interaction=interaction,
        timeline=timeline.entries([interaction], clock.now()),
        account=interaction.account,
        history=words.history("interactions", interaction.id, current_user),
        button_form=ButtonForm(),
        can_edit=can_edit,
        can_complete_step=can_edit and step_open,
        can_delete=scope.can_delete(current_user, interaction.account),
        quicklog_account_id=None if interaction.is_deleted else interaction.account_id,
    )


@bp.route("/interactions/<int:interaction_id>/edit", methods=["GET", "POST"])
@login_required
def edit(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id)
    form = InteractionForm()
    if not form.is_submitted():
        form.fill(interaction)
        return _form_page(form, interaction.account, interaction, 200)
    if not form.validate():
        return _form_page(form, interaction.account, interaction, 422)
    data = form.service_data()
    saved, status = save_form(
        form,
        lambda: services.update_interaction(interaction, data, actor=current_user, now=clock.now()),
        on_top=("account_id",),
    )
    if saved is None:
        return _form_page(form, interaction.account, interaction, status)
    flash(_("Contact saved."), "success")
    return redirect(url_for("interactions.detail", interaction_id=interaction.id))


def _button(interaction: Interaction, change: Callable[[ButtonForm], Any], done: str):
    """A POST-only button: run the service with the form's data, say what happened, go back (to
    the form's `next`, else the interaction's page)."""
    form = ButtonForm()
    default = url_for("interactions.detail", interaction_id=interaction.id)
    return press(lambda: change(form), back=default, done=done, form=form)


def _in_place(interaction: Interaction, form, change: Callable[[], Any], done: bool, note: str):
    """Done or Reschedule sent by htmx from My day: the row alone, as it is now (swapped in
    place, so the page keeps its scroll position), saying what happened or why not (a refusal
    answers its status, and nothing is kept)."""
    if not form.validate_on_submit():
        refuse()
        problem = " ".join(str(m) for ms in form.errors.values() for m in ms)
        row = my_day_page.step(interaction, clock.now(), problem=problem)
        return render_template("interactions/_step.html", step=row), 422
    try:
        change()
    except REFUSALS as error:
        refuse()
        row = my_day_page.step(interaction, clock.now(), problem=refusal_message(error))
        return render_template("interactions/_step.html", step=row), error.status
    row = my_day_page.step(interaction, clock.now(), done=done, note=note)
    return render_template("interactions/_step.html", step=row)


@bp.post("/interactions/<int:interaction_id>/done")
@login_required
def done(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id)
    form = ButtonForm()
    data = {"version": parse_id(form.version.data)}

    def change():
        return services.complete_next_step(interaction, data, actor=current_user, now=clock.now())

    if request.headers.get("HX-Request"):
        return _in_place(interaction, form, change, True, _("Next step done."))
    return _button(interaction, lambda _form: change(), _("Next step done."))


@bp.post("/interactions/<int:interaction_id>/reschedule")
@login_required
def reschedule(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id)
    form = RescheduleForm()
    data = {"due": form.due.data, "version": parse_id(form.version.data)}

    def change():
        return services.reschedule_next_step(interaction, data, actor=current_user, now=clock.now())

    moved = (
        _("Next step moved to %(date)s.", date=format_date(form.due.data)) if form.due.data else ""
    )
    if request.headers.get("HX-Request"):
        return _in_place(interaction, form, change, False, moved)
    back = url_for("interactions.detail", interaction_id=interaction.id)
    return press(change, back=back, done=moved, form=form)


@bp.post("/interactions/<int:interaction_id>/delete")
@login_required
def delete(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id)
    return _button(
        interaction,
        lambda form: services.delete_interaction(interaction, actor=current_user, now=clock.now()),
        _("Contact deleted. A director or admin can restore it from this page."),
    )


@bp.post("/interactions/<int:interaction_id>/restore")
@login_required
def restore(interaction_id: int):
    interaction = scope.get_interaction(current_user, interaction_id, include_deleted=True)
    return _button(
        interaction,
        lambda form: services.restore_interaction(interaction, actor=current_user, now=clock.now()),
        _("Contact restored."),
    )


@bp.route("/")
@login_required
def my_day():
    return render_template(
        "interactions/my_day.html", page=my_day_page.build(current_user, clock.now())
    )
