"""The figures of requests between our people (`/requests/figures`) and the requests behind each
figure: directors see their team's, leadership and admins every team's, as the pipeline review."""

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden, NotFound
from salesflow.opportunities import queries
from salesflow.requests import report
from salesflow.requests.figures import Filters
from salesflow.validation import parse_day, parse_id

bp = Blueprint("request_figures", __name__)


def _day(name: str, problems: list[str]) -> date | None:
    try:
        return parse_day(request.args.get(name))
    except ValueError as problem:
        problems.append(str(problem))
        return None


def _filters(problems: list[str]) -> Filters:
    """The filters from the query string: a bad period is a problem to show (422), a bad team
    is ignored. Forbidden to those who do not review the pipeline."""
    if not scope.can_review_pipeline(current_user):
        raise Forbidden()
    start, end = _day("from", problems), _day("to", problems)
    if start and end and start > end:
        problems.append(_("The period must start before it ends."))
    return Filters(team_id=parse_id(request.args.get("team_id")), start=start, end=end)


@bp.route("/requests/figures")
@login_required
def page():
    problems: list[str] = []
    filters = _filters(problems)
    context = {}
    if not problems:
        try:
            context = report.page(current_user, filters, request.args.to_dict(), now=clock.now())
        except LookupError:
            raise NotFound() from None
    return render_template(
        "requests/figures.html",
        filters=filters,
        problems=problems,
        args=request.args,
        teams=queries.filter_teams(current_user),
        **context,
    ), (422 if problems else 200)


@bp.route("/requests/figures/list")
@login_required
def requests():
    """The requests behind one figure of the page, a page at a time."""
    problems: list[str] = []
    filters = _filters(problems)
    args = request.args
    found = {}
    if not problems:
        try:
            found = report.requests_list(
                current_user,
                filters,
                args.get("figure", ""),
                args.get("by", ""),
                args.get("key", ""),
                args.get("cursor"),
                now=clock.now(),
            )
        except LookupError:
            raise NotFound() from None
    kept = {k: v for k, v in args.items() if k in report.ARGS and v}
    next_cursor = found.get("next_cursor")
    return render_template(
        "requests/figures_list.html",
        problems=problems,
        back_url=url_for("request_figures.page", **kept),
        next_url=url_for(".requests", **{**args.to_dict(), "cursor": next_cursor})
        if next_cursor
        else None,
        **found,
    ), (422 if problems else 200)
