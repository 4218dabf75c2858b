"""API: the pipeline report (API.md `GET /reports/pipeline`, PRODUCT.md "Pipeline figures")."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from salesflow import scope
from salesflow.api import bp, caller, token_auth
from salesflow.api.reports import AT, evaluation_time
from salesflow.api.schemas import Day, Id, Moment
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.pipeline import figures

ERRORS = {403: "Reps do not see the pipeline review", 422: "Invalid input"}


class PipelineFilter(BaseModel):
    at: Moment | None = Field(None, description=AT)
    team_id: Id | None = None
    user_id: Id | None = Field(None, description="Deals where this person holds a role.")
    playbook: str | None = Field(None, max_length=60, description="A playbook key.")
    start: Day | None = Field(None, alias="from", description="First day of the period.")
    end: Day | None = Field(None, alias="to", description="Last day of the period.")


class PipelineStageOut(BaseModel):
    playbook: str
    stage: str
    count: int
    amount: dict[str, str] = Field(description="Open amount per currency (ISO 4217).")
    weighted_amount: dict[str, str] = Field(description="Amount × stage probability.")
    breaches: int = Field(description="Open deals longer in the stage than its sla_days.")


class OverrideOut(BaseModel):
    opportunity_id: int
    at: datetime
    from_stage: str | None
    to_stage: str
    reason: str | None


class ComplianceOut(BaseModel):
    advances: int
    met_every_gate: int
    share: float | None
    overrides: list[OverrideOut]


class PipelineOut(BaseModel):
    stages: list[PipelineStageOut]
    gate_compliance: ComplianceOut


def _money(amounts: dict[str, Any]) -> dict[str, str]:
    return {currency: str(value) for currency, value in amounts.items()}


@bp.get("/reports/pipeline")
@bp.auth_required(token_auth)
@bp.input(PipelineFilter, location="query", arg_name="filters")
@bp.output(PipelineOut)
@bp.doc(
    summary="Per stage of each playbook: count, amount, weighted amount, breaches; gate compliance",
    description="Directors see their team, leadership every team. Amounts per currency. Gate "
    "compliance counts the forward advances of the period (`from`, `to`; default the last 90 "
    "days).",
    responses=ERRORS,
)
def pipeline_report(filters: PipelineFilter):
    user = caller()
    if not scope.can_review_pipeline(user):
        raise Forbidden()
    now = evaluation_time(filters.at)
    if filters.start and filters.end and filters.start > filters.end:
        raise ValidationFailed(fields={"from": [_("The period must start before it ends.")]})
    chosen = figures.Filters(
        team_id=filters.team_id,
        user_id=filters.user_id,
        playbook=filters.playbook,
        start=filters.start,
        end=filters.end,
    )
    compliance = figures.gate_compliance(user, chosen, now=now)
    return {
        "stages": [
            {
                "playbook": s.playbook,
                "stage": s.stage,
                "count": s.count,
                "amount": _money(s.amount),
                "weighted_amount": _money(s.weighted),
                "breaches": s.breaches,
            }
            for s in figures.funnel(user, chosen, now=now)
        ],
        "gate_compliance": {
            "advances": compliance.advances,
            "met_every_gate": compliance.met,
            "share": compliance.share,
            "overrides": [
                {
                    "opportunity_id": change.opportunity_id,
                    "at": change.at,
                    "from_stage": change.from_stage,
                    "to_stage": change.to_stage,
                    "reason": change.reason,
                }
                for change, _name in compliance.overrides
            ],
        },
    }
