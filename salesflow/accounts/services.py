"""Accounts and their account teams: every write and rule (PRODUCT.md, capability 1).

Reps create and keep up to date the accounts they see; directors (own team) and admins
soft-delete and restore; every change is audited on the account.
"""

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.audit import services as audit
from salesflow.auth import scope
from salesflow.auth.models import User
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.teams.models import Team

TEXT_LIMITS = {"name": 200, "industry": 80, "region": 80, "address": 300, "website": 300,
               "notes": 20_000}  # fmt: skip
ACCOUNT_FIELDS = (*TEXT_LIMITS, "team_id", "tier", "parent_id")
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)

Errors = dict[str, list[str]]


def _clean_text(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for field, limit in TEXT_LIMITS.items():
        if field not in data:
            continue
        value = data[field]
        if value is not None and not isinstance(value, str):
            errors.setdefault(field, []).append(str(_l("Enter text.")))
            continue
        value = (value or "").strip() or None
        if value is not None and len(value) > limit:
            errors.setdefault(field, []).append(str(_l("Use at most %(n)d characters.", n=limit)))
            continue
        clean[field] = value
    if "name" in data and not clean.get("name") and "name" not in errors:
        errors["name"] = [str(_l("Enter the account's name."))]
    website = clean.get("website")
    if website:
        if not re.match(r"^[a-z]+://", website, re.IGNORECASE):
            website = clean["website"] = "https://" + website
        if not WEBSITE.match(website):
            errors.setdefault("website", []).append(str(_l("Enter a web address.")))
    return clean


def _check_team(team_id: Any, actor: User, errors: Errors) -> None:
    if team_id is None or db.session.get(Team, team_id) is None:
        errors["team_id"] = [str(_l("Choose a team."))]
    elif not scope.can_create_account(actor, team_id):
        errors["team_id"] = [str(_l("You cannot put accounts in this team."))]


def _check_parent(parent_id: int, account: Account | None, actor: User, errors: Errors) -> None:
    """The parent must be an account the actor sees, and not the account or one of its children."""
    visible = db.session.scalar(
        sa.select(Account.id).where(Account.id == parent_id, scope.visible_accounts(actor))
    )
    if visible is None:
        errors["parent_id"] = [str(_l("Choose an account you can see."))]
        return
    if account is None:
        return
    ancestors = sa.select(Account.id, Account.parent_id).where(Account.id == parent_id)
    ancestors = ancestors.cte("ancestors", recursive=True)
    ancestors = ancestors.union(
        sa.select(Account.id, Account.parent_id).join(
            ancestors, Account.id == ancestors.c.parent_id
        )
    )
    chain = set(db.session.scalars(sa.select(ancestors.c.id)))
    if account.id in chain:
        errors["parent_id"] = [str(_l("An account cannot be its own parent, directly or not."))]


def _validate(data: dict[str, Any], account: Account | None, actor: User) -> dict[str, Any]:
    errors: Errors = {}
    clean = _clean_text(data, errors)
    if "tier" in data:
        try:
            clean["tier"] = Tier(data["tier"])
        except ValueError:
            errors["tier"] = [str(_l("Choose a tier."))]
    if "team_id" in data and (account is None or data["team_id"] != account.team_id):
        _check_team(data["team_id"], actor, errors)
    if "team_id" in data:
        clean["team_id"] = data["team_id"]
    if data.get("parent_id") is not None:
        _check_parent(data["parent_id"], account, actor, errors)
    if "parent_id" in data:
        clean["parent_id"] = data["parent_id"]
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def create_account(data: dict[str, Any], *, actor: User, now: datetime) -> Account:
    """Create an account in a team the actor may create in. Raises ValidationFailed."""
    data = {"tier": Tier.C, **data}
    if "team_id" not in data:
        data["team_id"] = actor.team_id
    clean = _validate({"name": None, **data}, None, actor)
    account = Account(**clean, created_by_id=actor.id)
    db.session.add(account)
    db.session.flush()
    changes = {f: (None, getattr(account, f)) for f in ACCOUNT_FIELDS if getattr(account, f)}
    audit.record(account, "create", changes, actor=actor, now=now, account_id=account.id)
    return account


def _check_version(account: Account, data: dict[str, Any]) -> None:
    if data.get("version") is not None and data["version"] != account.version:
        raise Conflict()


def update_account(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> Account:
    """Change an account's fields. Raises Forbidden (deleted), Conflict (stale version),
    ValidationFailed."""
    if not scope.can_edit_account(actor, account):
        raise Forbidden()
    _check_version(account, data)
    clean = _validate(data, account, actor)
    changes = audit.apply_changes(account, clean, ACCOUNT_FIELDS)
    audit.record(account, "update", changes, actor=actor, now=now, account_id=account.id)
    db.session.flush()
    return account


def delete_account(account: Account, *, actor: User, now: datetime) -> Account:
    """Soft-delete (directors of the account's team, admins). Raises Forbidden."""
    if not scope.can_delete(actor, account) or account.is_deleted:
        raise Forbidden()
    account.deleted_at = now
    audit.record(account, "delete", {"deleted_at": (None, now)}, actor=actor, now=now,
                 account_id=account.id)  # fmt: skip
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


def set_account_team(
    account: Account, members: list[dict[str, Any]], *, actor: User, now: datetime
) -> Account:
    """Replace the account team with `members` ({user_id, role}); users must be active, roles
    from the vocabulary, no pair twice. Raises Forbidden, ValidationFailed."""
    if not scope.can_edit_account(actor, account):
        raise Forbidden()
    problems: list[str] = []
    wanted: list[tuple[int, TeamRole]] = []
    ids = {m.get("user_id") for m in members}
    active = set(db.session.scalars(sa.select(User.id).where(User.id.in_(ids), User.active)))
    for member in members:
        user_id, role = member.get("user_id"), member.get("role")
        if role not in {r.value for r in TeamRole}:
            problems.append(str(_l("Unknown role %(role)s.", role=role)))
        elif user_id not in active:
            problems.append(str(_l("User %(id)s is not an active user.", id=user_id)))
        elif (user_id, TeamRole(role)) in wanted:
            problems.append(
                str(_l("User %(id)s is listed twice as %(role)s.", id=user_id, role=role))
            )
        else:
            wanted.append((user_id, TeamRole(role)))
    if problems:
        raise ValidationFailed(fields={"members": problems})
    before = _team_pairs(account)
    keep = {(m.user_id, m.role) for m in account.members} & set(wanted)
    account.members = [m for m in account.members if (m.user_id, m.role) in keep] + [
        AccountMember(user_id=u, role=r) for u, r in wanted if (u, r) not in keep
    ]
    db.session.flush()
    after = _team_pairs(account)
    if before != after:
        audit.record(account, "update", {"team": (before, after)}, actor=actor, now=now,
                     account_id=account.id)  # fmt: skip
    return account
