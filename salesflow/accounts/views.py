"""Account pages: the list, the account page (team, decision chain, timeline, history), forms."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from salesflow import clock
from salesflow.accounts import queries, services
from salesflow.accounts.forms import FIELD_LABELS, AccountForm, TeamForm, VersionForm, user_choices
from salesflow.accounts.models import TeamRole, Tier
from salesflow.audit import queries as audit_queries
from salesflow.auth import scope
from salesflow.auth.models import User
from salesflow.contacts.queries import decision_chain
from salesflow.extensions import db
from salesflow.forms import save_form
from salesflow.interactions.queries import timeline
from salesflow.teams.models import Team

bp = Blueprint("accounts", __name__)


def _filters() -> queries.AccountFilters:
    args = request.args
    team_id = args.get("team_id", "")
    return queries.AccountFilters(
        q=(args.get("q") or "").strip()[:200] or None,
        team_id=int(team_id) if team_id.isdigit() else None,
        tier=args.get("tier") if args.get("tier") in {t.value for t in Tier} else None,
        industry=(args.get("industry") or "")[:80] or None,
        mine=args.get("mine") == "1",
        deleted=args.get("deleted") == "1",
    )


@bp.route("/accounts")
@login_required
def index():
    filters = _filters()
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "name"
    descending = request.args.get("dir") == "desc"
    accounts, next_cursor = queries.page(
        queries.list_query(current_user, filters), sort=sort, descending=descending,
        cursor=request.args.get("cursor"),
    )  # fmt: skip
    next_url = None
    if next_cursor:
        next_url = url_for("accounts.index", **{**request.args.to_dict(), "cursor": next_cursor})
    return render_template(
        "accounts/index.html", accounts=accounts, filters=filters, sort=sort,
        descending=descending, next_url=next_url, teams=_teams(),
        industries=queries.industries(current_user),
        can_restore=current_user.role in scope.RESTORERS,
    )  # fmt: skip


def _teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def _team_choices() -> list[SelectChoice]:
    return [SelectChoice(str(t.id), t.name) for t in _teams()
            if scope.can_create_account(current_user, t.id)]  # fmt: skip


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required
def new():
    form = AccountForm()
    form.team_id.choices = _team_choices()
    if request.method == "GET" and current_user.team_id:
        form.team_id.data = current_user.team_id
    status = 200
    if form.validate_on_submit():
        data = form.service_data()
        account, status = save_form(form, lambda: services.create_account(
            data, actor=current_user, now=clock.now()))  # fmt: skip
        if account:
            flash(_("Account created."), "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/form.html", form=form, account=None), status


@bp.route("/accounts/<int:account_id>")
@login_required
def detail(account_id: int):
    account = scope.get_account(current_user, account_id, include_deleted=True)
    now = clock.now()
    members: dict[str, list[User]] = {role.value: [] for role in TeamRole}
    for member in account.members:
        members[member.role.value].append(member.user)
    return render_template(
        "accounts/detail.html", account=account, members=members,
        chain=decision_chain(account.id, now=now),
        timeline=timeline(current_user, account_id=account.id),
        history=audit_queries.account_history(account.id), field_labels=FIELD_LABELS,
        can_delete=scope.can_delete(current_user, account), button_form=VersionForm(),
        quicklog_account_id=None if account.is_deleted else account.id,
    )  # fmt: skip


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@login_required
def edit(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = AccountForm(obj=account if request.method == "GET" else None)
    form.team_id.choices = _team_choices()
    if account.team_id not in {int(c.value) for c in form.team_id.choices}:
        form.team_id.choices.insert(0, SelectChoice(str(account.team_id), account.team.name))
    if request.method == "GET":
        form.tier.data = account.tier.value
        form.version.data = str(account.version)
    status = 200
    if form.validate_on_submit():
        data = form.service_data()
        saved, status = save_form(form, lambda: services.update_account(
            account, data, actor=current_user, now=clock.now()))  # fmt: skip
        if saved:
            flash(_("Account saved."), "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/form.html", form=form, account=account), status


@bp.route("/accounts/<int:account_id>/team", methods=["GET", "POST"])
@login_required
def team(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = TeamForm()
    if request.method == "GET":
        for member in account.members:
            form.members.append_entry({"user_id": member.user_id, "role": member.role.value})
        for _blank in range(3):
            form.members.append_entry()
    users = list(db.session.scalars(sa.select(User).where(User.active).order_by(User.name)))
    for row in form.members:
        row.user_id.choices = user_choices(users)
    status = 200
    if form.validate_on_submit():
        members = form.service_data()
        saved, status = save_form(form, lambda: services.set_account_team(
            account, members, actor=current_user, now=clock.now()))  # fmt: skip
        if saved:
            flash(_("Account team saved."), "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    return render_template("accounts/team.html", form=form, account=account), status


@bp.post("/accounts/<int:account_id>/delete")
@login_required
def delete(account_id: int):
    account = scope.get_account(current_user, account_id)
    if VersionForm().validate_on_submit():
        services.delete_account(account, actor=current_user, now=clock.now())
        db.session.commit()
        flash(_("Account deleted. A director or admin can restore it."), "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


@bp.post("/accounts/<int:account_id>/restore")
@login_required
def restore(account_id: int):
    account = scope.get_account(current_user, account_id, include_deleted=True)
    if VersionForm().validate_on_submit():
        services.restore_account(account, actor=current_user, now=clock.now())
        db.session.commit()
        flash(_("Account restored."), "success")
    return redirect(url_for("accounts.detail", account_id=account.id))
