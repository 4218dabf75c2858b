"""The downloads behind each list's "Export" menu: `<list>/export.csv` and `.xlsx`, under the
query string the page was opened with (its filters and sort; the page cursor is dropped). Each
view reads the filters the way its page does and hands the query to one column spec."""

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required

from salesflow import clock
from salesflow.accounts import queries as account_queries
from salesflow.errors import NotFound, ValidationFailed
from salesflow.exports import files, lists
from salesflow.interactions.forms import from_local
from salesflow.opportunities import queries as opportunity_queries
from salesflow.validation import parse_day, parse_id

bp = Blueprint("exports", __name__)
FORMATS = tuple(files.MIMETYPES)


def _format() -> str:
    return request.path.rsplit(".", 1)[-1]


@bp.app_template_global()
def export_links(kind: str, args: dict[str, Any] | None = None) -> dict[str, str]:
    """The CSV and Excel downloads of list `kind` ("accounts", "contacts", "interactions",
    "opportunities", "drill"), under `args` or else the current page's query string."""
    if args is None:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
    return {fmt: url_for(f"exports.{kind}_{fmt}", **args) for fmt in FORMATS}


@bp.get("/accounts/export.csv", endpoint="accounts_csv")
@bp.get("/accounts/export.xlsx", endpoint="accounts_xlsx")
@login_required
def accounts():
    from salesflow.accounts.views import _filters

    sort = request.args.get("sort")
    listing = lists.accounts(
        current_user,
        _filters(),
        sort=sort if sort in account_queries.SORTS else "name",
        descending=request.args.get("dir") == "desc",
    )
    return files.response(listing, _format(), now=clock.now())


@bp.get("/contacts/export.csv", endpoint="contacts_csv")
@bp.get("/contacts/export.xlsx", endpoint="contacts_xlsx")
@login_required
def contacts():
    q = (request.args.get("q") or "").replace("\x00", "").strip()[:200] or None
    listing = lists.contacts(current_user, account_id=_id("account_id"), q=q)
    return files.response(listing, _format(), now=clock.now())


def _id(name: str) -> int | None:
    """An id filter: absent is None; anything but an id names no record (404)."""
    raw = request.args.get(name)
    if not raw:
        return None
    if (number := parse_id(raw)) is None:
        raise NotFound()
    return number


def _day_bounds() -> tuple[datetime | None, datetime | None]:
    """`since` and `until` as local days (YYYY-MM-DD, both included) → [start, end) in UTC; a
    bad date is refused in words (422), never silently widened to everything."""
    problems: dict[str, list[str]] = {}
    bounds: list[datetime | None] = []
    for name, extra in (("since", 0), ("until", 1)):
        try:
            day = parse_day(request.args.get(name))
        except ValueError as problem:
            problems[name] = [str(problem)]
            day = None
        start = None if day is None else datetime.combine(day + timedelta(days=extra), time())
        bounds.append(from_local(start))
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    return bounds[0], bounds[1]


@bp.get("/interactions/export.csv", endpoint="interactions_csv")
@bp.get("/interactions/export.xlsx", endpoint="interactions_xlsx")
@login_required
def interactions():
    from salesflow import scope

    account_id = _id("account_id")
    if account_id is not None:
        scope.get_account(current_user, account_id)  # 404 outside the scope, as the API
    since, until = _day_bounds()
    listing = lists.interactions(
        current_user,
        account_id=account_id,
        contact_id=_id("contact_id"),
        mine=request.args.get("mine") == "1",
        since=since,
        until=until,
    )
    return files.response(listing, _format(), now=clock.now())


@bp.get("/opportunities/export.csv", endpoint="opportunities_csv")
@bp.get("/opportunities/export.xlsx", endpoint="opportunities_xlsx")
@login_required
def opportunities():
    from salesflow.opportunities.views import filters_from_args

    sort = request.args.get("sort")
    now = clock.now()
    listing = lists.opportunities(
        opportunity_queries.list_query(current_user, filters_from_args()),
        sort=sort if sort in opportunity_queries.SORTS else "close",
        descending=request.args.get("dir") == "desc",
        now=now,
    )
    return files.response(listing, _format(), now=now)


@bp.get("/pipeline/review/deals/export.csv", endpoint="drill_csv")
@bp.get("/pipeline/review/deals/export.xlsx", endpoint="drill_xlsx")
@login_required
def drill():
    """The deals behind one number of the pipeline review, as its page lists them."""
    from salesflow.opportunities.views import _filter_options
    from salesflow.pipeline import figures
    from salesflow.pipeline import views as review

    problems: list[str] = []
    filters = review._filters(_filter_options(), problems)  # Forbidden for reps
    figure, key = request.args.get("figure", ""), request.args.get("key")
    if figure not in review.TITLES:
        raise NotFound()
    if problems:
        raise ValidationFailed(problems[0])
    now = clock.now()
    try:
        query = figures.drill(current_user, filters, figure, key, now=now)
    except LookupError:
        raise NotFound() from None
    sort = request.args.get("sort", "stage_age" if figure == "late" else "close")
    listing = lists.opportunities(
        query,
        sort=sort if sort in opportunity_queries.SORTS else "close",
        descending=request.args.get("dir") == "desc",
        now=now,
        name=f"pipeline-{figure}",
    )
    return files.response(listing, _format(), now=now)
