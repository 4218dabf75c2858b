"""API: an account's register of expectations and perceptions with its satisfaction trend (API.md,
Account management: GET, POST /accounts/{id}/expectations)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from salesflow import clock, scope
from salesflow.api import bp, caller, token_auth
from salesflow.api.schemas import BodyId, Day, Moment, Strict, text
from salesflow.key_accounts import expectations as services
from salesflow.key_accounts import expectations_satisfaction as satisfaction
from salesflow.key_accounts.expectations_models import (
    AccountExpectation,
    ExpectationCategory,
    OwnerRole,
    PerceptionSource,
)

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}


class ExpectationIn(Strict):
    statement: text(AccountExpectation.statement, required=True)
    category: ExpectationCategory
    owner_role: OwnerRole
    due: Day | None = None


class PerceptionIn(Strict):
    perceived: int = Field(strict=True, ge=1, le=5)
    expected: int = Field(strict=True, ge=1, le=5)
    source: PerceptionSource
    at: Moment | None = Field(None, description="When; now when not given, never in the future.")
    contact_id: BodyId | None = None
    interaction_id: BodyId | None = None


class RegisterIn(Strict):
    """Exactly one of: a new expectation, or a perception record."""

    expectation: ExpectationIn | None = None
    perception: PerceptionIn | None = None

    @model_validator(mode="after")
    def _one(self) -> "RegisterIn":
        if (self.expectation is None) == (self.perception is None):
            raise ValueError("Send either an expectation or a perception.")
        return self


class ExpectationOut(BaseModel):
    id: int
    statement: str
    category: str
    owner_role: str
    due: date | None
    status: str
    interaction_id: int | None
    request_id: int | None
    created_at: datetime
    closed_at: datetime | None
    version: int


class PerceptionOut(BaseModel):
    id: int
    contact_id: int | None
    perceived: int
    expected: int
    gap: int
    source: str
    at: datetime
    interaction_id: int | None


class QuarterOut(BaseModel):
    quarter: date
    gap: float | None
    records: int


class SatisfactionOut(BaseModel):
    gap: float | None = Field(description="Mean perceived − expected over the last four quarters.")
    records: int
    quarters: list[QuarterOut]


class RegisterOut(BaseModel):
    account_id: int
    expectations: list[ExpectationOut]
    perceptions: list[PerceptionOut]
    satisfaction: SatisfactionOut


def _register(account_id: int) -> dict[str, Any]:
    now = clock.now()
    found = services.expectations_of([account_id]).get(account_id, [])
    trend = satisfaction.for_accounts([account_id], now).get(account_id) or satisfaction.empty(now)
    return {
        "account_id": account_id,
        "expectations": [ExpectationOut.model_validate(e, from_attributes=True) for e in found],
        "perceptions": [
            PerceptionOut.model_validate(p, from_attributes=True)
            for p in services.perceptions_of(account_id)
        ],
        "satisfaction": {
            "gap": trend.gap,
            "records": trend.records,
            "quarters": [vars(p) for p in trend.points],
        },
    }


@bp.get("/accounts/<int:account_id>/expectations")
@bp.auth_required(token_auth)
@bp.output(RegisterOut)
@bp.doc(
    summary="The account's expectations, perception records and satisfaction by quarter",
    description="Expectations open first, then by due date; perceptions newest first (200).",
    responses=ERRORS,
)
def get_account_expectations(account_id: int):
    account = scope.get_account(caller(), account_id)
    return _register(account.id)


@bp.post("/accounts/<int:account_id>/expectations")
@bp.auth_required(token_auth)
@bp.input(RegisterIn, location="json", arg_name="data")
@bp.output(RegisterOut, status_code=201)
@bp.doc(
    summary="Register a customer expectation, or record a perception (perceived vs expected)",
    responses={**ERRORS, 403: "Not allowed"},
)
def post_account_expectations(account_id: int, data: RegisterIn):
    account = scope.get_account(caller(), account_id)
    now = clock.now()
    if data.expectation is not None:
        services.add_expectation(account, data.expectation.model_dump(), actor=caller(), now=now)
    else:
        assert data.perception is not None
        body = data.perception.model_dump()
        services.record_perception(account, body, actor=caller(), now=now)
    return _register(account.id), 201
