"""The figures of requests between our people (issue 16; docs/figures.md, "Requests"): per person
and per team, how many requests were received and done, the on-time rate, the median turnaround
and lead time in working days, the rushes a person asked for and the average rating; per director,
the median time to decide; by month, the turnaround and the rating.

Set-wise: one query for the people in scope, one for their requests of the period, then pure
Python over the rows (medians are not portable SQL). The drill-downs classify the same rows with
the same predicates, so each lists exactly the requests its figure counts.

A request counts in the period it was asked (its `created_at`, on the company calendar); by month,
in the month it was closed (done or declined). Directors see their team, leadership and admins
every team: the assignee's team for what was received and decided, the requester's for rushes.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from statistics import median
from typing import Any

import sqlalchemy as sa

from salesflow import clock, scope
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.requests.models import DECISION, InternalRequest, Status
from salesflow.teams.models import Team

PERIOD_DAYS = 90  # the default period, as the pipeline review's: the 90 days up to today
NO_TEAM = 0  # the team key of people on no team (leadership asked for a service)


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    start: date | None = None  # both days included
    end: date | None = None


@dataclass(slots=True)
class Asked:
    """One request of the period, as the figures read it (company-calendar days)."""

    id: int
    kind: str
    assignee_id: int
    requester_id: int
    status: Status
    created: date
    needed_by: date
    closed: date | None  # the day it was done or declined
    rush: bool
    rating: int | None
    turnaround: int | None = None  # working days from asked to done (0: the same day)
    lead: int = 0  # the working days the requester left: from asked to needed by
    counts: frozenset[str] = frozenset()  # the figures it counts in (counted_in)

    @property
    def service(self) -> bool:
        return self.kind != DECISION


FIGURES = ("received", "done", "on_time", "rated", "rushes", "decided", "closed")


def counted_in(r: Asked) -> frozenset[str]:
    """The figures a request counts in (FIGURES); the drill-downs list the requests a figure's
    name is in, so each lists exactly what its number counts."""
    if r.kind == DECISION:
        return frozenset(("decided",)) if r.status == Status.done else frozenset()
    figures = ["received"]
    if r.status == Status.done:
        figures.append("done")
        if r.closed is not None and r.closed <= r.needed_by:
            figures.append("on_time")
    if r.rating is not None:
        figures.append("rated")
    if r.rush:
        figures.append("rushes")
    if r.closed is not None:
        figures.append("closed")
    return frozenset(figures)


BY = ("person", "team", "month")


@dataclass(frozen=True)
class Line:
    """The figures of one person or team (or, for decisions, one director)."""

    key: int
    name: str
    received: int
    done: int
    on_time: int
    median_turnaround_days: float | None
    median_lead_days: float | None
    rushes: int
    rated: int
    average_rating: float | None
    decided: int
    median_decision_days: float | None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None


@dataclass(frozen=True)
class Month:
    month: str  # "2026-11"
    closed: int
    median_turnaround_days: float | None
    rated: int
    average_rating: float | None


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    people: list[Line]
    teams: list[Line]
    directors: list[Line]  # decisions
    months: list[Month]


@dataclass(frozen=True)
class People:
    """Who is in scope: id → (name, team key), and team key → name."""

    names: dict[int, str]
    team_of: dict[int, int]
    teams: dict[int, str]


def period(filters: Filters, now: datetime) -> tuple[date, date]:
    """The first and last day of the period (default: the 90 days up to today)."""
    end = filters.end or clock.today(now)
    return filters.start or end - timedelta(days=PERIOD_DAYS - 1), end


def people(user: User, team_id: int | None) -> People:
    """The people whose figures `user` may see; LookupError for a team they may not see."""
    if team_id is not None and (
        db.session.scalar(sa.select(Team.id).where(Team.id == team_id, scope.visible_teams(user)))
        is None
    ):
        raise LookupError(team_id)
    query = (
        sa.select(User.id, User.name, User.team_id, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(scope.visible_people(user))
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    names, team_of, teams = {}, {}, {}
    for person_id, name, team, team_name in db.session.execute(query):
        names[person_id], team_of[person_id] = name, team or NO_TEAM
        teams[team or NO_TEAM] = team_name or ""
    return People(names, team_of, teams)


def _rows(people: People, start: date, end: date) -> list[Asked]:
    """The requests asked in the period that someone in scope received or asked for."""
    tz = clock.zone()
    ids = sorted(people.names)
    if not ids:
        return []
    query = sa.select(
        InternalRequest.id,
        InternalRequest.kind,
        InternalRequest.assignee_id,
        InternalRequest.requester_id,
        InternalRequest.status,
        InternalRequest.created_at,
        InternalRequest.needed_by,
        InternalRequest.done_at,
        InternalRequest.rush,
        InternalRequest.rating,
    ).where(
        InternalRequest.created_at >= datetime.combine(start, datetime.min.time(), tz),
        InternalRequest.created_at
        < datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
        sa.or_(InternalRequest.assignee_id.in_(ids), InternalRequest.requester_id.in_(ids)),
    )
    working_days = cache(clock.working_days_between)  # many requests share their days
    found = []
    rows = db.session.execute(query.order_by(InternalRequest.id))
    for (
        id_,
        kind,
        assignee,
        requester,
        status,
        created_at,
        needed_by,
        done_at,
        rush,
        rating,
    ) in rows:
        created = clock.today(created_at)
        closed = clock.today(done_at) if done_at is not None else None
        asked = Asked(
            id=id_,
            kind=kind,
            assignee_id=assignee,
            requester_id=requester,
            status=status,
            created=created,
            needed_by=needed_by,
            closed=closed,
            rush=rush,
            rating=rating,
            turnaround=working_days(created, closed)
            if status == Status.done and closed is not None
            else None,
            lead=working_days(created, needed_by),
        )
        asked.counts = counted_in(asked)
        found.append(asked)
    return found


def key_of(people: People, figure: str, by: str, row: Asked) -> Any:
    """The person, team or month a row counts under in `figure`: a rush counts for whoever
    asked, every other figure for whoever was asked; by month, the month it was closed. None:
    outside the scope."""
    person = row.requester_id if figure == "rushes" else row.assignee_id
    if by == "month":
        closed = row.closed.strftime("%Y-%m") if row.closed is not None else None
        return closed if row.assignee_id in people.names else None
    if person not in people.names:
        return None
    return person if by == "person" else people.team_of[person]


def _average(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def _line(key: int, name: str, counted: dict[str, list[Asked]]) -> Line:
    done, rated, decided = counted["done"], counted["rated"], counted["decided"]
    return Line(
        key=key,
        name=name,
        received=len(counted["received"]),
        done=len(done),
        on_time=len(counted["on_time"]),
        median_turnaround_days=_median([r.turnaround for r in done if r.turnaround is not None]),
        median_lead_days=_median([r.lead for r in counted["received"]]),
        rushes=len(counted["rushes"]),
        rated=len(rated),
        average_rating=_average([r.rating for r in rated if r.rating is not None]),
        decided=len(decided),
        median_decision_days=_median([r.turnaround for r in decided if r.turnaround is not None]),
    )


def _grouped(people: People, rows: Iterable[Asked], by: str) -> dict[Any, dict[str, list[Asked]]]:
    groups: dict[Any, dict[str, list[Asked]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for figure in row.counts:
            if (key := key_of(people, figure, by, row)) is not None:
                groups[key][figure].append(row)
    return groups


def _lines(groups: dict[Any, dict[str, list[Asked]]], names: dict[int, str]) -> list[Line]:
    lines = [_line(key, names.get(key, ""), counted) for key, counted in groups.items()]
    return sorted(lines, key=lambda line: (line.name.casefold(), line.key))


def _months(groups: dict[Any, dict[str, list[Asked]]]) -> list[Month]:
    months = []
    for month in sorted(groups):
        closed = groups[month]["closed"]
        done = [r.turnaround for r in closed if r.turnaround is not None]
        ratings = [r.rating for r in closed if r.rating is not None]
        months.append(Month(month, len(closed), _median(done), len(ratings), _average(ratings)))
    return months


def request_figures(user: User, filters: Filters, *, now: datetime) -> Figures:
    """Every figure of the period for the people `user` may see (two queries); LookupError
    for a team outside their scope."""
    start, end = period(filters, now)
    in_scope = people(user, filters.team_id)
    rows = _rows(in_scope, start, end)
    by_person = _grouped(in_scope, rows, "person")
    service = {key: counted for key, counted in by_person.items() if _serves(counted)}
    deciders = {key: counted for key, counted in by_person.items() if counted["decided"]}
    return Figures(
        start=start,
        end=end,
        people=_lines(service, in_scope.names),
        teams=_lines(_grouped(in_scope, [r for r in rows if r.service], "team"), in_scope.teams),
        directors=_lines(deciders, in_scope.names),
        months=_months(_grouped(in_scope, rows, "month")),
    )


def _serves(counted: dict[str, list[Asked]]) -> bool:
    """Whether a person has a line among the people: received a request or asked one as a rush."""
    return bool(counted["received"] or counted["rushes"])


def drill(
    user: User, filters: Filters, figure: str, by: str, key: str, *, now: datetime
) -> list[int]:
    """The ids of the requests behind one figure (`figure` of the person, team or month `key`),
    oldest first; LookupError for an unknown figure or a team outside the scope."""
    if figure not in FIGURES or by not in BY:
        raise LookupError(figure)
    start, end = period(filters, now)
    in_scope = people(user, filters.team_id)
    return [
        row.id
        for row in _rows(in_scope, start, end)
        if figure in row.counts and str(key_of(in_scope, figure, by, row)) == key
    ]
