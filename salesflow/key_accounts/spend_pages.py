"""The relationship spend page (`/key-accounts/spend?year=`): budget against spend per team, per
AR and per account over the accounts the reader sees, with a chart — what the template shows,
computed here in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from salesflow import clock, scope
from salesflow.accounts.models import Account, AccountMember, TeamRole
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.key_accounts import spend, spend_caps, spend_effect
from salesflow.key_accounts.spend_models import AccountBudget
from salesflow.teams.models import Team

PER_PAGE = 50
Money = dict[str, Decimal]
# The audit trail's labels of a budget's fields (audit.words reads them by table name).
AUDIT_LABELS: dict[str, dict[str, Any]] = {
    "account_budgets": {
        "year": _l("Year"),
        "currency": _l("Currency"),
        "amount": _l("Relationship budget"),
    }
}


class BudgetForm(FlaskForm):
    """The year's budget of the account in one currency (empty removes it)."""

    amount = StringField(_l("Budget"))
    currency = StringField(_l("Currency"))
    version = HiddenField()
    year = HiddenField()

    def service_data(self) -> dict[str, object]:
        currency = (self.currency.data or "").strip()
        raw = self.version.data or ""
        version = int(raw) if raw.isdigit() and len(raw) < 10 else None
        return {
            "amounts": {currency: (self.amount.data or "").strip() or None},
            "versions": {currency: version} if version else {},
        }


@dataclass(frozen=True)
class Panel:
    """The account page's panel: this year's budget and spend, and the budget's form."""

    summary: spend.Summary
    can_set: bool
    form: BudgetForm | None
    overview: bool  # the reader may open the spend page of every account in scope
    per_contact: list[tuple[int, str, Decimal]]  # the largest shares: contact id, name, amount
    flagged: int = 0  # this year's attendees' shares above their spend cap (flagged, not refused)


TOP_CONTACTS = 5


def _per_contact(account: Account, year: int) -> list[tuple[int, str, Decimal]]:
    """The customer attendees with the largest shares of this year's spend (each contact's
    cost split equally among its attendees): two queries."""
    shares = spend.spent_by_contact(account.id, year)
    top = sorted(shares.items(), key=lambda item: (-item[1], item[0]))[:TOP_CONTACTS]
    names = _names(Contact, {c for c, _a in top})
    return [(c, names.get(c, ""), amount) for c, amount in top]


def panel(user: User, account: Account, now: datetime) -> Panel:
    """This company-calendar year's budget and spend of the account, as `user` sees them; the
    form pre-filled with the first currency budgeted (else the company's)."""
    summary = spend.summary(user, account, clock.today(now).year)
    can_set = scope.can_set_budget(user, account)
    form = None
    if can_set:
        currency = next(iter(summary.amounts), current_app.config["CURRENCY"])
        form = BudgetForm(
            formdata=None,
            amount=summary.amounts.get(currency),
            currency=currency,
            version=summary.versions.get(currency, ""),
            year=summary.year,
        )
    return Panel(
        summary,
        can_set,
        form,
        scope.can_see_spend(user),
        _per_contact(account, summary.year),
        spend_caps.flagged_in_year(account.id, summary.year),
    )


@dataclass(frozen=True)
class Line:
    """One row: a team, an AR or an account, its budget and spend per currency."""

    id: int | None
    name: str
    budget: Money
    spent: Money

    @property
    def over(self) -> bool:
        return any(a > self.budget.get(c, Decimal(0)) for c, a in self.spent.items())


@dataclass(frozen=True)
class Overview:
    year: int
    teams: list[Line]
    ars: list[Line]
    accounts: list[Line]
    effects: dict[int, spend_effect.Effect]  # per account: did the spend buy relationships
    page: int
    more: bool
    chart: str  # Plotly figure JSON: budget and spend per team, company currency


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())


def _add(total: dict[Any, Money], key: Any, money: Money) -> None:
    into = total.setdefault(key, {})
    for currency, amount in money.items():
        into[currency] = into.get(currency, Decimal(0)) + amount


def _rolled(keys: dict[int, list[Any]], budgets: dict, spent: dict) -> tuple[dict, dict]:
    """Per key (a team, an AR): the budgets and spend of its accounts, summed per currency."""
    budget: dict[Any, Money] = {}
    spend_: dict[Any, Money] = {}
    for account_id, owners in keys.items():
        for key in owners:
            if account_id in budgets:
                _add(budget, key, budgets[account_id])
            if account_id in spent:
                _add(spend_, key, spent[account_id])
    return budget, spend_


def _sorted(budget: dict, spent: dict, names: dict, fallback: str) -> list[Line]:
    lines = [
        Line(k, names.get(k) or fallback, budget.get(k, {}), spent.get(k, {}))
        for k in set(budget) | set(spent)
    ]
    return sorted(lines, key=lambda line: (line.name, line.id or 0))


def chart(teams: list[Line]) -> str:
    """Budget and spend per team, in the company's currency, as bars side by side."""
    currency = current_app.config["CURRENCY"]
    names = [t.name for t in teams]
    figure = go.Figure(
        [
            go.Bar(name=_("Budget"), x=names, y=[float(t.budget.get(currency, 0)) for t in teams]),
            go.Bar(name=_("Spent"), x=names, y=[float(t.spent.get(currency, 0)) for t in teams]),
        ],
        layout={
            "barmode": "group",
            "margin": {"l": 50, "r": 20, "t": 40, "b": 60},
            "height": 320,
            "legend": {"orientation": "h"},
            "title": _("Budget and spend per team (%(currency)s)", currency=currency),
            "yaxis": {"rangemode": "tozero"},
        },
    )
    return figure.to_json()


def overview(user: User, year: int, *, page: int = 1) -> Overview:
    """Budget against spend per team, per AR and per account (paged), and what each account's
    relationships did meanwhile: the year's spend and budgets of every account read once (the
    spend from a partial index of the costs), rolled up here — eight queries."""
    accounts = db.session.execute(
        sa.select(Account.id, Account.name, Account.team_id)
        .where(scope.visible_accounts(user))
        .order_by(Account.name, Account.id)
    ).all()
    seen = {a.id for a in accounts}
    spent = {a: m for a, m in spend.spent_by_account(None, year).items() if a in seen}
    budgets: dict[int, Money] = {}
    for account_id, currency, amount in db.session.execute(
        sa.select(AccountBudget.account_id, AccountBudget.currency, AccountBudget.amount).where(
            AccountBudget.year == year
        )
    ):
        if account_id in seen:
            budgets.setdefault(account_id, {})[currency] = spend.as_money(amount)
    ars: dict[int, list[int]] = {}
    for account_id, user_id in db.session.execute(
        sa.select(AccountMember.account_id, AccountMember.user_id).where(
            AccountMember.role == TeamRole.AR
        )
    ):
        if account_id in seen:
            ars.setdefault(account_id, []).append(user_id)
    by_team = _rolled({a.id: [a.team_id] for a in accounts}, budgets, spent)
    by_ar = _rolled(ars, budgets, spent)
    team_names = _names(Team, {k for k in set(by_team[0]) | set(by_team[1]) if k is not None})
    ar_names = _names(User, set(by_ar[0]) | set(by_ar[1]))
    teams = _sorted(*by_team, team_names, _("No team"))
    listed = [a for a in accounts if a.id in budgets or a.id in spent]
    shown = listed[(page - 1) * PER_PAGE : page * PER_PAGE]
    lines = [Line(a.id, a.name, budgets.get(a.id, {}), spent.get(a.id, {})) for a in shown]
    return Overview(
        year=year,
        teams=teams,
        ars=_sorted(*by_ar, ar_names, ""),
        accounts=lines,
        effects=spend_effect.effects([a.id for a in shown], year),
        page=page,
        more=len(listed) > page * PER_PAGE,
        chart=chart(teams),
    )
