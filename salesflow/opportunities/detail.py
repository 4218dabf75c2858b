"""What the opportunity page shows: the stage with its guidance, each exit gate with what to do
about it (a link straight to the quick log, the decision chain or the right form), the checklist,
the decision points, the iron triangle and the stage history — loaded in a few queries."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup

from salesflow import scope
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.key_accounts import deal_roles_pages
from salesflow.opportunities.facts import load_facts
from salesflow.opportunities.forms import ApprovalForm, MoveForm, TickForm
from salesflow.opportunities.history import StageLine
from salesflow.opportunities.history import lines as stage_lines
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Decision,
    Move,
    Opportunity,
    StageChange,
    TriangleRole,
)
from salesflow.opportunities.moves import newer_version
from salesflow.opportunities.queries import seat
from salesflow.opportunities.rules import days_in_stage, over_limit
from salesflow.playbooks import gates as g
from salesflow.playbooks import registry
from salesflow.playbooks.evaluate import GateResult, evaluate_stage
from salesflow.playbooks.schema import ChecklistItem, LossReason, Playbook, Stage
from salesflow.requests import pages as request_pages


@dataclass
class GateRow:
    result: GateResult
    action_url: str | None = None
    action_label: Any = None


@dataclass
class ChecklistRow:
    item: ChecklistItem
    tick: ChecklistTick | None


@dataclass
class DecisionPoint:
    """A decision point with its records and the buttons the reader is offered: a button is
    gone once what it would record is the latest record (asked, approved or rejected)."""

    gate: g.ApprovalGate
    decisions: list[Approval]  # newest first
    may_ask: bool = False
    may_approve: bool = False
    may_reject: bool = False

    @property
    def standing(self) -> Approval | None:
        """The latest approve / reject (a request is not a decision)."""
        return next((a for a in self.decisions if a.decision != Decision.requested), None)

    @property
    def pending(self) -> Approval | None:
        """The request waiting for an answer: the latest record, when it is a request."""
        latest = self.decisions[0] if self.decisions else None
        return latest if latest is not None and latest.decision == Decision.requested else None

    def offer(self, *, can_work: bool, can_decide: bool) -> "DecisionPoint":
        latest = self.decisions[0].decision if self.decisions else None
        self.may_approve = can_decide and latest != Decision.approve
        self.may_reject = can_decide and latest != Decision.reject
        self.may_ask = (
            can_work and not can_decide and latest not in {Decision.requested, Decision.approve}
        )
        return self

    @property
    def any_button(self) -> bool:
        return self.may_ask or self.may_approve or self.may_reject


@dataclass(frozen=True)
class Seat:
    role: TriangleRole
    holder: User | None  # nobody yet: the page flags the seat


@dataclass
class DetailPage:
    playbook: Playbook
    stage: Stage
    days_in_stage: int
    breach: bool  # over the stage's time limit (opportunities.rules.over_limit)
    can_work: bool
    can_decide: bool
    can_set_roles: bool
    gates: list[GateRow] = field(default_factory=list)
    checklist: list[ChecklistRow] = field(default_factory=list)
    decision_points: list[DecisionPoint] = field(default_factory=list)
    history: list[StageChange] = field(default_factory=list)
    stage_history: list[StageLine] = field(default_factory=list)  # in words
    seats: list[Seat] = field(default_factory=list)
    newer: Playbook | None = None  # a newer stored version of the playbook, for the director
    newer_lacks_stage: bool = False  # ... without the deal's stage: moving asks for one
    # An imported deal: the stages before the one it entered at, whose exit gates salesflow never
    # checked (and has not checked since by an advance) — shown as not verified, never as passed.
    unverified: set[str] = field(default_factory=set)
    imported_at: str | None = None
    # the reasons closing as lost offers, and the one a lost deal was lost for (with its note)
    loss_reasons: tuple[LossReason, ...] = ()
    loss_reason: LossReason | None = None
    move_form: MoveForm = field(default_factory=MoveForm)
    tick_form: TickForm = field(default_factory=TickForm)
    approval_form: ApprovalForm = field(default_factory=ApprovalForm)
    requests: Any = None  # requests.pages.OpenRequests: the deal's open requests, and asking
    buying_roles: Any = None  # key_accounts.deal_roles_pages.Panel: its contacts' roles in it

    @property
    def all_met(self) -> bool:
        return all(row.result.met for row in self.gates)

    @property
    def next_stage(self) -> Stage | None:
        return self.playbook.next_stage(self.stage.key)

    @property
    def earlier_stages(self) -> list[Stage]:
        keys = [s.key for s in self.playbook.stages]
        return list(self.playbook.stages[: keys.index(self.stage.key)])


def _gate_rows(opportunity: Opportunity, stage: Stage, now: datetime, user: User) -> list[GateRow]:
    """Each exit gate with the way to meet it, as its type names it (playbooks.gates), for
    `user`: staffing the triangle is offered only to those who may (scope.can_set_roles)."""
    facts = load_facts([opportunity], now=now)[opportunity.id]
    deal = g.ActionTarget(
        opportunity.id,
        opportunity.account_id,
        can_set_roles=scope.can_set_roles(user, opportunity),
        reader_id=user.id,
    )
    rows = []
    for gate, result in zip(stage.exit, evaluate_stage(stage, facts, now), strict=True):
        url = None if result.met else gate.action_url(deal, facts)
        rows.append(GateRow(result, url, gate.action_label if url else None))
    return rows


def _checklist(opportunity: Opportunity, stage: Stage) -> list[ChecklistRow]:
    ticks = {
        t.item_key: t
        for t in db.session.scalars(
            sa.select(ChecklistTick)
            .where(
                ChecklistTick.opportunity_id == opportunity.id,
                ChecklistTick.stage_key == stage.key,
                ChecklistTick.cleared_at.is_(None),
            )
            .options(so.joinedload(ChecklistTick.ticked_by))
        )
    }
    return [ChecklistRow(item, ticks.get(item.key)) for item in stage.checklist]


def _decision_points(opportunity: Opportunity, stage: Stage) -> list[DecisionPoint]:
    gates = [gate for gate in stage.exit if isinstance(gate, g.ApprovalGate)]
    if not gates:
        return []
    approvals = db.session.scalars(
        sa.select(Approval)
        .where(
            Approval.opportunity_id == opportunity.id,
            Approval.gate_key.in_([gate.key for gate in gates]),
        )
        .options(so.joinedload(Approval.actor))
        .order_by(Approval.at.desc(), Approval.id.desc())
    ).all()
    return [DecisionPoint(gate, [a for a in approvals if a.gate_key == gate.key]) for gate in gates]


def _history(opportunity: Opportunity) -> list[StageChange]:
    return list(
        db.session.scalars(
            sa.select(StageChange)
            .where(StageChange.opportunity_id == opportunity.id)
            .options(so.joinedload(StageChange.actor))
            .order_by(StageChange.at.desc(), StageChange.id.desc())
        )
    )


def _unverified(playbook: Playbook, history: list[StageChange]) -> tuple[str | None, set[str]]:
    """The stage an imported deal entered at, and the earlier stages whose exit gates no
    advance in salesflow has checked."""
    entry = next((c.to_stage for c in history if c.move == Move.imported), None)
    keys = [s.key for s in playbook.stages]
    if entry not in keys:
        return None, set()
    checked = {c.from_stage for c in history if c.move == Move.advanced}
    return entry, set(keys[: keys.index(entry)]) - checked


def build(opportunity: Opportunity, user: User, now: datetime) -> DetailPage:
    """Everything the opportunity page shows about its process, as of `now`."""
    playbook = registry.playbook(opportunity.playbook_version)
    stage = playbook.stage(opportunity.stage_key)
    page = DetailPage(
        playbook=playbook,
        stage=stage,
        days_in_stage=days_in_stage(opportunity.stage_entered_at, now),
        breach=over_limit(opportunity.stage_entered_at, stage.sla_days, now),
        can_work=scope.can_work_opportunity(user, opportunity),
        can_decide=scope.can_decide(user, opportunity),
        can_set_roles=scope.can_set_roles(user, opportunity),
        checklist=_checklist(opportunity, stage),
        decision_points=_decision_points(opportunity, stage),
        history=_history(opportunity),
        seats=[Seat(role, seat(opportunity, role)) for role in TriangleRole],
    )
    page.move_form.version.data = str(opportunity.version)
    for point in page.decision_points:
        point.offer(can_work=page.can_work and opportunity.is_open, can_decide=page.can_decide)
    page.loss_reasons = registry.loss_reasons_of(playbook).loss_reasons
    if opportunity.loss_reason is not None:
        page.loss_reason = registry.loss_reason(playbook, opportunity.loss_reason)
    page.imported_at, page.unverified = _unverified(playbook, page.history)
    page.stage_history = stage_lines(page.history, playbook)
    page.buying_roles = deal_roles_pages.panel(opportunity, user, now)
    page.requests = request_pages.for_deal(
        user, opportunity, now, can_ask=page.can_work and opportunity.is_open
    )
    if opportunity.is_open:
        page.gates = _gate_rows(opportunity, stage, now, user)
        if page.can_decide and (newer := newer_version(opportunity)) is not None:
            page.newer = registry.playbook(newer)
            page.newer_lacks_stage = stage.key not in {s.key for s in page.newer.stages}
    return page


def linked_unmet(opportunity: Opportunity, user: User, now: datetime) -> list[dict[str, Any]]:
    """The unmet exit gates as a refusal lists them on the deal page: each message with a link
    to the action that meets it (the gate type's action_url), when the reader is offered one."""
    stage = registry.playbook(opportunity.playbook_version).stage(opportunity.stage_key)
    rows = _gate_rows(opportunity, stage, now, user)
    return [
        {
            "gate": row.result.gate,
            "message": Markup('{} <a class="alert-link" href="{}">{}</a>').format(
                row.result.message, row.action_url, row.action_label
            )
            if row.action_url
            else row.result.message,
        }
        for row in rows
        if not row.result.met
    ]
