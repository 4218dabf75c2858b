"""API: the yearly account plan with its objectives' measured progress (API.md, Account
management: GET, PUT /accounts/{id}/plan?year=)."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import bp, caller, token_auth
from salesflow.api.schemas import Day, Strict, Version, text
from salesflow.key_accounts import plans_pages, plans_services
from salesflow.key_accounts.plans_models import AccountPlan, ObjectiveKind, PlanObjective

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}


class PlanQuery(BaseModel):
    year: int | None = Field(
        None,
        ge=plans_services.FIRST_YEAR,
        le=plans_services.LAST_YEAR,
        description="The plan's year; this year when not given.",
    )


class ObjectiveIn(Strict):
    kind: ObjectiveKind
    title: text(PlanObjective.title, required=True)
    due: Day
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="contact_attitude: contact_id, attitude (neutral, supporter, champion); "
        "decision_makers_held: people (1 to 10); executive_exchange: none.",
    )


class PlanIn(Strict):
    """The whole plan: PUT replaces its texts (an omitted one is cleared) and objectives."""

    version: Version | None = Field(None, description="Required once the plan exists.")
    vision: text(AccountPlan.vision) | None = None
    priorities: text(AccountPlan.priorities) | None = None
    strengths: text(AccountPlan.strengths) | None = None
    weaknesses: text(AccountPlan.weaknesses) | None = None
    opportunities: text(AccountPlan.opportunities) | None = None
    threats: text(AccountPlan.threats) | None = None
    objectives: list[ObjectiveIn] = Field(
        default_factory=list, max_length=plans_services.MAX_OBJECTIVES
    )


class ObjectiveOut(BaseModel):
    id: int
    kind: str
    title: str
    due: date
    params: dict[str, Any]
    progress: float
    met: bool
    behind: bool


class SuggestionsOut(BaseModel):
    weaknesses: list[str]
    threats: list[str]


class PlanOut(BaseModel):
    account_id: int
    year: int
    version: int | None
    vision: str | None
    priorities: str | None
    strengths: str | None
    weaknesses: str | None
    opportunities: str | None
    threats: str | None
    objectives: list[ObjectiveOut]
    progress: float | None
    suggestions: SuggestionsOut


def _year(query: PlanQuery) -> int:
    return query.year or clock.today(clock.now()).year


@bp.get("/accounts/<int:account_id>/plan")
@bp.auth_required(token_auth)
@bp.input(PlanQuery, location="query", arg_name="query")
@bp.output(PlanOut)
@bp.doc(
    summary="The account's plan for a year, each objective's progress measured by the data",
    description="Without a plan for that year: `version` null, no objectives, the suggestions.",
    responses=ERRORS,
)
def get_account_plan(account_id: int, query: PlanQuery):
    account = scope.get_account(caller(), account_id)
    now = clock.now()
    return plans_pages.as_json(plans_pages.build(account, caller(), _year(query), now))


@bp.put("/accounts/<int:account_id>/plan")
@bp.auth_required(token_auth)
@bp.input(PlanQuery, location="query", arg_name="query")
@bp.input(PlanIn, location="json", arg_name="data")
@bp.output(PlanOut)
@bp.doc(
    summary="Create or replace the account's plan for a year (send the `version` you read)",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def put_account_plan(account_id: int, query: PlanQuery, data: PlanIn):
    account = scope.get_account(caller(), account_id)
    now, year = clock.now(), _year(query)
    plans_services.save_plan(account, year, data.model_dump(), actor=caller(), now=now)
    return plans_pages.as_json(plans_pages.build(account, caller(), year, now))
