"""API: an account's yearly relationship budget and what its logged contacts cost (API.md,
Account management: GET, PUT /accounts/{id}/budget?year=)."""

from decimal import Decimal

from pydantic import BaseModel, Field

from salesflow import clock, scope
from salesflow.api import bp, caller, token_auth
from salesflow.api.schemas import Strict
from salesflow.key_accounts import spend

ERRORS = {404: "Not found or outside your scope", 422: "Invalid input"}
Amount = Decimal | int | str | None


class BudgetQuery(BaseModel):
    year: int | None = Field(
        None,
        ge=spend.FIRST_YEAR,
        le=spend.LAST_YEAR,
        description="The budget's year; this year when not given.",
    )


class BudgetIn(Strict):
    """The budget in the currencies named (others are kept); an empty amount removes one."""

    amounts: dict[str, Amount] = Field(
        description='Per currency, e.g. {"CNY": "120000.00"}; null or "" removes that budget.',
    )
    versions: dict[str, int] = Field(
        default_factory=dict,
        description="Per currency already budgeted: the `version` you read (409 when stale).",
    )


class BudgetOut(BaseModel):
    account_id: int
    year: int
    amounts: dict[str, str] = Field(description="The budget per currency.")
    versions: dict[str, int]
    spent: dict[str, str] = Field(description="Per currency, from the logged contacts' costs.")
    by_kind: dict[str, dict[str, str]] = Field(
        description="Spent per kind (meal, visit, event, other) and currency."
    )
    left: dict[str, str] = Field(description="Budget − spent per currency (negative: over).")


def as_json(s: spend.Summary) -> dict:
    def texts(values: dict[str, Decimal]) -> dict[str, str]:
        return {c: str(a) for c, a in values.items()}

    return {
        "account_id": s.account_id,
        "year": s.year,
        "amounts": texts(s.amounts),
        "versions": s.versions,
        "spent": texts(s.spent),
        "by_kind": {k: texts(v) for k, v in s.by_kind.items()},
        "left": texts(s.left),
    }


def _year(query: BudgetQuery) -> int:
    return query.year or clock.today(clock.now()).year


@bp.get("/accounts/<int:account_id>/budget")
@bp.auth_required(token_auth)
@bp.input(BudgetQuery, location="query", arg_name="query")
@bp.output(BudgetOut)
@bp.doc(
    summary="The account's relationship budget for a year and what was spent",
    description="Without a budget for that year: `amounts` empty, the spend still counted.",
    responses=ERRORS,
)
def get_account_budget(account_id: int, query: BudgetQuery):
    account = scope.get_account(caller(), account_id)
    return as_json(spend.summary(caller(), account, _year(query)))


@bp.put("/accounts/<int:account_id>/budget")
@bp.auth_required(token_auth)
@bp.input(BudgetQuery, location="query", arg_name="query")
@bp.input(BudgetIn, location="json", arg_name="data")
@bp.output(BudgetOut)
@bp.doc(
    summary="Set the account's budget for a year (send the `versions` you read)",
    description="The director of the account's team, leadership and admins set budgets.",
    responses={**ERRORS, 403: "Not allowed", 409: "Stale version"},
)
def put_account_budget(account_id: int, query: BudgetQuery, data: BudgetIn):
    account = scope.get_account(caller(), account_id)
    year = _year(query)
    spend.save_budget(account, year, data.model_dump(), actor=caller(), now=clock.now())
    return as_json(spend.summary(caller(), account, year))
