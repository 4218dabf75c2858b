"""What the dependency pages show, built from the report's queries (dependency.queries) with the
names, people and sums each page needs: the dashboard's holders and charts, one account's holders
and ties, the departure simulation's totals and deals. The views parse the request and render."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import charts, metrics, queries, snapshots
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.teams.models import Team
from salesflow.ties.queries import live_ties

PAGE = 100
TREND_DAYS = 90
HOLDERS_SHOWN = 15


def names(model: Any, ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


def teams(user: User) -> list[Team]:
    query = sa.select(Team).where(scope.visible_teams(user)).order_by(Team.name)
    return list(db.session.scalars(query))


def people(user: User) -> list[User]:
    """Whom `user` may simulate or filter by: everyone for leadership, else the team."""
    query = sa.select(User).where(scope.not_admins(), scope.visible_people(user))
    return list(db.session.scalars(query.order_by(User.name)))


def _pipeline_by_ar(user: User) -> dict[int, dict[str, Decimal]]:
    """Open pipeline per AR and currency on the accounts `user` sees (one aggregate query)."""
    rows = db.session.execute(
        sa.select(
            OpportunityRole.user_id,
            Opportunity.currency,
            sa.func.coalesce(sa.func.sum(Opportunity.amount), 0),
        )
        .join(Opportunity, Opportunity.id == OpportunityRole.opportunity_id)
        .where(
            OpportunityRole.role == TriangleRole.AR,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Opportunity.account_id.in_(scope.visible_account_ids(user)),
        )
        .group_by(OpportunityRole.user_id, Opportunity.currency)
    )
    pipeline: dict[int, dict[str, Decimal]] = {}
    for user_id, currency, amount in rows:
        pipeline.setdefault(user_id, {})[currency] = Decimal(amount)
    return pipeline


def _holders(user: User, rows: list[queries.ReportRow]) -> list[tuple[str, int, dict]]:
    """The people holding the most accounts (then the most pipeline in the company's currency):
    (name, accounts held, open pipeline as AR by currency)."""
    held: dict[int, int] = {}
    for row in rows:
        if row.metrics.holder_id is not None:
            held[row.metrics.holder_id] = held.get(row.metrics.holder_id, 0) + 1
    pipeline, currency = _pipeline_by_ar(user), current_app.config["CURRENCY"]
    who = names(User, set(held) | set(pipeline))
    main = {u: pipeline.get(u, {}).get(currency, Decimal(0)) for u in set(held) | set(pipeline)}
    top = sorted(main, key=lambda u: (-held.get(u, 0), -main[u], who.get(u, "")))
    return [(who.get(u, "?"), held.get(u, 0), pipeline.get(u, {})) for u in top[:HOLDERS_SHOWN]]


def dashboard(
    user: User,
    filters: queries.ReportFilters,
    *,
    sort_key: Callable[[queries.ReportRow], Any] | None,
    page: int,
    now: datetime,
) -> dict[str, Any]:
    """The dashboard's page `page` of the report (the worst first, or by `sort_key`), its
    holders, the trend and the charts."""
    rows = queries.report(user, filters, now=now)
    if sort_key is not None:
        rows.sort(key=sort_key)
    shown = rows[(page - 1) * PAGE : page * PAGE]
    visible_teams = teams(user)
    team_names = {t.id: t.name for t in visible_teams} | names(
        Team, {r.account.team_id for r in rows}
    )
    holders = _holders(user, rows)
    trend = snapshots.trend(user, since=(now - timedelta(days=TREND_DAYS)).date())
    currency = current_app.config["CURRENCY"]
    return {
        "rows": shown,
        "total": len(rows),
        "page": page,
        "more": len(rows) > page * PAGE,
        "teams": visible_teams,
        "team_names": team_names,
        "people": people(user),
        "holder_names": names(User, {r.metrics.holder_id for r in shown if r.metrics.holder_id}),
        "holders": holders,
        "trend": trend,
        "charts": {
            "risk": charts.risk_by_team(rows, team_names),
            "holders": charts.holders(holders, currency),
            "trend": charts.trend(trend, team_names) if trend else None,
        },
    }


def account(account: Account, *, now: datetime) -> dict[str, Any]:
    """One account's figures, its key contacts and who is tied to whom, strongest first."""
    result = metrics.account_metrics(queries.account_inputs({account.id}, now=now)[account.id])
    keys = sa.select(Contact).where(Contact.id.in_(result.key_contacts)).order_by(Contact.name)
    contacts = {c.id: c for c in db.session.scalars(keys)}
    ties = live_ties(account.id, now=now)
    tied = sorted({u for pairs in ties.values() for u, _s in pairs}, key=lambda u: u.name)
    who = {u.id: u.name for u in tied}
    share_rows = sorted(result.shares.items(), key=lambda kv: -kv[1])
    return {
        "m": result,
        "contacts": contacts,
        "people": tied,
        "strength": {(c, u.id): s for c, pairs in ties.items() for u, s in pairs},
        "names": who,
        "share_rows": share_rows,
        "ties": ties,
        "share_chart": charts.shares([(who.get(u, "?"), s) for u, s in share_rows]),
    }


def departure(user: User, leaving: list[User], *, now: datetime) -> dict[str, Any]:
    """The simulation of `leaving` (people `user` may simulate) leaving, with the names and the
    deals it puts at risk, the accounts whose risk rises and those they held."""
    result = queries.departure(user, {p.id for p in leaving}, now=now)
    contact_ids = {c for d in result.accounts for c in d.newly_uncovered_key_contacts}
    deals = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Opportunity.amount,
            Opportunity.currency,
            Opportunity.account_id,
        )
        .where(Opportunity.id.in_(result.opportunity_ids))
        .order_by(Opportunity.amount.desc().nulls_last(), Opportunity.id)
    ).all()
    return {
        "result": result,
        "leaving": leaving,
        "account_ids": [d.account_id for d in result.accounts],
        "rising": [d for d in result.accounts if d.risk_rises],
        "held": [d for d in result.accounts if d.holder_left],
        "accounts": names(Account, {d.account_id for d in result.accounts}),
        "contacts": names(Contact, contact_ids),
        "deals": deals,
    }
