"""Account pages: the list, the account page (team, decision chain, timeline, history), forms."""

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from salesflow import clock, scope
from salesflow.accounts import queries, services
from salesflow.accounts.forms import FIELD_LABELS, AccountForm, TeamForm, user_choices
from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.audit import queries as audit_queries
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.contacts.queries import decision_chain
from salesflow.errors import Forbidden
from salesflow.extensions import db
from salesflow.forms import ButtonForm, press, save_form
from salesflow.interactions.queries import timeline
from salesflow.labels import label
from salesflow.merges import chooser as merge_views
from salesflow.merges.models import MergeKind
from salesflow.opportunities.models import Opportunity
from salesflow.teams.models import Team
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
        teams=_teams(),
        industries=queries.industries(current_user),
        can_restore=scope.can_restore(current_user),
        can_find_duplicates=scope.can_find_duplicates(current_user),
    )


def _teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def _team_choices(account: Account | None) -> list[SelectChoice]:
    """Teams the user may put accounts in, plus the account's own team (kept on an edit)."""
    return [
        SelectChoice(str(t.id), t.name)
        for t in _teams()
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


def _history_names(history: list[AuditEntry]) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the people and teams the history mentions, in two queries for the whole list."""
    user_ids: set[int] = set()
    team_ids: set[int] = set()
    for entry in history:
        old, new = entry.changes.get("team") or (None, None)
        user_ids.update(pair[0] for pair in (old or []) + (new or []))
        team_ids.update(v for v in entry.changes.get("team_id") or [] if v is not None)
    people = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids)))
    teams = db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(team_ids)))
    return {i: n for i, n in people}, {i: n for i, n in teams}


def _parent(account: Account) -> Account | None:
    """The parent account, only if the user may see it (a name outside scope is not shown)."""
    if account.parent_id is None:
        return None
    return db.session.scalar(
        sa.select(Account).where(
            Account.id == account.parent_id, scope.visible_accounts(current_user)
        )
    )


@bp.route("/accounts/<int:account_id>")
@login_required
def detail(account_id: int):
    account = scope.get_account(current_user, account_id, include_deleted=True)
    members = db.session.scalars(
        sa.select(AccountMember)
        .where(AccountMember.account_id == account.id)
        .options(so.joinedload(AccountMember.user))
        .order_by(AccountMember.id)
    ).all()
    by_role: dict[str, list[User]] = {role.value: [] for role in TeamRole}
    for member in members:
        by_role[member.role.value].append(member.user)
    history = audit_queries.account_history(account.id)
    people, team_names = _history_names(history)
    deals = _opportunities(account)
    return render_template(
        "accounts/detail.html",
        account=account,
        members=by_role,
        parent=_parent(account),
        chain=decision_chain(account.id, now=clock.now()),
        timeline=timeline(current_user, account_id=account.id),
        history=history,
        people=people,
        team_names=team_names,
        field_labels=FIELD_LABELS,
        can_delete=scope.can_delete(current_user, account),
        button_form=ButtonForm(),
        can_set_team=scope.can_set_account_team(current_user, account),
        quicklog_account_id=None if account.is_deleted else account.id,
        opportunities=deals[:10],
        more_opportunities=len(deals) > 10,
        can_import_contacts=scope.can_import_into(current_user, account),
        merge_panel=merge_views.panel(current_user, MergeKind.accounts, account.id, clock.now()),
        duplicate_contacts=merge_views.contact_hint(current_user, account),
    )


def _opportunities(account: Account) -> list[Opportunity]:
    """The account's deals, open ones first, newest first; one more than shown tells if there
    are more."""
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(Opportunity.account_id == account.id, Opportunity.deleted_at.is_(None))
            .options(so.joinedload(Opportunity.playbook_version))
            .order_by((Opportunity.status == "open").desc(), Opportunity.id.desc())
            .limit(11)
        )
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
    for name in (
        "name",
        "team_id",
        "tier",
        "industry",
        "region",
        "parent_id",
        "address",
        "website",
        "notes",
    ):
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
    on_team = [m.user_id for m in account.members]
    users = db.session.scalars(
        sa.select(User).where(sa.or_(User.active, User.id.in_(on_team))).order_by(User.name)
    ).all()
    for row in form.members:
        row.user_id.choices = user_choices(list(users))
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
