"""Tiering's writes: the AR's yearly potential, and the director's decision on the suggested
tier (confirm it, or keep the tier with a reason), each audited on the account and versioned."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import tiering
from salesflow.key_accounts.tiering_models import AccountTierChange
from salesflow.opportunities.services import CURRENCY
from salesflow.validation import Errors, add, money, require_version, text

MAXIMUM = Decimal("1e14")
DECISIONS = ("confirm", "keep")


def set_potential(account: Account, data: dict[str, Any], *, actor: User, now: datetime) -> Account:
    """Set the account's yearly potential and its currency (both, or neither to clear it).
    Raises Forbidden, ValidationFailed (every problem), Conflict (a stale version)."""
    if not scope.can_edit_account(actor, account):
        raise Forbidden()
    require_version(account, data)
    errors: Errors = {}
    amount = money(
        data.get("yearly_potential"),
        "yearly_potential",
        errors,
        maximum=MAXIMUM,
        negative=_l("The potential cannot be below zero."),
    )
    currency = data.get("potential_currency")
    currency = currency.strip().upper() if isinstance(currency, str) and currency.strip() else None
    if currency is not None and not CURRENCY.match(currency):
        add(errors, "potential_currency", _l("Use a three-letter currency code such as CNY."))
    elif amount is not None and currency is None:
        add(errors, "potential_currency", _l("Say in which currency."))
    if errors:
        raise ValidationFailed(fields=errors)
    clean = {"yearly_potential": amount, "potential_currency": currency if amount else None}
    changes = audit.apply_changes(account, clean, ("yearly_potential", "potential_currency"))
    audit.record(account, "update", changes, actor=actor, now=now, account_id=account.id)
    db.session.flush()
    return account


def decide_tier(
    account: Account, data: dict[str, Any], *, actor: User, now: datetime
) -> AccountTierChange:
    """The director confirms the suggested tier (the account takes it) or keeps the tier, with
    a reason (required to keep); the decision is kept in the tier history and audited.
    Raises Forbidden, ValidationFailed (every problem), Conflict (a stale version)."""
    if not scope.can_decide_tier(actor, account):
        raise Forbidden()
    require_version(account, data)
    errors: Errors = {}
    decision = data.get("decision")
    if decision not in DECISIONS:
        add(errors, "decision", _l("Choose whether to confirm or keep the tier."))
    reason = text(data.get("reason"), "reason", errors, column=AccountTierChange.reason)
    if decision == "keep" and not reason and "reason" not in errors:
        add(errors, "reason", _l("Say why the tier stays."))
    if errors:
        raise ValidationFailed(fields=errors)
    suggested = tiering.scores_for([account.id], now)[account.id].suggested
    before = account.tier
    change = AccountTierChange(
        account_id=account.id,
        from_tier=before,
        to_tier=suggested if decision == "confirm" else before,
        suggested=suggested,
        reason=reason,
        actor_id=actor.id,
        at=now,
    )
    db.session.add(change)
    account.tier = change.to_tier
    # the decision itself moves the account's version: a second director's stale form is a 409
    so.attributes.flag_modified(account, "tier")
    db.session.flush()
    fields = {"from_tier": (None, before), "to_tier": (None, change.to_tier)}
    fields |= {"suggested": (None, suggested), "reason": (None, reason)}
    audit.record(change, "create", fields, actor=actor, now=now, account_id=account.id)
    if change.to_tier != before:
        audit.record(
            account,
            "update",
            {"tier": (before, change.to_tier)},
            actor=actor,
            now=now,
            account_id=account.id,
        )
    return change
