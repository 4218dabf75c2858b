"""The figures page of requests between our people (`/requests/figures`), its section on the
pipeline review, and the list of the requests behind each figure: what the templates show,
computed here (STYLE.md rule 15)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.formatting import format_month
from salesflow.requests import figures, kinds, words
from salesflow.requests.figures import Figures, Filters
from salesflow.requests.models import InternalRequest, Status

LIST_PAGE = 50
# The list behind a figure: its title, by what it is grouped.
TITLES: dict[tuple[str, str], Any] = {
    ("received", "person"): _l("Requests %(name)s received"),
    ("done", "person"): _l("Requests %(name)s did"),
    ("on_time", "person"): _l("Requests %(name)s did on time"),
    ("rated", "person"): _l("Requests %(name)s did that were rated"),
    ("rushes", "person"): _l("Rushes %(name)s asked for"),
    ("decided", "person"): _l("Decisions %(name)s took"),
    ("received", "team"): _l("Requests %(name)s received"),
    ("done", "team"): _l("Requests %(name)s did"),
    ("on_time", "team"): _l("Requests %(name)s did on time"),
    ("rated", "team"): _l("Requests %(name)s did that were rated"),
    ("rushes", "team"): _l("Rushes %(name)s asked for"),
    ("closed", "month"): _l("Requests closed in %(name)s"),
}
ARGS = ("team_id", "from", "to")  # the filters a drill-down keeps


@dataclass(frozen=True)
class ListRow:
    id: int
    title: str
    kind: str
    requester: str
    assignee: str
    asked_on: datetime
    needed_by: date
    closed_at: datetime | None
    status: str
    rush: bool
    rating: int | None


def chart(months: list[figures.Month]) -> str:
    """Median turnaround (bars, working days) and average rating (line, 1–5) by month."""
    labels = [format_month(m.month) for m in months]
    figure = go.Figure(
        [
            go.Bar(
                name=_("Median turnaround (working days)"),
                x=labels,
                y=[m.median_turnaround_days for m in months],
            ),
            go.Scatter(
                name=_("Average rating (1–5)"),
                x=labels,
                y=[m.average_rating for m in months],
                yaxis="y2",
                mode="lines+markers",
            ),
        ],
        layout={
            "margin": {"l": 40, "r": 40, "t": 40, "b": 60},
            "height": 320,
            "legend": {"orientation": "h"},
            "title": _("Turnaround and rating by month"),
            "yaxis": {"rangemode": "tozero"},
            # the rating's own scale, 1 to 5, without a second grid
            "yaxis2": {
                "overlaying": "y",
                "side": "right",
                "range": [0, 5.2],
                "dtick": 1,
                "showgrid": False,
            },
        },
    )
    return figure.to_json()


def drill_urls(args: dict[str, str]) -> Callable[[str, str, Any], str]:
    """`drill(figure, by, key)`: the list of the requests behind one figure, under the page's
    filters (the route resolved once: a page links hundreds of numbers)."""
    base = url_for("request_figures.requests")
    kept = [(k, v) for k, v in args.items() if k in ARGS and v]

    def drill(figure: str, by: str, key: Any) -> str:
        return base + "?" + urlencode([("figure", figure), ("by", by), ("key", key), *kept])

    return drill


def page(user: User, filters: Filters, args: dict[str, str], *, now: datetime) -> dict[str, Any]:
    """The figures page's context; LookupError for a team outside the reader's scope."""
    found: Figures = figures.request_figures(user, filters, now=now)
    return {
        "figures": found,
        "chart": chart(found.months),
        "month_names": {m.month: format_month(m.month) for m in found.months},
        "no_team": figures.NO_TEAM,
        "drill": drill_urls(args),
    }


def _title(figure: str, by: str, key: str, names: dict[str, str]) -> str:
    name = format_month(key) if by == "month" else names.get(key) or _("No team")
    return str(TITLES[(figure, by)]) % {"name": name}


def _names(user: User, by: str, filters: Filters) -> dict[str, str]:
    """The names a person's or team's key stands for in the list's title."""
    people = figures.people(user, filters.team_id)
    if by == "team":
        return {str(k): v for k, v in people.teams.items()}
    return {str(k): v for k, v in people.names.items()}


def requests_list(
    user: User, filters: Filters, figure: str, by: str, key: str, cursor: str | None, *, now
) -> dict[str, Any]:
    """The requests behind one figure, a page at a time (oldest first, after `cursor`);
    LookupError for an unknown figure or a team outside the reader's scope."""
    if (figure, by) not in TITLES:
        raise LookupError(figure)
    ids = figures.drill(user, filters, figure, by, key, now=now)
    after = int(cursor) if cursor and cursor.isdigit() else 0
    shown = [i for i in ids if i > after][: LIST_PAGE + 1]
    more = len(shown) > LIST_PAGE
    shown = shown[:LIST_PAGE]
    return {
        "title": _title(figure, by, key, _names(user, by, filters)),
        "count": len(ids),
        "rows": rows(shown),
        "next_cursor": str(shown[-1]) if more else None,
        "period": figures.period(filters, now),
    }


def rows(ids: list[int]) -> list[ListRow]:
    """The requests `ids` with their people's names, in that order: one query."""
    if not ids:
        return []
    requester, assignee = so.aliased(User), so.aliased(User)
    found = {
        r.id: ListRow(
            id=r.id,
            title=r.title,
            kind=kinds.label(r.kind),
            requester=r.requester,
            assignee=r.assignee,
            asked_on=r.created_at,
            needed_by=r.needed_by,
            closed_at=r.done_at,
            status=words.status(Status(r.status)),
            rush=r.rush,
            rating=r.rating,
        )
        for r in db.session.execute(
            sa.select(
                InternalRequest.id,
                InternalRequest.title,
                InternalRequest.kind,
                requester.name.label("requester"),
                assignee.name.label("assignee"),
                InternalRequest.created_at,
                InternalRequest.needed_by,
                InternalRequest.done_at,
                InternalRequest.status,
                InternalRequest.rush,
                InternalRequest.rating,
            )
            .join(requester, requester.id == InternalRequest.requester_id)
            .join(assignee, assignee.id == InternalRequest.assignee_id)
            .where(InternalRequest.id.in_(ids))
        )
    }
    return [found[i] for i in ids if i in found]


def review_section(
    user: User, team_id: int | None, start: date | None, end: date | None, *, now: datetime
) -> dict[str, Any]:
    """The pipeline review's section: the figures per team and the decisions, under the review's
    team and period, each number linking to its requests (none for a team outside the scope)."""
    filters = Filters(team_id=team_id, start=start, end=end)
    args = {
        "team_id": str(team_id or ""),
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
    }
    try:
        found = figures.request_figures(user, filters, now=now)
    except LookupError:
        return {"request_figures": None}
    kept = {k: v for k, v in args.items() if v}
    return {
        "request_figures": found,
        "request_drill": drill_urls(args),
        "request_figures_url": url_for("request_figures.page", **kept),
    }
