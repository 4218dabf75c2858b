"""What a decision request's page shows of its deal, so a director decides without hunting: the
deal's exit criteria, its stage history and the decision point asked about with the deal page's
approve / reject form (which comes back to the request). Only for a reader who sees the deal."""

from dataclasses import dataclass
from datetime import datetime

from salesflow import scope
from salesflow.auth.models import User
from salesflow.opportunities import detail as deal_detail
from salesflow.opportunities.detail import DecisionPoint, DetailPage
from salesflow.requests.models import InternalRequest


@dataclass
class DecisionPart:
    deal_page: DetailPage
    point: DecisionPoint | None  # the decision point asked about, if the stage still has it

    @property
    def gates(self):
        return self.deal_page.gates

    @property
    def stage_history(self):
        return self.deal_page.stage_history


def build(user: User, request: InternalRequest, now: datetime) -> DecisionPart | None:
    """The deal's part of a decision request's page for `user`, or None when `user` may not see
    the deal (or it is gone)."""
    deal = request.opportunity
    if deal is None or deal.deleted_at is not None or not scope.can_see_account(user, deal.account):
        return None
    page = deal_detail.build(deal, user, now)
    point = next((p for p in page.decision_points if p.gate.key == request.gate_key), None)
    return DecisionPart(page, point)
