"""Account pages: the list, the account page (team, decision chain, timeline, history), forms."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from salesflow import clock, scope
from salesflow.accounts import detail as detail_page
from salesflow.accounts import queries, services
from salesflow.accounts.forms import AccountForm, TeamForm, user_choices
from salesflow.accounts.models import Account, Tier
from salesflow.auth import queries as user_queries
from salesflow.errors import Forbidden
from salesflow.forms import ButtonForm, press, save_form
from salesflow.interactions import timeline
from salesflow.labels import label
from salesflow.teams import queries as team_queries
from salesflow.validation import parse_id

bp = Blueprint("accounts", __name__)


def _filters() -> queries.AccountFilters:
    args = request.args
    return queries.AccountFilters(
        q=(args.get("q") or "").strip()[:200] or None,
        team_id=parse_id(args.get("team_id")),
        tier=args.get("tier") if args.get("tier") in {t.value for t in Tier} else None,
        industry=(args.get("industry") or "")[:80] or None,
        mine=args.get("mine") == "1",
        deleted=args.get("deleted") == "1" and scope.can_restore(current_user),
    )


@bp.route("/accounts")
@login_required
def index():
    filters = _filters()
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "name"
    descending = request.args.get("dir") == "desc"
    accounts, next_cursor = queries.page(
        queries.list_query(current_user, filters),
        sort=sort,
        descending=descending,
        cursor=request.args.get("cursor"),
    )
    next_url = None
    if next_cursor:
        next_url = url_for("accounts.index", **{**request.args.to_dict(), "cursor": next_cursor})
    return render_template(
        "accounts/index.html",
        accounts=accounts,
        filters=filters,
        sort=sort,
        descending=descending,
        next_url=next_url,
        teams=team_queries.all_teams(),
        industries=queries.industries(current_user),
        can_restore=scope.can_restore(current_user),
        can_find_duplicates=scope.can_find_duplicates(current_user),
    )


def _team_choices(account: Account | None) -> list[SelectChoice]:
    """Teams the user may put accounts in, plus the account's own team (kept on an edit)."""
    return [
        SelectChoice(str(t.id), t.name)
        for t in team_queries.all_teams()
        if scope.can_create_account(current_user, t.id) or (account and t.id == account.team_id)
    ]


def _form_page(form: AccountForm, account: Account | None, status: int = 200):
    return render_template(
        "accounts/form.html",
        form=form,
        account=account,
        quicklog_account_id=account.id if account else None,
    ), status


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required
def new():
    form = AccountForm()
    form.team_id.choices = _team_choices(None)
    if not form.is_submitted() and current_user.team_id:
        form.team_id.data = current_user.team_id
    if not form.validate_on_submit():
        return _form_page(form, None, 422 if form.is_submitted() else 200)
    data = form.service_data()
    account, status = save_form(
        form, lambda: services.create_account(data, actor=current_user, now=clock.now())
    )
    if account is None:
        return _form_page(form, None, status)
    flash(_("Account created."), "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


@bp.route("/accounts/<int:account_id>")
@login_required
def detail(account_id: int):
    account = scope.get_account(current_user, account_id, include_deleted=True)
    return render_template(
        "accounts/detail.html",
        page=detail_page.build(account, current_user, clock.now(), before=timeline.before_arg()),
        account=account,
        button_form=ButtonForm(),
        quicklog_account_id=None if account.is_deleted else account.id,
    )


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@login_required
def edit(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = AccountForm(obj=None if request.method == "POST" else account)
    form.team_id.choices = _team_choices(account)
    if not form.is_submitted():
        form.tier.data = account.tier.value
        form.version.data = str(account.version)
    if not form.validate_on_submit():
        return _form_page(form, account, 422 if form.is_submitted() else 200)
    data = form.service_data()
    saved, status = save_form(
        form, lambda: services.update_account(account, data, actor=current_user, now=clock.now())
    )
    if saved is None:
        if status == 409:
            _show_conflict(form, account)
        return _form_page(form, account, status)
    flash(_("Account saved."), "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


def _show_conflict(form: AccountForm, account: Account) -> None:
    """After a stale save: the user's input stays, each field that differs shows the value saved
    now, and the form carries the current version, so saving again is a decision taken knowingly
    rather than a silent overwrite."""
    for name in form.EDITABLE:
        saved = getattr(account, name)
        if (getattr(saved, "value", saved) or None) != (form[name].data or None):
            shown = account.team.name if name == "team_id" else label(saved) if saved else "—"
            form[name].description = _("Currently saved: %(value)s", value=shown)
    form.form_errors[:] = [
        _(
            "Someone else saved this account while you were editing it. Under each field that "
            "differs you see what is saved now; check them, then save again to keep your version."
        )
    ]
    form.version.data = str(account.version)


def _team_page(form: TeamForm, account: Account, status: int = 200):
    users = user_queries.may_hold({m.user_id for m in account.members})
    for row in form.members:
        row.user_id.choices = user_choices(users)
    return render_template(
        "accounts/team.html",
        form=form,
        account=account,
        extra=_extra_rows(),
        quicklog_account_id=account.id,
    ), status


def _extra_rows() -> int:
    return min(parse_id(request.args.get("extra")) or 3, 50)


@bp.route("/accounts/<int:account_id>/team", methods=["GET", "POST"])
@login_required
def team(account_id: int):
    account = scope.get_account(current_user, account_id)
    if not scope.can_set_account_team(current_user, account):
        raise Forbidden()
    form = TeamForm()
    if not form.is_submitted():
        for member in account.members:
            form.members.append_entry({"user_id": member.user_id, "role": member.role.value})
        for _blank in range(_extra_rows()):
            form.members.append_entry()
    if not form.validate_on_submit():
        return _team_page(form, account, 422 if form.is_submitted() else 200)
    members = form.service_data()
    saved, status = save_form(
        form,
        lambda: services.set_account_team(account, members, actor=current_user, now=clock.now()),
    )
    if saved is None:
        return _team_page(form, account, status)
    flash(_("Account team saved."), "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


def _button(account: Account, change: Any, done: str):
    """A POST-only button (delete, restore): one service, say what happened, back to the page."""
    back = url_for("accounts.detail", account_id=account.id)
    return press(lambda: change(account, actor=current_user, now=clock.now()), back=back, done=done)


@bp.post("/accounts/<int:account_id>/delete")
@login_required
def delete(account_id: int):
    account = scope.get_account(current_user, account_id)
    return _button(
        account, services.delete_account, _("Account deleted. A director or admin can restore it.")
    )


@bp.post("/accounts/<int:account_id>/restore")
@login_required
def restore(account_id: int):
    account = scope.get_account(current_user, account_id, include_deleted=True)
    return _button(account, services.restore_account, _("Account restored."))
