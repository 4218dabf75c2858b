"""Relationship budget and spend (issue 17): an account's yearly budget per currency, and what
its logged contacts cost — each contact's cost split equally among its customer attendees.

The spend is read from the interactions' `cost` (in the company's currency, config CURRENCY),
the kind of spend as chosen when logging, else from the kind of contact (spend_kinds).
Everything here is set-wise: a fixed number of queries for any number of accounts."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import ROUND_DOWN, Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, Kind, interaction_attendees
from salesflow.key_accounts.spend_kinds import SPEND_KINDS
from salesflow.key_accounts.spend_models import AccountBudget, InteractionSpend
from salesflow.opportunities.services import CURRENCY
from salesflow.validation import Errors, add, is_id, money

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_AMOUNT = Decimal("1000000000000")
MAX_CURRENCIES = 10
CENT = Decimal("0.01")

# The kind of spend a kind of contact is (a gift or travel is never inferred).
SPEND_KIND_OF = {
    Kind.meal: "meal",
    Kind.event: "event",
    Kind.visit: "visit",
    Kind.exec_visit: "visit",
    Kind.site_visit: "visit",
}
# The kind chosen when logging, else the one read from the kind of contact.
_KIND_CASE = sa.func.coalesce(
    Interaction.spend_kind,
    sa.case(
        *[(Interaction.kind == k, v) for k, v in SPEND_KIND_OF.items()], else_=sa.literal("other")
    ),
)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The company-calendar year as UTC moments [start, end)."""
    zone = clock.zone()
    start = datetime.combine(datetime(year, 1, 1).date(), time(), tzinfo=zone)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def valid_year(value: Any) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and FIRST_YEAR <= value <= LAST_YEAR
    )


def _costs(ids: list[int] | None, year: int) -> sa.ColumnElement[bool]:
    """The costs of `year` (of the accounts `ids`, or of every account), read from the partial
    index ix_interactions_costs."""
    start, end = year_bounds(year)
    where = [
        Interaction.cost.is_not(None),
        Interaction.deleted_at.is_(None),
        Interaction.occurred_at >= start,
        Interaction.occurred_at < end,
    ]
    if ids is not None:
        where.append(Interaction.account_id.in_(ids))
    return sa.and_(*where)


def as_money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def spent_by_account(ids: list[int] | None, year: int) -> dict[int, dict[str, Decimal]]:
    """Each account's spend in `year` per currency (accounts with none are left out; every
    account's when `ids` is None): one query."""
    if ids is not None and not ids:
        return {}
    rows = db.session.execute(
        sa.select(Interaction.account_id, sa.func.sum(Interaction.cost))
        .where(_costs(ids, year))
        .group_by(Interaction.account_id)
    ).all()
    currency = current_app.config["CURRENCY"]
    return {account_id: {currency: as_money(total)} for account_id, total in rows}


def spent_by_kind(ids: list[int], year: int) -> dict[str, dict[str, Decimal]]:
    """The accounts' spend in `year` per spend kind and currency: one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(_KIND_CASE.label("spend_kind"), sa.func.sum(Interaction.cost))
        .where(_costs(ids, year))
        .group_by(_KIND_CASE)
    ).all()
    currency = current_app.config["CURRENCY"]
    return {kind: {currency: as_money(total)} for kind, total in sorted(rows)}


def spent_this_year(account_id: int, *, now: datetime | None = None) -> dict[str, Decimal]:
    """The account's spend this company-calendar year, per currency (K's visit briefing)."""
    year = clock.today(now or clock.now()).year
    return spent_by_account([account_id], year).get(account_id, {})


def split(cost: Decimal, contact_ids: list[int]) -> dict[int, Decimal]:
    """A contact's cost split equally among its customer attendees, to the cent; the cents left
    over go one each to the first attendees by id, so the shares add up to the cost."""
    if not contact_ids:
        return {}
    people = sorted(contact_ids)
    share = (cost / len(people)).quantize(CENT, rounding=ROUND_DOWN)
    left = int((cost - share * len(people)) / CENT)
    return {c: share + (CENT if i < left else 0) for i, c in enumerate(people)}


def spent_by_contact(account_id: int, year: int) -> dict[int, Decimal]:
    """Each customer attendee's share of the account's spend in `year`: the amounts given per
    attendee where a contact has them, else its cost split equally; one query."""
    given = sa.and_(
        InteractionSpend.interaction_id == Interaction.id,
        InteractionSpend.contact_id == interaction_attendees.c.contact_id,
    )
    rows = db.session.execute(
        sa.select(
            Interaction.id,
            Interaction.cost,
            interaction_attendees.c.contact_id,
            InteractionSpend.amount,
        )
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .outerjoin(InteractionSpend, given)
        .where(_costs([account_id], year))
        .order_by(Interaction.id)
    ).all()
    attendees: dict[int, list[int]] = defaultdict(list)
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    costs: dict[int, Decimal] = {}
    for interaction_id, cost, contact_id, amount in rows:
        attendees[interaction_id].append(contact_id)
        costs[interaction_id] = as_money(cost)
        if amount is not None:
            amounts[interaction_id][contact_id] = as_money(amount)
    shares: dict[int, Decimal] = defaultdict(Decimal)
    for interaction_id, people in attendees.items():
        each = amounts.get(interaction_id) or split(costs[interaction_id], people)
        for contact_id, amount in each.items():
            shares[contact_id] += amount
    return dict(shares)


def budgets_by_account(ids: list[int], year: int) -> dict[int, list[AccountBudget]]:
    """Each account's budget rows for `year`, by currency: one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(AccountBudget)
        .where(AccountBudget.account_id.in_(ids), AccountBudget.year == year)
        .order_by(AccountBudget.account_id, AccountBudget.currency)
    )
    found: dict[int, list[AccountBudget]] = defaultdict(list)
    for budget in rows:
        found[budget.account_id].append(budget)
    return dict(found)


# The one write -----------------------------------------------------------------------------------


def _year_problem(year: Any) -> None:
    if not valid_year(year):
        raise ValidationFailed(
            fields={
                "year": [str(_l("Enter a year from %(a)d to %(b)d.", a=FIRST_YEAR, b=LAST_YEAR))]
            }
        )


def _clean(data: dict[str, Any], existing: dict[str, AccountBudget]) -> dict[str, Decimal | None]:
    """{currency: amount or None (remove)} from `amounts`, the `versions` of the rows they
    change checked; ValidationFailed with every problem, Conflict on a stale version."""
    errors: Errors = {}
    raw = data.get("amounts")
    versions = data.get("versions") or {}
    if not isinstance(raw, dict) or not raw or len(raw) > MAX_CURRENCIES:
        add(errors, "amounts", _l("Give the budget's amount for at least one currency."))
        raise ValidationFailed(fields=errors)
    if not isinstance(versions, dict):
        versions = {}
        add(errors, "versions", _l("Say which version you read: reload and try again."))
    amounts: dict[str, Decimal | None] = {}
    for currency, value in raw.items():
        name = f"amounts.{currency}"
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            add(errors, name, _l("Use a three-letter currency code, such as CNY."))
            continue
        amounts[currency] = money(
            value, name, errors, maximum=MAX_AMOUNT, negative=_l("A budget cannot be negative.")
        )
        if currency in existing and not is_id(versions.get(currency)):
            add(
                errors,
                f"versions.{currency}",
                _l("Say which version you read: reload and try again."),
            )
    if errors:
        raise ValidationFailed(fields=errors)
    return amounts


def _stale(existing: dict[str, AccountBudget], amounts: dict, versions: dict) -> bool:
    return any(c in existing and versions.get(c) != existing[c].version for c in amounts)


def save_budget(
    account: Account, year: int, data: dict[str, Any], *, actor: User, now: datetime
) -> list[AccountBudget]:
    """Set the account's budget for `year` in the currencies of `data["amounts"]` (an empty
    amount removes that currency's budget; other currencies are kept). A changed row needs the
    version read (`data["versions"][currency]`). Raises Forbidden, ValidationFailed (every
    problem, nothing kept), Conflict (stale version)."""
    if account.is_deleted or not scope.can_set_budget(actor, account):
        raise Forbidden()
    _year_problem(year)
    existing = {b.currency: b for b in budgets_by_account([account.id], year).get(account.id, [])}
    amounts = _clean(data, existing)
    if _stale(existing, amounts, data.get("versions") or {}):
        raise Conflict()
    for currency, amount in amounts.items():
        _apply(account, year, existing.get(currency), currency, amount, actor=actor, now=now)
    db.session.flush()
    return budgets_by_account([account.id], year).get(account.id, [])


def _apply(
    account: Account,
    year: int,
    budget: AccountBudget | None,
    currency: str,
    amount: Decimal | None,
    *,
    actor: User,
    now: datetime,
) -> None:
    if budget is None and amount is None:
        return
    if budget is None:
        budget = AccountBudget(account_id=account.id, year=year, currency=currency, amount=amount)
        db.session.add(budget)
        db.session.flush()
        changes = {"year": (None, year), "currency": (None, currency), "amount": (None, amount)}
        audit.record(budget, "create", changes, actor=actor, now=now, account_id=account.id)
    elif amount is None:
        changes = {
            "year": (year, None),
            "currency": (currency, None),
            "amount": (budget.amount, None),
        }
        audit.record(budget, "delete", changes, actor=actor, now=now, account_id=account.id)
        db.session.delete(budget)
    else:
        changes = audit.apply_changes(budget, {"amount": amount}, ("amount",))
        db.session.flush()
        audit.record(budget, "update", changes, actor=actor, now=now, account_id=account.id)


# What the pages and the API show --------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    account_id: int
    year: int
    amounts: dict[str, Decimal]  # the budget per currency
    versions: dict[str, int]
    spent: dict[str, Decimal]  # per currency
    by_kind: dict[str, dict[str, Decimal]]
    left: dict[str, Decimal]  # budget − spent per currency of the budget (negative: over)
    group: "GroupSpend | None"  # the account's group, when it has subsidiaries the reader sees

    @staticmethod
    def label(kind: str) -> str:
        return str(SPEND_KINDS[kind])


@dataclass(frozen=True)
class GroupSpend:
    members: int  # accounts of the group the reader sees
    amounts: dict[str, Decimal]
    spent: dict[str, Decimal]


def _total(parts: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for part in parts:
        for currency, amount in part.items():
            total[currency] += amount
    return dict(sorted(total.items()))


def _group(user: User, account: Account, year: int) -> GroupSpend | None:
    from salesflow.key_accounts import hierarchy

    ids = hierarchy.group_ids(account.id)
    if len(ids) < 2:
        return None
    visible = list(
        db.session.scalars(
            sa.select(Account.id).where(Account.id.in_(ids), scope.visible_accounts(user))
        )
    )
    budgets = budgets_by_account(visible, year)
    amounts = _total([{b.currency: b.amount for b in rows} for rows in budgets.values()])
    spent = _total(list(spent_by_account(visible, year).values()))
    return GroupSpend(members=len(visible), amounts=amounts, spent=spent)


def summary(user: User, account: Account, year: int) -> Summary:
    """The account's budget and spend for `year` as `user` sees them: at most seven queries."""
    rows = budgets_by_account([account.id], year).get(account.id, [])
    amounts = {b.currency: as_money(b.amount) for b in rows}
    spent = spent_by_account([account.id], year).get(account.id, {})
    return Summary(
        account_id=account.id,
        year=year,
        amounts=amounts,
        versions={b.currency: b.version for b in rows},
        spent=spent,
        by_kind=spent_by_kind([account.id], year),
        left={c: a - spent.get(c, Decimal(0)) for c, a in amounts.items()},
        group=_group(user, account, year),
    )
