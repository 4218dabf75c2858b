"""Dependency pages for leadership (all accounts) and directors (their team): the dashboard, one
account's holders and ties, and the departure / rotation simulation. Plotly comes from the
installed package and is served by the app itself (no CDN)."""

from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.accounts.models import Account, Tier
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import charts, metrics, queries, snapshots
from salesflow.errors import Forbidden
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.teams.models import Team
from salesflow.ties.queries import live_ties
from salesflow.validation import parse_day, parse_id

bp = Blueprint("dependency", __name__)
PAGE = 100
TREND_DAYS = 90


@bp.route("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js from the `plotly` package itself, cached for a year."""
    path = resources.files("plotly") / "package_data" / "plotly.min.js"
    return send_file(str(path), mimetype="text/javascript", max_age=365 * 24 * 3600)


def _allowed() -> None:
    if not scope.can_see_dependency(current_user):
        raise Forbidden()


def _filters() -> queries.ReportFilters:
    args = request.args
    tier, risk = args.get("tier"), args.get("risk")
    return queries.ReportFilters(
        team_id=parse_id(args.get("team_id")),
        tier=tier if tier in {t.value for t in Tier} else None,
        risk=risk if risk in {r.name for r in metrics.Risk} else None,
        holder_id=parse_id(args.get("holder_id")),
    )


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


def _teams() -> list[Team]:
    query = sa.select(Team).where(scope.visible_teams(current_user)).order_by(Team.name)
    return list(db.session.scalars(query))


def _people() -> list[User]:
    """Whom the caller may simulate or filter by: everyone for leadership, else the team."""
    query = sa.select(User).where(scope.not_admins(), scope.visible_people(current_user))
    return list(db.session.scalars(query.order_by(User.name)))


def _pipeline_by_ar() -> dict[int, dict[str, Decimal]]:
    """Open pipeline per AR and currency on the accounts the caller sees (one aggregate query)."""
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
            Opportunity.account_id.in_(scope.visible_account_ids(current_user)),
        )
        .group_by(OpportunityRole.user_id, Opportunity.currency)
    )
    pipeline: dict[int, dict[str, Decimal]] = {}
    for user_id, currency, amount in rows:
        pipeline.setdefault(user_id, {})[currency] = Decimal(amount)
    return pipeline


# Column sorts of the dashboard: each puts the most worrying accounts first, the name breaking ties.
SORTS: dict[str, Any] = {
    "effective_holders": lambda r: (r.metrics.effective_holders or 0.0, r.account.name),
    "top_share": lambda r: (-(r.metrics.top_share or 0.0), r.account.name),
    "uncovered": lambda r: (-len(r.metrics.uncovered_key_contacts), r.account.name),
    "single_threaded": lambda r: (-len(r.metrics.single_threaded_key_contacts), r.account.name),
    "multi_threaded": lambda r: (r.metrics.multi_threaded_coverage or 0.0, r.account.name),
    "bus_factor": lambda r: (r.metrics.bus_factor, r.account.name),
    "name": lambda r: r.account.name,
}


@bp.route("/dependency")
@login_required
def dashboard():
    _allowed()
    now = clock.now()
    filters = _filters()
    rows = queries.report(current_user, filters, now=now)  # the worst (highest risk) first
    sort = request.args.get("sort", "")
    if sort in SORTS:
        rows.sort(key=SORTS[sort])
    page = parse_id(request.args.get("page")) or 1
    shown = rows[(page - 1) * PAGE : page * PAGE]
    teams = _teams()
    team_names = {t.id: t.name for t in teams} | _names(Team, {r.account.team_id for r in rows})
    held: dict[int, int] = {}
    for row in rows:
        if row.metrics.holder_id is not None:
            held[row.metrics.holder_id] = held.get(row.metrics.holder_id, 0) + 1
    pipeline, currency = _pipeline_by_ar(), current_app.config["CURRENCY"]
    people = _names(User, set(held) | set(pipeline))
    main = {u: pipeline.get(u, {}).get(currency, Decimal(0)) for u in set(held) | set(pipeline)}
    top = sorted(main, key=lambda u: (-held.get(u, 0), -main[u], people.get(u, "")))
    holders = [(people.get(u, "?"), held.get(u, 0), pipeline.get(u, {})) for u in top[:15]]
    since = (now - timedelta(days=TREND_DAYS)).date()
    trend = snapshots.trend(current_user, since=since)
    return render_template(
        "dependency/dashboard.html",
        rows=shown,
        total=len(rows),
        page=page,
        more=len(rows) > page * PAGE,
        filters=filters,
        sort=sort if sort in SORTS else "risk",
        teams=teams,
        team_names=team_names,
        people=_people(),
        holder_names=_names(User, {r.metrics.holder_id for r in shown if r.metrics.holder_id}),
        holders=holders,
        trend=trend,
        charts={
            "risk": charts.risk_by_team(rows, team_names),
            "holders": charts.holders(holders, currency),
            "trend": charts.trend(trend, team_names) if trend else None,
        },
    )


@bp.route("/dependency/accounts/<int:account_id>")
@login_required
def account(account_id: int):
    _allowed()
    account = scope.get_account(current_user, account_id)
    now = clock.now()
    inp = queries.account_inputs({account.id}, now=now)[account.id]
    result = metrics.account_metrics(inp)
    keys = sa.select(Contact).where(Contact.id.in_(result.key_contacts)).order_by(Contact.name)
    contacts = {c.id: c for c in db.session.scalars(keys)}
    ties = live_ties(account.id, now=now)
    people = sorted({u for tied in ties.values() for u, _s in tied}, key=lambda u: u.name)
    strength = {(c, u.id): s for c, tied in ties.items() for u, s in tied}
    names = {u.id: u.name for u in people}
    share_rows = sorted(result.shares.items(), key=lambda kv: -kv[1])
    return render_template(
        "dependency/account.html",
        account=account,
        m=result,
        contacts=contacts,
        people=people,
        strength=strength,
        names=names,
        share_rows=share_rows,
        ties=ties,
        share_chart=charts.shares([(names.get(u, "?"), s) for u, s in share_rows]),
        quicklog_account_id=account.id,
    )


def _departure_args() -> tuple[set[int], list[str]]:
    """The people to simulate from the query string, and what was wrong with it."""
    problems: list[str] = []
    wanted: set[int] = set()
    allowed = {u.id for u in _people()}
    for raw in request.args.getlist("user_ids"):
        if (user_id := parse_id(raw)) in allowed:
            wanted.add(user_id)
        else:
            problem = _("%(value)s is not one of the people you can simulate.", value=raw[:20])
            problems.append(problem)
    return wanted, problems


def _at() -> tuple[datetime, str | None]:
    try:
        day = parse_day(request.args.get("at"))
    except ValueError as problem:
        return clock.now(), str(problem)
    return (datetime.combine(day, clock.now().timetz()) if day else clock.now()), None


@bp.route("/dependency/departure")
@login_required
def departure():
    _allowed()
    wanted, problems = _departure_args()
    now, problem = _at()
    problems += [problem] if problem else []
    result = queries.departure(current_user, wanted, now=now) if wanted and not problems else None
    context: dict[str, Any] = {}
    if result is not None:
        ids = {d.account_id for d in result.accounts}
        contact_ids = {c for d in result.accounts for c in d.newly_uncovered_key_contacts}
        context = {
            "accounts": _names(Account, ids),
            "contacts": _names(Contact, contact_ids),
            "deals": db.session.execute(
                sa.select(
                    Opportunity.id,
                    Opportunity.name,
                    Opportunity.amount,
                    Opportunity.currency,
                    Opportunity.account_id,
                )
                .where(Opportunity.id.in_(result.opportunity_ids))
                .order_by(Opportunity.amount.desc().nulls_last(), Opportunity.id)
            ).all(),
        }
    return render_template(
        "dependency/departure.html",
        people=_people(),
        wanted=wanted,
        problems=problems,
        result=result,
        at=request.args.get("at", ""),
        **context,
    ), (422 if problems else 200)
