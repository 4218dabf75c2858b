"""Dependency pages for leadership (all accounts) and directors (their team): the dashboard, one
account's holders and ties, and the departure / rotation simulation. Plotly comes from the
vendored partial bundle and is served by the app itself (no CDN)."""

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.accounts.models import Tier
from salesflow.dependency import metrics, pages, queries
from salesflow.errors import Forbidden
from salesflow.validation import parse_day, parse_id

bp = Blueprint("dependency", __name__)


# The vendored partial bundle (static/vendor/plotly/README.md): its version is in the address,
# so a new bundle is fetched at once however long browsers keep the old one.
PLOTLY_VERSION = "4.1.1"


@bp.route(f"/vendor/plotly-basic-{PLOTLY_VERSION}.min.js")
def plotly_js():
    """plotly.js's basic bundle (bar and scatter charts), cached for a year."""
    path = Path(current_app.static_folder or "") / "vendor" / "plotly" / "plotly-basic.min.js"
    return send_file(path, mimetype="text/javascript", max_age=365 * 24 * 3600)


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


@bp.route("/dependency")
@login_required
def dashboard():
    """Sorted by `sort` (a column of pages.COLUMNS; any other is ignored) in `dir` (asc or desc;
    else the column's most worrying first)."""
    _allowed()
    filters = _filters()
    page = pages.dashboard(
        current_user,
        filters,
        sort=request.args.get("sort"),
        direction=request.args.get("dir"),
        page=parse_id(request.args.get("page")) or 1,
        now=clock.now(),
    )
    return render_template("dependency/dashboard.html", filters=filters, **page)


@bp.route("/dependency/accounts/<int:account_id>")
@login_required
def account(account_id: int):
    _allowed()
    account = scope.get_account(current_user, account_id)
    return render_template(
        "dependency/account.html",
        account=account,
        quicklog_account_id=account.id,
        **pages.account(account, now=clock.now()),
    )


def _departure_args(allowed: set[int]) -> tuple[set[int], list[str]]:
    """The people to simulate from the query string (among `allowed`), and what was wrong."""
    problems: list[str] = []
    wanted: set[int] = set()
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


def _deals_page() -> tuple[int, str | None]:
    """The page of the deals at risk asked for (1 when none), and what was wrong."""
    raw = request.args.get("deals_page")
    if raw is None:
        return 1, None
    number = parse_id(raw)
    if number is None:
        return 1, _("%(value)s is not a page number.", value=raw[:20])
    return number, None


@bp.route("/dependency/departure")
@login_required
def departure():
    _allowed()
    people = pages.people(current_user)
    wanted, problems = _departure_args({p.id for p in people})
    now, problem = _at()
    deals_page, page_problem = _deals_page()
    problems += [p for p in (problem, page_problem) if p]
    context: dict[str, Any] = {"result": None, "figures": pages.FIGURES}
    if wanted and not problems:
        leaving = [p for p in people if p.id in wanted]
        context = pages.departure(
            current_user, leaving, now=now, deals_page=deals_page, at=request.args.get("at", "")
        )
    return render_template(
        "dependency/departure.html",
        people=pages.labelled(people),
        wanted=wanted,
        problems=problems,
        at=request.args.get("at", ""),
        **context,
    ), (422 if problems else 200)
