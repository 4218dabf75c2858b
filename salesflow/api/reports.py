"""API: the dependency report and the departure simulation (API.md, PRODUCT.md definitions)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import _encode_cursor, bp, caller, page_params, token_auth
from salesflow.api.schemas import BodyId, Id, Moment, Strict
from salesflow.dependency import queries
from salesflow.dependency.metrics import AccountDeparture, AccountMetrics
from salesflow.errors import Forbidden

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
