"""Decisions asked of a director (PLAYBOOKS.md, Gates: `approval`). A decision point's state is
its latest record (`Approval`, never changed); asking for it also makes a request between our
people of kind `decision` to the team's director (salesflow.requests), which deciding closes —
one home for what waits, in the inbox as on My day, the review and the board.

A decision is *pending* while its request is open, on an open deal still in the stage it was
asked in. Pending decisions are what a director is shown (My day, the review) and what the
deal's JSON lists, read as one query over the requests.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import links, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.notifications import services as notifications
from salesflow.opportunities.models import Approval, Decision, Opportunity, Status
from salesflow.playbooks import gates as g
from salesflow.playbooks import registry
from salesflow.requests.models import DECISION, OPEN_STATUSES, InternalRequest

ANCHOR = "#decisions"  # the deal page's decision points


@dataclass(frozen=True)
class PendingDecision:
    """One decision asked and not answered yet: who asked, on which deal, for which point (its
    request: `request_id`, needed by `needed_by`)."""

    request_id: int
    opportunity_id: int
    opportunity_name: str
    account_id: int
    account_name: str
    amount: Decimal | None
    currency: str
    stage_key: str
    gate_key: str
    gate_name: Mapping[str, str]  # the playbook's text, per language
    requester_id: int
    requester_name: str
    asked_at: datetime
    comment: str | None
    needed_by: date

    @property
    def link(self) -> str:
        """The deal page at its decision points."""
        return links.path("opportunities.detail", opportunity_id=self.opportunity_id) + ANCHOR


def latest(opportunity_id: int, gate_key: str) -> Approval | None:
    """The latest record of one decision point (a request, an approval or a rejection)."""
    return db.session.scalar(
        sa.select(Approval)
        .where(Approval.opportunity_id == opportunity_id, Approval.gate_key == gate_key)
        .options(so.joinedload(Approval.actor))
        .order_by(Approval.at.desc(), Approval.id.desc())
        .limit(1)
    )


def pending_query() -> sa.Select[Any]:
    """(InternalRequest, Opportunity, Account, User who asked) of every pending decision."""
    return (
        sa.select(InternalRequest, Opportunity, Account, User)
        .join(Opportunity, Opportunity.id == InternalRequest.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .join(User, User.id == InternalRequest.requester_id)
        .where(
            InternalRequest.kind == DECISION,
            InternalRequest.status.in_(sorted(OPEN_STATUSES)),
            InternalRequest.stage_key == Opportunity.stage_key,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
        )
        .order_by(InternalRequest.created_at, InternalRequest.id)
    )


def _gate(opportunity: Opportunity, stage_key: str, gate_key: str) -> g.ApprovalGate | None:
    stage = registry.playbook(opportunity.playbook_version).stage(stage_key)
    return next(
        (x for x in stage.exit if isinstance(x, g.ApprovalGate) and x.key == gate_key), None
    )


def _read(query: sa.Select[Any]) -> list[PendingDecision]:
    rows = []
    for request, deal, account, asker in db.session.execute(query):
        gate = _gate(deal, request.stage_key, request.gate_key)
        if gate is None:  # the deal's playbook version no longer has this decision point
            continue
        rows.append(
            PendingDecision(
                request_id=request.id,
                opportunity_id=deal.id,
                opportunity_name=deal.name,
                account_id=account.id,
                account_name=account.name,
                amount=deal.amount,
                currency=deal.currency,
                stage_key=request.stage_key,
                gate_key=request.gate_key,
                gate_name=gate.name,
                requester_id=asker.id,
                requester_name=asker.name,
                asked_at=request.created_at,
                comment=request.details,
                needed_by=request.needed_by,
            )
        )
    return rows


def pending_decisions(user: User) -> list[PendingDecision]:
    """The decisions waiting for `user`: pending requests on the deals they may decide
    (scope.can_decide: the director of the account's team, or an admin), oldest first."""
    return _read(pending_query().where(scope.decided_accounts(user)))


def waiting_in(
    user: User, *, team_id: int | None = None, limit: int | None = None
) -> tuple[list[PendingDecision], int]:
    """The pending requests on the deals `user` may see (the review's "Decisions waiting"), of
    one team when `team_id` is given, oldest first: the first `limit` of them (all without
    one), and how many there are."""
    query = pending_query().where(scope.visible_accounts(user))
    if team_id is not None:
        query = query.where(Account.team_id == team_id)
    shown = _read(query.limit(limit) if limit is not None else query)
    if limit is None or len(shown) < limit:
        return shown, len(shown)
    counted = query.order_by(None).with_only_columns(sa.func.count(InternalRequest.id))
    return shown, int(db.session.scalar(counted) or 0)


def pending_on(opportunity_ids: Collection[int]) -> dict[int, list[PendingDecision]]:
    """The pending requests of some deals (already loaded through the scope), by deal."""
    found: dict[int, list[PendingDecision]] = defaultdict(list)
    if opportunity_ids:
        query = pending_query().where(Opportunity.id.in_(sorted(opportunity_ids)))
        for row in _read(query):
            found[row.opportunity_id].append(row)
    return dict(found)


def deciders(opportunity: Opportunity) -> list[User]:
    """Whom a request is sent to: the directors of the deal's account team (scope.deciders)."""
    return list(
        db.session.scalars(
            sa.select(User).where(scope.deciders(opportunity.account)).order_by(User.id)
        )
    )


def _params(opportunity: Opportunity, gate: g.ApprovalGate) -> dict[str, Any]:
    return {
        "deal": opportunity.name,
        "account": opportunity.account.name,
        "gate": dict(gate.name),
    }


def announce(
    approval: Approval,
    opportunity: Opportunity,
    gate: g.ApprovalGate,
    *,
    answered: Approval | None,
    now: datetime,
) -> None:
    """Tell those concerned: a request goes to the deal's deciders; a decision goes to whoever
    asked for it (`answered`, the request it answers), unless they decided it themselves."""
    link = links.path("opportunities.detail", opportunity_id=opportunity.id) + ANCHOR
    params = _params(opportunity, gate)
    if approval.decision == Decision.requested:
        params.update(asker=approval.actor.name, comment=approval.comment)
        people = [u for u in deciders(opportunity) if u.id != approval.actor_id]
        kind = "decision_requested"
    elif answered is not None and answered.actor_id != approval.actor_id:
        params.update(
            decider=approval.actor.name,
            decision=approval.decision.value,
            comment=approval.comment,
        )
        people, kind = [answered.actor], "decision_made"
    else:
        return
    notifications.notify(
        people, kind, params=params, link=link, key=f"decision:{approval.id}", now=now
    )
