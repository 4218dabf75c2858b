"""API: the dependency report, the departure simulation (API.md, PRODUCT.md definitions) and the
figures of requests between our people (API.md, issue 16)."""

from datetime import date, datetime
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import _encode_cursor, bp, caller, page_params, token_auth
from salesflow.api.schemas import BodyId, Day, Id, Moment, Strict
from salesflow.dependency import queries
from salesflow.dependency.metrics import AccountDeparture, AccountMetrics
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.requests import figures as request_figures

AT = "Evaluate as of this time (ISO 8601 with offset); default now. Makes the report repeatable."
ERRORS = {403: "Reps do not see the dependency reports", 422: "Invalid input"}


class DependencyFilter(BaseModel):
    at: Moment | None = Field(None, description=AT)
    team_id: Id | None = None
    tier: str | None = Field(None, pattern="^[ABC]$")
    risk: str | None = Field(None, pattern="^(low|medium|high)$")
    holder_id: Id | None = None
    limit: int | None = None
    cursor: str | None = None


class DependencyOut(BaseModel):
    account_id: int
    top_share: float | None
    holder_id: int | None
    effective_holders: float | None
    key_contacts: int
    uncovered_key_contacts: list[int]
    single_threaded_key_contacts: list[int]
    multi_threaded_coverage: float | None
    bus_factor: int
    risk: str


class DependencyPage(BaseModel):
    items: list[DependencyOut]
    next_cursor: str | None


class DepartureIn(Strict):
    user_ids: Annotated[list[BodyId], Field(min_length=1, max_length=100)]
    at: Moment | None = Field(None, description=AT)


class DepartureAccountOut(BaseModel):
    account_id: int
    risk_before: str
    risk_after: str
    newly_uncovered_key_contacts: list[int]
    holder_left: bool


class DepartureOut(BaseModel):
    accounts: list[DepartureAccountOut]
    pipeline_at_risk_amount: dict[str, str] = Field(description="Per currency (ISO 4217).")
    pipeline_at_risk_weighted: dict[str, str] = Field(description="Per currency (ISO 4217).")
    opportunity_ids: list[int]


def evaluation_time(at: datetime | None) -> datetime:
    """`at` when given (a Moment: with its offset, within range), else now."""
    return clock.now() if at is None else at


def _allowed() -> None:
    if not scope.can_see_dependency(caller()):
        raise Forbidden()


def dependency_out(m: AccountMetrics) -> dict[str, Any]:
    return {
        "account_id": m.account_id,
        "top_share": m.top_share,
        "holder_id": m.holder_id,
        "effective_holders": m.effective_holders,
        "key_contacts": len(m.key_contacts),
        "uncovered_key_contacts": list(m.uncovered_key_contacts),
        "single_threaded_key_contacts": list(m.single_threaded_key_contacts),
        "multi_threaded_coverage": m.multi_threaded_coverage,
        "bus_factor": m.bus_factor,
        "risk": m.risk.name,
    }


@bp.get("/reports/dependency")
@bp.auth_required(token_auth)
@bp.input(DependencyFilter, location="query", arg_name="filters")
@bp.output(DependencyPage)
@bp.doc(
    summary="Rep dependency per account you may see, by account id",
    description="PRODUCT.md, Dependency analytics. Paginated by `limit` and `cursor`.",
    responses=ERRORS,
)
def dependency_report(filters: DependencyFilter):
    _allowed()
    now = evaluation_time(filters.at)
    limit, after = page_params()
    query_filters = queries.ReportFilters(
        team_id=filters.team_id, tier=filters.tier, risk=filters.risk, holder_id=filters.holder_id
    )
    results = queries.account_metrics_page(
        caller(), query_filters, now=now, after=after, limit=limit
    )
    more = len(results) > limit
    results = results[:limit]
    return {
        "items": [dependency_out(m) for m in results],
        "next_cursor": _encode_cursor(results[-1].account_id) if more else None,
    }


def departure_out(d: AccountDeparture) -> dict[str, Any]:
    return {
        "account_id": d.account_id,
        "risk_before": d.before.risk.name,
        "risk_after": d.after.risk.name,
        "newly_uncovered_key_contacts": list(d.newly_uncovered_key_contacts),
        "holder_left": d.holder_left,
    }


@bp.post("/reports/departure")
@bp.auth_required(token_auth)
@bp.input(DepartureIn, location="json", arg_name="data")
@bp.output(DepartureOut)
@bp.doc(
    summary="What the departure or rotation of these people puts at risk",
    description="PRODUCT.md, Departure simulation: every account they touch, worst first.",
    responses=ERRORS,
)
def departure_report(data: DepartureIn):
    _allowed()
    now = evaluation_time(data.at)
    result = queries.departure(caller(), set(data.user_ids), now=now)
    return {
        "accounts": [departure_out(d) for d in result.accounts],
        "pipeline_at_risk_amount": {c: str(v) for c, v in result.pipeline_at_risk_amount.items()},
        "pipeline_at_risk_weighted": {
            c: str(v) for c, v in result.pipeline_at_risk_weighted.items()
        },
        "opportunity_ids": result.opportunity_ids,
    }


class RequestsFilter(BaseModel):
    team_id: Id | None = Field(None, description="The people of this team.")
    start: Day | None = Field(None, alias="from", description="First day of the period.")
    end: Day | None = Field(None, alias="to", description="Last day of the period.")


class RequestFiguresOut(BaseModel):
    count: int = Field(description="Requests received (asked in the period; decisions apart).")
    done: int
    on_time_rate: float | None = Field(description="Done on or before needed_by, among done.")
    median_turnaround_days: float | None = Field(description="Working days, asked to done.")
    median_lead_days: float | None = Field(description="Working days, asked to needed_by.")
    rushes: int = Field(description="Requests asked as a rush (by the person, or the team).")
    average_rating: float | None


class AssigneeFiguresOut(RequestFiguresOut):
    user_id: int


class TeamFiguresOut(RequestFiguresOut):
    team_id: int | None = Field(description="None: people on no team.")


class DecisionFiguresOut(BaseModel):
    director_id: int
    decided: int
    median_decision_days: float | None = Field(description="Working days, asked to decided.")


class MonthFiguresOut(BaseModel):
    month: str = Field(description="YYYY-MM: the month requests were closed (done or declined).")
    closed: int
    median_turnaround_days: float | None
    average_rating: float | None


class RequestsReportOut(BaseModel):
    start: date = Field(description="First day of the period.")
    end: date = Field(description="Last day of the period.")
    assignees: list[AssigneeFiguresOut]
    teams: list[TeamFiguresOut]
    decisions: list[DecisionFiguresOut]
    months: list[MonthFiguresOut]


def _figures_out(line: request_figures.Line) -> dict[str, Any]:
    return {
        "count": line.received,
        "done": line.done,
        "on_time_rate": line.on_time_rate,
        "median_turnaround_days": line.median_turnaround_days,
        "median_lead_days": line.median_lead_days,
        "rushes": line.rushes,
        "average_rating": line.average_rating,
    }


@bp.get("/reports/requests")
@bp.auth_required(token_auth)
@bp.input(RequestsFilter, location="query", arg_name="filters")
@bp.output(RequestsReportOut)
@bp.doc(
    summary="Requests between our people: per assignee and per team, decisions, by month",
    description="Directors see their team, leadership every team. Requests count in the period "
    "they were asked (`from`, `to`; default the last 90 days); a person's rushes are those they "
    "asked for. docs/figures.md defines each figure.",
    responses={**ERRORS, 403: "Reps do not see the request figures", 404: "No such team"},
)
def requests_report(filters: RequestsFilter):
    user = caller()
    if not scope.can_review_pipeline(user):
        raise Forbidden()
    if filters.start and filters.end and filters.start > filters.end:
        raise ValidationFailed(fields={"from": [_("The period must start before it ends.")]})
    chosen = request_figures.Filters(team_id=filters.team_id, start=filters.start, end=filters.end)
    try:
        found = request_figures.request_figures(user, chosen, now=clock.now())
    except LookupError:
        raise NotFound() from None
    return {
        "start": found.start,
        "end": found.end,
        "assignees": [{"user_id": line.key, **_figures_out(line)} for line in found.people],
        "teams": [{"team_id": line.key or None, **_figures_out(line)} for line in found.teams],
        "decisions": [
            {
                "director_id": line.key,
                "decided": line.decided,
                "median_decision_days": line.median_decision_days,
            }
            for line in found.directors
        ],
        "months": [
            {
                "month": m.month,
                "closed": m.closed,
                "median_turnaround_days": m.median_turnaround_days,
                "average_rating": m.average_rating,
            }
            for m in found.months
        ],
    }
