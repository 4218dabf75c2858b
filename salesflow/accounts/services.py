"""Accounts and their account teams: every write and rule (PRODUCT.md, capability 1).

Whoever sees an account keeps it up to date; directors (own team) and admins soft-delete and
restore; nothing is hard-deleted; every change is audited on the account (who, when, which
fields from what to what).
"""

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team
from salesflow.ties import touches
from salesflow.validation import Errors, add, is_id, max_length, require_version, text

TEXT_FIELDS = ("name", "industry", "region", "address", "website", "notes")
ACCOUNT_FIELDS = (*TEXT_FIELDS, "team_id", "tier", "parent_id")
WEBSITE = re.compile(r"^https?://[^\s/$.?#@][^\s@/]*\.[^\s/]+(/\S*)?$", re.IGNORECASE)


def _website(value: str | None, errors: Errors) -> str | None:
    """People type "example.com": a scheme is added, then it must look like a web address."""
    if value and not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        value = "https://" + value
    if value and len(value) > max_length(Account.website):
        add(errors, "website", _l("Use at most %(n)d characters.", n=max_length(Account.website)))
    elif value and not WEBSITE.match(value):
        add(errors, "website", _l("Enter a web address."))
    else:
        return value
    return None


def _clean_text(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    clean = {
        f: text(data[f], f, errors, column=getattr(Account, f), multiline=f == "notes")
        for f in TEXT_FIELDS
        if f in data
    }
    if "website" in clean and "website" not in errors:
        clean["website"] = _website(clean["website"], errors)
    if "name" in data and not clean.get("name") and "name" not in errors:
        add(errors, "name", _l("Enter the account's name."))
    return clean


def _check_team(team_id: Any, actor: User, errors: Errors) -> None:
    if not is_id(team_id) or db.session.get(Team, team_id) is None:
        add(errors, "team_id", _l("Choose a team."))
    elif not scope.can_create_account(actor, team_id):
        add(errors, "team_id", _l("You cannot put accounts in this team."))


def _ancestors(parent_id: int) -> set[int]:
    """The parent and all its parents, in one recursive query (UNION stops on a loop)."""
    chain = sa.select(Account.id, Account.parent_id).where(Account.id == parent_id)
    chain = chain.cte("ancestors", recursive=True)
    chain = chain.union(
        sa.select(Account.id, Account.parent_id).join(chain, Account.id == chain.c.parent_id)
    )
    return set(db.session.scalars(sa.select(chain.c.id)))


def _check_parent(parent_id: Any, account: Account | None, actor: User, errors: Errors) -> None:
    """The parent must be an account the actor sees, and neither the account itself nor one of
    its descendants (no cycle through parents)."""
    visible = is_id(parent_id) and db.session.scalar(
        sa.select(Account.id).where(Account.id == parent_id, scope.visible_accounts(actor))
    )
    if not visible:
        add(errors, "parent_id", _l("Choose an account you can see."))
    elif account is not None and account.id in _ancestors(parent_id):
        add(errors, "parent_id", _l("An account cannot be its own parent, directly or not."))


def _validate(data: dict[str, Any], account: Account | None, actor: User) -> dict[str, Any]:
    """Every problem of `data` at once (ValidationFailed), else the cleaned fields present."""
    errors: Errors = {}
    clean = _clean_text(data, errors)
    if "tier" in data:
        try:
            clean["tier"] = Tier(data["tier"])
        except ValueError:
            add(errors, "tier", _l("Choose a tier."))
    if "team_id" in data:
        if account is None or data["team_id"] != account.team_id:
            _check_team(data["team_id"], actor, errors)
        # Moving an account out of a team is that team's decision: a rep of another team who
        # merely sits on the account team may not take the account into their own team.
        moving = account is not None and data["team_id"] != account.team_id
        if moving and not scope.can_create_account(actor, account.team_id):
            add(errors, "team_id", _l("You cannot move accounts out of this team."))
        clean["team_id"] = data["team_id"]
    if "parent_id" in data:
        if data["parent_id"] is not None:
            _check_parent(data["parent_id"], account, actor, errors)
        clean["parent_id"] = data["parent_id"]
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def check_account(data: dict[str, Any], account: Account | None, *, actor: User) -> dict[str, Any]:
    """The cleaned fields of a new account (`account` None) or of a change, checked by the same
    rules as create_account and update_account, without writing (an import's dry run). Raises
    ValidationFailed with every problem."""
    return _validate(data, account, actor)


def create_account(data: dict[str, Any], *, actor: User, now: datetime) -> Account:
    """Create an account (in the actor's team unless `team_id` says otherwise) in a team the
    actor may create in; audited. Raises ValidationFailed with every problem."""
    data = {"name": None, "tier": Tier.C, "team_id": actor.team_id, **data}
    data.pop("version", None)
    clean = _validate(data, None, actor)
    account = Account(**clean, created_by_id=actor.id)
    db.session.add(account)
    db.session.flush()
    changes = {f: (None, getattr(account, f)) for f in ACCOUNT_FIELDS if getattr(account, f)}
    audit.record(account, "create", changes, actor=actor, now=now, account_id=account.id)
    return account


def update_account(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> Account:
    """Change an account's fields (only those in `data`); audited with old and new values.
    Raises Forbidden (deleted), ValidationFailed (also without the `version` read),
    Conflict (a stale `version`)."""
    if not scope.can_edit_account(actor, account):
        raise Forbidden()
    require_version(account, data)
    clean = _validate(data, account, actor)
    changes = audit.apply_changes(account, clean, ACCOUNT_FIELDS)
    audit.record(account, "update", changes, actor=actor, now=now, account_id=account.id)
    db.session.flush()
    if "team_id" in changes:  # the day's figures are kept under the account's team
        touches.changed({account.id}, now=now)
    return account


def delete_account(account: Account, *, actor: User, now: datetime) -> Account:
    """Soft-delete: directors of the account's team and admins, never reps. Its contacts and
    history stay and come back on restore. Raises Forbidden."""
    if not scope.can_delete(actor, account) or account.is_deleted:
        raise Forbidden()
    account.deleted_at = now
    audit.record(
        account, "delete", {"deleted_at": (None, now)}, actor=actor, now=now, account_id=account.id
    )
    db.session.flush()
    return account


def restore_account(account: Account, *, actor: User, now: datetime) -> Account:
    """Undo a soft delete (directors of the account's team, admins). Raises Forbidden."""
    if not scope.can_delete(actor, account) or not account.is_deleted:
        raise Forbidden()
    changes = {"deleted_at": (account.deleted_at, None)}
    account.deleted_at = None
    audit.record(account, "restore", changes, actor=actor, now=now, account_id=account.id)
    db.session.flush()
    return account


def _team_pairs(account: Account) -> list[list[Any]]:
    return sorted([m.user_id, m.role.value] for m in account.members)


def _wanted_members(account: Account, members: list[Any]) -> list[tuple[int, TeamRole]]:
    """The (user, role) pairs asked for, or ValidationFailed listing every bad row. A new member
    must be an active user; a leaver already on the team may stay until handed over."""
    ids = {m.get("user_id") for m in members if isinstance(m, dict) and is_id(m.get("user_id"))}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    current = {(m.user_id, m.role) for m in account.members}
    problems: list[str] = []
    wanted: list[tuple[int, TeamRole]] = []
    for n, member in enumerate(members, start=1):
        member = member if isinstance(member, dict) else {}
        user_id, role = member.get("user_id"), member.get("role")
        user = users.get(user_id) if is_id(user_id) else None
        who = user.name if user else str(user_id)
        if user is None:
            problems.append(str(_l("Row %(n)d: choose a person who exists.", n=n)))
        elif role not in {r.value for r in TeamRole}:
            problems.append(str(_l("Choose a role for %(name)s.", name=who)))
        elif not user.may_hold({held for held, seat in current if seat == role}):
            problems.append(str(_l("%(name)s is no longer active.", name=who)))
        elif (user_id, TeamRole(role)) in wanted:
            problems.append(str(_l("%(name)s is listed twice as %(role)s.", name=who, role=role)))
        else:
            wanted.append((user_id, TeamRole(role)))
    if problems:
        raise ValidationFailed(fields={"members": problems})
    return wanted


def set_account_team(
    account: Account, members: list[dict[str, Any]], *, actor: User, now: datetime
) -> Account:
    """Replace the account team with `members` ([{user_id, role}]): roles AR/SR/FR/sponsor/member,
    people who exist and are active (a leaver already in that role may stay until handed over),
    no (person, role) twice; audited as one change of the field "team". Raises Forbidden
    (not the account's director, leadership, an admin or its AR; deleted account),
    ValidationFailed."""
    if not scope.can_set_account_team(actor, account):
        raise Forbidden()
    wanted = _wanted_members(account, members)
    before = _team_pairs(account)
    keep = {(m.user_id, m.role) for m in account.members} & set(wanted)
    account.members = [m for m in account.members if (m.user_id, m.role) in keep] + [
        AccountMember(user_id=u, role=r) for u, r in wanted if (u, r) not in keep
    ]
    db.session.flush()
    after = _team_pairs(account)
    if before != after:
        audit.record(
            account,
            "update",
            {"team": (before, after)},
            actor=actor,
            now=now,
            account_id=account.id,
        )
    return account
