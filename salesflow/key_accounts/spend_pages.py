"""The relationship spend page (`/key-accounts/spend?year=`): budget against spend per team, per
AR and per account over the accounts the reader sees, with a chart — what the template shows,
computed here in a fixed number of queries."""

from collections import defaultdict
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
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import spend, spend_effect
from salesflow.key_accounts.spend_models import AccountBudget
from salesflow.teams.models import Team

PER_PAGE = 50
Money = dict[str, Decimal]


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
    return Panel(summary, can_set, form)


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


def _cost_rows(user: User, year: int, key: Any, *joins: Any) -> list[tuple]:
    start, end = spend.year_bounds(year)
    query = sa.select(key, sa.func.sum(Interaction.cost)).join(
        Account, Account.id == Interaction.account_id
    )
    for target, on in joins:
        query = query.join(target, on)
    return db.session.execute(
        query.where(
            scope.visible_accounts(user),
            Interaction.deleted_at.is_(None),
            Interaction.cost.is_not(None),
            Interaction.occurred_at >= start,
            Interaction.occurred_at < end,
        ).group_by(key)
    ).all()


def _budget_rows(user: User, year: int, key: Any, *joins: Any) -> list[tuple]:
    query = sa.select(key, AccountBudget.currency, sa.func.sum(AccountBudget.amount)).join(
        Account, Account.id == AccountBudget.account_id
    )
    for target, on in joins:
        query = query.join(target, on)
    return db.session.execute(
        query.where(scope.visible_accounts(user), AccountBudget.year == year).group_by(
            key, AccountBudget.currency
        )
    ).all()


def _lines(user: User, year: int, key: Any, names: dict, *joins: Any) -> list[Line]:
    currency = current_app.config["CURRENCY"]
    budget: dict[Any, Money] = defaultdict(dict)
    spent: dict[Any, Money] = defaultdict(dict)
    for k, c, amount in _budget_rows(user, year, key, *joins):
        budget[k][c] = spend.as_money(amount)
    for k, amount in _cost_rows(user, year, key, *joins):
        spent[k][currency] = spend.as_money(amount)
    keys = set(budget) | set(spent)
    lines = [Line(k, names.get(k) or _("No team"), budget[k], spent[k]) for k in keys]
    return sorted(lines, key=lambda line: (line.name, line.id or 0))


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())


def _accounts(user: User, year: int, page: int) -> tuple[list[Line], bool]:
    start, end = spend.year_bounds(year)
    budgeted = sa.select(AccountBudget.account_id).where(AccountBudget.year == year)
    spent = sa.select(Interaction.account_id).where(
        Interaction.deleted_at.is_(None),
        Interaction.cost.is_not(None),
        Interaction.occurred_at >= start,
        Interaction.occurred_at < end,
    )
    rows = db.session.execute(
        sa.select(Account.id, Account.name)
        .where(
            scope.visible_accounts(user),
            sa.or_(Account.id.in_(budgeted), Account.id.in_(spent)),
        )
        .order_by(Account.name, Account.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    ids = [r.id for r in rows[:PER_PAGE]]
    budgets = spend.budgets_by_account(ids, year)
    costs = spend.spent_by_account(ids, year)
    lines = [
        Line(
            r.id,
            r.name,
            {b.currency: spend.as_money(b.amount) for b in budgets.get(r.id, [])},
            costs.get(r.id, {}),
        )
        for r in rows[:PER_PAGE]
    ]
    return lines, len(rows) > PER_PAGE


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
    relationships did meanwhile: eleven queries."""
    teams = _lines(user, year, Account.team_id, {})
    team_names = _names(Team, {t.id for t in teams if t.id is not None})
    teams = [Line(t.id, team_names.get(t.id) or _("No team"), t.budget, t.spent) for t in teams]
    teams.sort(key=lambda line: (line.name, line.id or 0))
    ar_seat = (
        AccountMember,
        sa.and_(AccountMember.account_id == Account.id, AccountMember.role == TeamRole.AR),
    )
    ars = _lines(user, year, AccountMember.user_id, {}, ar_seat)
    ar_names = _names(User, {a.id for a in ars if a.id is not None})
    ars = [Line(a.id, ar_names.get(a.id, ""), a.budget, a.spent) for a in ars]
    ars.sort(key=lambda line: (line.name, line.id or 0))
    accounts, more = _accounts(user, year, page)
    effects = spend_effect.effects([a.id for a in accounts if a.id is not None], year)
    return Overview(year, teams, ars, accounts, effects, page, more, chart(teams))
