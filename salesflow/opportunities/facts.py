"""The facts the exit gates look at, for any number of opportunities in seven queries.

STYLE.md rule 11: gate evaluation (playbooks.evaluate) is pure; this is the set-wise shell that
feeds it — never a query per opportunity. For `contacted` gates only the latest attended
interaction of each contact matters (the gate reads "last contact"), so one aggregate per contact
stands in for the account's whole history.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Opportunity,
    OpportunityRole,
)
from salesflow.playbooks import registry
from salesflow.playbooks.evaluate import GateResult, evaluate_stage
from salesflow.playbooks.facts import (
    ApprovalFact,
    ContactFact,
    InteractionFact,
    OpportunityFacts,
    RequestFact,
    RoleFact,
)
from salesflow.requests.models import InternalRequest
from salesflow.requests.models import Status as RequestStatus


def _roles(ids: list[int]) -> dict[int, list[RoleFact]]:
    rows = db.session.execute(
        sa.select(
            OpportunityRole.opportunity_id, OpportunityRole.role, User.id, User.name, User.active
        )
        .join(User, User.id == OpportunityRole.user_id)
        .where(OpportunityRole.opportunity_id.in_(ids))
    )
    found: dict[int, list[RoleFact]] = defaultdict(list)
    for opportunity_id, role, user_id, name, active in rows:
        found[opportunity_id].append(RoleFact(role.value, user_id, name, active))
    return found


def _contacts(account_ids: set[int]) -> dict[int, list[ContactFact]]:
    rows = db.session.execute(
        sa.select(
            Contact.id,
            Contact.account_id,
            Contact.name,
            Contact.decision_role,
            Contact.attitude,
            Contact.level,
            Contact.left_on,
        ).where(Contact.account_id.in_(account_ids), Contact.deleted_at.is_(None))
    )
    found: dict[int, list[ContactFact]] = defaultdict(list)
    for cid, account_id, name, role, attitude, level, left_on in rows:
        found[account_id].append(
            ContactFact(
                cid,
                name,
                role.value,
                attitude.value,
                level.value if level else None,
                current=left_on is None,
            )
        )
    return found


def _last_contacts(account_ids: set[int], now: datetime) -> dict[int, list[InteractionFact]]:
    """Per account, one fact per contact: the latest interaction (not deleted, not in the
    future) that contact attended."""
    last = sa.func.max(Interaction.occurred_at)
    rows = db.session.execute(
        sa.select(Interaction.account_id, interaction_attendees.c.contact_id, last)
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .where(
            Interaction.account_id.in_(account_ids),
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at <= now,
        )
        .group_by(Interaction.account_id, interaction_attendees.c.contact_id)
    )
    found: dict[int, list[InteractionFact]] = defaultdict(list)
    for account_id, contact_id, at in rows:
        found[account_id].append(InteractionFact(0, "", at, frozenset({contact_id})))
    return found


def _on_opportunity(ids: list[int]) -> dict[int, list[InteractionFact]]:
    rows = db.session.execute(
        sa.select(
            Interaction.id, Interaction.opportunity_id, Interaction.kind, Interaction.occurred_at
        ).where(Interaction.opportunity_id.in_(ids), Interaction.deleted_at.is_(None))
    )
    found: dict[int, list[InteractionFact]] = defaultdict(list)
    for iid, opportunity_id, kind, at in rows:
        found[opportunity_id].append(InteractionFact(iid, kind.value, at, on_opportunity=True))
    return found


def _ticks(ids: list[int]) -> dict[tuple[int, str], set[str]]:
    rows = db.session.execute(
        sa.select(
            ChecklistTick.opportunity_id, ChecklistTick.stage_key, ChecklistTick.item_key
        ).where(ChecklistTick.opportunity_id.in_(ids), ChecklistTick.cleared_at.is_(None))
    )
    found: dict[tuple[int, str], set[str]] = defaultdict(set)
    for opportunity_id, stage_key, item_key in rows:
        found[(opportunity_id, stage_key)].add(item_key)
    return found


def _approvals(ids: list[int]) -> dict[int, list[ApprovalFact]]:
    rows = db.session.execute(
        sa.select(
            Approval.opportunity_id,
            Approval.gate_key,
            Approval.decision,
            Approval.actor_role,
            Approval.at,
        )
        .where(Approval.opportunity_id.in_(ids), Approval.decision != Decision.requested)
        .order_by(Approval.id)
    )
    found: dict[int, list[ApprovalFact]] = defaultdict(list)
    for opportunity_id, key, decision, role, at in rows:
        found[opportunity_id].append(ApprovalFact(key, decision.value, role, at))
    return found


def _requests_done(ids: list[int]) -> dict[int, list[RequestFact]]:
    """The requests done on each opportunity (`request_done` gates)."""
    rows = db.session.execute(
        sa.select(
            InternalRequest.opportunity_id, InternalRequest.kind, InternalRequest.done_at
        ).where(
            InternalRequest.opportunity_id.in_(ids),
            InternalRequest.status == RequestStatus.done,
            InternalRequest.done_at.is_not(None),
        )
    )
    found: dict[int, list[RequestFact]] = defaultdict(list)
    for opportunity_id, kind, done_at in rows:
        found[opportunity_id].append(RequestFact(kind, done_at))
    return found


def load_facts(
    opportunities: Sequence[Opportunity], *, now: datetime
) -> dict[int, OpportunityFacts]:
    """Each opportunity's facts as of `now`, by opportunity id."""
    ids = [o.id for o in opportunities]
    if not ids:
        return {}
    account_ids = {o.account_id for o in opportunities}
    roles, contacts = _roles(ids), _contacts(account_ids)
    last, linked = _last_contacts(account_ids, now), _on_opportunity(ids)
    ticks, approvals, done = _ticks(ids), _approvals(ids), _requests_done(ids)
    return {
        o.id: OpportunityFacts(
            amount=o.amount,
            expected_close=o.expected_close,
            customer_need=o.customer_need,
            competitors=o.competitors,
            roles=tuple(roles[o.id]),
            contacts=tuple(contacts[o.account_id]),
            interactions=tuple(last[o.account_id] + linked[o.id]),
            ticked=frozenset(ticks[(o.id, o.stage_key)]),
            approvals=tuple(approvals[o.id]),
            requests_done=tuple(done[o.id]),
        )
        for o in opportunities
    }


def gate_results(opportunity: Opportunity, *, now: datetime) -> list[GateResult]:
    """The exit gates of the opportunity's current stage, evaluated as of `now`."""
    stage = registry.playbook(opportunity.playbook_version).stage(opportunity.stage_key)
    facts = load_facts([opportunity], now=now)[opportunity.id]
    return evaluate_stage(stage, facts, now)
