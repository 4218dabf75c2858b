"""Opportunity pages: the list (its exports are in salesflow/exports), the pipeline board, the
opportunity page with its gates, and the forms. The POST-only actions (moves, ticks, approvals)
are in `actions`."""

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from salesflow import clock, scope
from salesflow.accounts import queries as account_queries
from salesflow.accounts.queries import AccountFilters
from salesflow.audit import words
from salesflow.errors import Forbidden
from salesflow.forms import save_form
from salesflow.interactions import timeline
from salesflow.key_accounts import deal_roles
from salesflow.opportunities import decisions, queries, services
from salesflow.opportunities import detail as page_detail
from salesflow.opportunities.forms import MoveForm, OpportunityForm, RolesForm
from salesflow.opportunities.models import Opportunity, Status, TriangleRole
from salesflow.opportunities.queries import OpportunityFilters
from salesflow.playbooks import registry
from salesflow.playbooks.schema import text
from salesflow.validation import parse_id, parse_month

bp = Blueprint("opportunities", __name__)


def _id(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _month(raw: str | None) -> date | None:
    try:
        return parse_month(raw)
    except ValueError:
        return None


def filters_from_args() -> OpportunityFilters:
    """The list's and the board's filters from the query string; bad values are ignored."""
    args = request.args
    status = args.get("status", Status.open.value)
    return OpportunityFilters(
        q=(args.get("q") or "").strip()[:200] or None,
        team_id=_id("team_id"),
        owner_id=_id("owner_id"),
        close_month=_month(args.get("close_month")),
        mine=args.get("mine") == "1",
        playbook=(args.get("playbook") or "")[:60] or None,
        status=status if status in {s.value for s in Status} else None,
        stage=(args.get("stage") or "")[:60] or None,
        account_id=_id("account_id"),
    )


def _filter_options() -> dict[str, Any]:
    """Teams and reps for the filter selects: the whole company for those who see it, else the
    caller's own team (two small queries)."""
    keys = queries.playbook_keys(current_user)
    names = {key: playbook.name for key in keys if (playbook := queries.board_playbook(key))}
    return {
        "teams": queries.filter_teams(current_user),
        "people": queries.filter_people(current_user),
        "playbook_keys": keys,
        "playbook_names": names,
    }


@bp.route("/opportunities")
@login_required
def index():
    filters = filters_from_args()
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "close"
    descending = request.args.get("dir") == "desc"
    rows, next_cursor = queries.page(
        queries.listed(current_user, filters),
        sort=sort,
        descending=descending,
        cursor=request.args.get("cursor"),
    )
    next_url = None
    if next_cursor:
        next_url = url_for(
            "opportunities.index", **{**request.args.to_dict(), "cursor": next_cursor}
        )
    now = clock.now()
    return render_template(
        "opportunities/index.html",
        rows=[queries.deal_row(o, now) for o in rows],
        filters=filters,
        sort=sort,
        descending=descending,
        next_url=next_url,
        **_filter_options(),
    )


@bp.route("/pipeline")
@login_required
def board():
    keys = queries.playbook_keys(current_user)
    key = request.args.get("playbook")
    key = key if key in keys else (keys[0] if keys else None)
    playbook = queries.board_playbook(key) if key else None
    filters = filters_from_args()
    list_args = {k: v for k, v in request.args.items() if k != "filtered"}
    if "filtered" not in request.args and not scope.can_review_pipeline(current_user):
        filters = replace(filters, mine=True)  # a rep's own deals first, until they filter
        list_args["mine"] = "1"
    now = clock.now()
    columns = queries.board(current_user, playbook, filters, now=now) if playbook else []
    shown = [card.deal.id for column in columns for card in column.cards]
    return render_template(
        "opportunities/board.html",
        playbook=playbook,
        columns=columns,
        filters=filters,
        move_form=MoveForm(),
        pending=set(decisions.pending_on(shown)),  # the cards with a decision asked
        single_threaded=deal_roles.single_threaded(shown, now=now),
        list_args=list_args,
        **_filter_options(),
    )


def _playbook_choices() -> list[SelectChoice]:
    locale = get_locale()
    return [
        SelectChoice(key, f"{text(p.name, locale)} (v{p.version})")
        for key, p in sorted(registry.file_playbooks().items())
    ]


def _seat_choices(account: Any, holders: Any = ()) -> list[SelectChoice]:
    """The people a seat picker offers (queries.seat_people), after "nobody"."""
    people = queries.seat_people(account, holders)
    return [SelectChoice("", "—")] + [SelectChoice(str(i), name) for i, name in people]


def _form_page(form: OpportunityForm, account: Any, opportunity: Opportunity | None, status=200):
    if opportunity is None:
        options = _seat_choices(account)
        for name in form.SEATS.values():
            form[name].choices = options
    return render_template(
        "opportunities/form.html",
        form=form,
        account=account,
        opportunity=opportunity,
        quicklog_account_id=account.id,
    ), status


@bp.route("/opportunities/new", methods=["GET", "POST"])
@login_required
def new():
    account_id = parse_id(request.args.get("account_id"))
    if account_id is None:  # from the board: which account is it for?
        q = (request.args.get("q") or "").strip()[:200] or None
        found, more = account_queries.page(
            account_queries.list_query(current_user, AccountFilters(q=q)), size=20
        )
        return render_template(
            "opportunities/choose_account.html", accounts=found, q=q, more=more is not None
        )
    account = scope.get_account(current_user, account_id)
    form = OpportunityForm()
    form.playbook.choices = _playbook_choices()
    if not form.is_submitted():
        form.currency.data = current_app.config["CURRENCY"]
        for role, user_id in services.account_triangle(account, current_user).items():
            form[form.SEATS[role.value]].data = user_id
    if not form.validate_on_submit():
        return _form_page(form, account, None, 422 if form.is_submitted() else 200)
    data = {**form.service_data(creating=True), "account_id": account.id}
    saved, status = save_form(
        form, lambda: services.create_opportunity(data, actor=current_user, now=clock.now())
    )
    if saved is None:
        return _form_page(form, account, None, status)
    flash(_("Opportunity created. It starts in the first stage of its playbook."), "success")
    return redirect(url_for("opportunities.detail", opportunity_id=saved.id))


@bp.route("/opportunities/<int:opportunity_id>")
@login_required
def detail(opportunity_id: int):
    opportunity = scope.get_opportunity(current_user, opportunity_id)
    now = clock.now()
    return render_template(
        "opportunities/detail.html",
        page=page_detail.build(opportunity, current_user, now),
        opportunity=opportunity,
        account=opportunity.account,
        now=now,
        timeline=timeline.of(
            current_user, now=now, before=timeline.before_arg(), opportunity_id=opportunity.id
        ),
        audit=words.history("opportunities", opportunity.id, current_user),
        quicklog_account_id=opportunity.account_id,
    )


@bp.route("/opportunities/<int:opportunity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(opportunity_id: int):
    opportunity = scope.get_opportunity(current_user, opportunity_id)
    form = OpportunityForm(obj=None if request.method == "POST" else opportunity)
    form.playbook.choices = _playbook_choices()
    if not form.is_submitted():
        form.version.data = str(opportunity.version)
    if not form.validate_on_submit():
        return _form_page(
            form, opportunity.account, opportunity, 422 if form.is_submitted() else 200
        )
    data = form.service_data(creating=False)
    saved, status = save_form(
        form,
        lambda: services.update_opportunity(opportunity, data, actor=current_user, now=clock.now()),
        on_top=("status",),
    )
    if saved is None:
        if status == 409:
            form.version.data = str(opportunity.version)
        return _form_page(form, opportunity.account, opportunity, status)
    flash(_("Opportunity saved."), "success")
    return redirect(url_for("opportunities.detail", opportunity_id=opportunity.id))


def _roles_page(form: RolesForm, opportunity: Opportunity, status: int = 200):
    options = _seat_choices(opportunity.account, {r.user_id for r in opportunity.roles})
    for seat in form.seats:
        seat.user_id.choices = options
    return render_template(
        "opportunities/roles.html",
        form=form,
        opportunity=opportunity,
        quicklog_account_id=opportunity.account_id,
    ), status


@bp.route("/opportunities/<int:opportunity_id>/roles", methods=["GET", "POST"])
@login_required
def roles(opportunity_id: int):
    opportunity = scope.get_opportunity(current_user, opportunity_id)
    if not scope.can_set_roles(current_user, opportunity):
        raise Forbidden()
    form = RolesForm()
    if not form.is_submitted():
        holders = {r.role.value: r.user_id for r in opportunity.roles}
        for role in TriangleRole:
            form.seats.append_entry({"role": role.value, "user_id": holders.get(role.value)})
    if not form.validate_on_submit():
        return _roles_page(form, opportunity, 422 if form.is_submitted() else 200)
    seats = form.service_data()
    saved, status = save_form(
        form, lambda: services.set_roles(opportunity, seats, actor=current_user, now=clock.now())
    )
    if saved is None:
        return _roles_page(form, opportunity, status)
    flash(_("Iron triangle saved."), "success")
    return redirect(url_for("opportunities.detail", opportunity_id=opportunity.id))
