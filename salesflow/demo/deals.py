"""The deals of a demo account: opportunities on the shipped playbooks, spread over their stages
(more early than late, some longer in their stage than its SLA, a fifth closed won or lost), each
with its iron triangle, its stage history, a few checklist ticks on the stage it is in and the
director's approvals of the decision points it passed.

Rows are plain dicts for bulk insert, drawn from the seeded generator like the rest. What a deal
has passed agrees with the playbook: the roles and fields the exit gates of its earlier stages ask
for are there, and its history has one "advanced" per stage passed.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from salesflow import clock
from salesflow.demo import words
from salesflow.demo.customers import Customer
from salesflow.demo.people import Ids, Staff
from salesflow.demo.requests import EMPTY, add_requests
from salesflow.playbooks.evaluate import evaluate_stage, unmet
from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates import ApprovalGate, FieldsGate, RolesGate
from salesflow.playbooks.schema import OTHER, Playbook, Stage
from salesflow.requests.kinds import DEFAULT_KINDS
from salesflow.requests.models import DECISION

CURRENCY = "CNY"
# Deals per account by tier, before a ±40% spread: ~10 per account (PRODUCT.md, scale).
PER_TIER = {"A": 24, "B": 10, "C": 5}
ENTERPRISE_SHARE = {"A": 0.75, "B": 0.5, "C": 0.2}
CLOSED_SHARE, WON_SHARE = 0.2, 0.45  # of all deals; of the closed ones
BREACH_SHARE = 0.18  # open deals longer in their stage than its sla_days
SLIPPED_SHARE = 0.08  # open deals whose expected close has passed
OVERRIDE_SHARE = 0.04  # advances a director let through with unmet gates
REQUEST_SHARE = 0.4  # deals at a decision point, checklist done, that asked the director
# (lowest, highest, rounded to), CNY
AMOUNTS = {"enterprise": (500_000, 30_000_000, 10_000), "transactional": (20_000, 500_000, 1_000)}
NAMES = {"enterprise": words.ENTERPRISE_DEALS, "transactional": words.TRANSACTIONAL_DEALS}


@dataclass(frozen=True)
class Line:
    """A playbook the demo's deals run on: the id of its stored version, and its stages."""

    version_id: int
    playbook: Playbook


@dataclass(frozen=True)
class Spec:
    """What a deal is to be; whatever is None is drawn."""

    key: str  # playbook
    stage: str
    status: str = "open"
    days_in_stage: float | None = None
    name: tuple[str, str] | None = None
    roles: tuple[str, ...] | None = None
    ticked: tuple[str, ...] | None = None  # checklist items of the current stage
    requested: bool | None = None  # asked for the current stage's decision points
    filled: bool = False  # every field filled, whatever the stage


class Deals:
    """Rows of opportunities and what hangs off them, for bulk insert."""

    def __init__(self) -> None:
        self.opportunities: list[dict] = []
        self.roles: list[dict] = []
        self.changes: list[dict] = []
        self.ticks: list[dict] = []
        self.approvals: list[dict] = []
        self.requests: list[dict] = []  # decision requests of the approvals asked (issue 16)
        self.request_changes: list[dict] = []


def _at(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _required(stages: tuple[Stage, ...], kind: type) -> set[str]:
    """The roles (RolesGate) or fields (FieldsGate) the exit gates of `stages` ask for."""
    attribute = "roles" if kind is RolesGate else "fields"
    return {
        value.value
        for stage in stages
        for gate in stage.exit
        if isinstance(gate, kind)
        for value in getattr(gate, attribute)
    }


class DealMaker:
    """Draws the deals of one account after another from the seeded generator."""

    def __init__(
        self,
        rng: random.Random,
        staff: Staff,
        lines: dict[str, Line],
        ids: Ids,
        now: datetime,
        today: date,
    ) -> None:
        self.rng, self.staff, self.lines, self.ids = rng, staff, lines, ids
        self.now, self.today = now, today
        self._unmet: dict[int, list[dict]] = {}

    def build(self, deals: Deals, customer: Customer) -> list[dict]:
        """The account's deals (their opportunity rows)."""
        rng, tier = self.rng, customer.account["tier"]
        keys = [key for key in ("enterprise", "transactional") if key in self.lines]
        if not keys:
            return []
        rows = []
        for _ in range(round(PER_TIER[tier] * rng.uniform(0.6, 1.4))):
            key = keys[0] if rng.random() < ENTERPRISE_SHARE[tier] else keys[-1]
            rows.append(self.add(deals, customer, self.draw(key)))
        return rows

    def draw(self, key: str) -> Spec:
        """Won from the last stage; open and lost ones in earlier stages more often."""
        stages, rng = self.lines[key].playbook.stages, self.rng
        roll = rng.random()
        if roll < CLOSED_SHARE * WON_SHARE:
            return Spec(key, stages[-1].key, "won")
        index = rng.choices(range(len(stages)), weights=range(len(stages), 0, -1))[0]
        return Spec(key, stages[index].key, "lost" if roll < CLOSED_SHARE else "open")

    def add(self, deals: Deals, customer: Customer, spec: Spec) -> dict:
        """One deal as `spec` says, with its roles, history, ticks and approvals."""
        line = self.lines[spec.key]
        stages = line.playbook.stages
        index = [s.key for s in stages].index(spec.stage)
        passed = stages if spec.status == "won" else stages[:index]
        times, closed_at = self._times(stages, index, spec)
        seats = self._seats(customer, stages, index, passed, spec)
        row = self._opportunity(customer, line, spec, passed, times, closed_at)
        row["created_by_id"] = seats["AR"]
        deals.opportunities.append(row)
        deals.roles += [
            {
                "id": self.ids.take("opportunity_roles"),
                "opportunity_id": row["id"],
                "user_id": user_id,
                "role": role,
            }
            for role, user_id in seats.items()
        ]
        self._history(deals, row, customer, stages[: index + 1], times, seats, line.playbook)
        ticked: set[str] = set()
        if spec.status == "open":
            ticked = self._ticks(deals, row, customer, stages[index], spec, seats)
        self._approvals(deals, row, customer, (stages, index), times, seats, spec, ticked)
        lang = 1 if customer.english else 0
        add_requests(deals, row, seats, self.ids, (self.now, self.today), lang)
        return row

    def _times(
        self, stages: tuple[Stage, ...], index: int, spec: Spec
    ) -> tuple[list[datetime], datetime | None]:
        """When the deal entered each stage up to its current one (the first: when it was
        created), and when it closed."""
        rng, sla = self.rng, stages[index].sla_days
        closed_at = None
        if spec.status == "open":
            age = spec.days_in_stage
            if age is None:
                breach = rng.random() < BREACH_SHARE
                age = sla * (rng.uniform(1.05, 2.5) if breach else rng.uniform(0.02, 0.95))
            entered = self.now - timedelta(days=age)
        else:
            closed_at = _at(self.now - timedelta(days=rng.uniform(1, 200)))
            entered = closed_at - timedelta(days=sla * rng.uniform(0.2, 1.1))
        times = [_at(entered)]
        for stage in reversed(stages[:index]):
            spent = timedelta(days=stage.sla_days * rng.uniform(0.3, 1.1))
            times.insert(0, _at(times[0] - spent))
        return times, closed_at

    def _seats(
        self,
        customer: Customer,
        stages: tuple[Stage, ...],
        index: int,
        passed: tuple[Stage, ...],
        spec: Spec,
    ) -> dict[str, int]:
        """AR from the account team; SR on most deals; FR from the middle of the process. The
        roles the stages passed ask for are always seated."""
        rng, team = self.rng, customer.team
        reps = self.staff.reps[customer.account["team_id"]]
        wanted = set(spec.roles) if spec.roles is not None else _required(passed, RolesGate)
        if spec.roles is None and rng.random() < 0.7:
            wanted.add("SR")
        if spec.roles is None and index >= (len(stages) - 1) // 2 and rng.random() < 0.7:
            wanted.add("FR")
        seats = {"AR": team["AR"]}
        for role in ("SR", "FR"):
            if role in wanted:
                seats[role] = team.get(role) or rng.choice(reps[role])
        return seats

    def _opportunity(
        self,
        customer: Customer,
        line: Line,
        spec: Spec,
        passed: tuple[Stage, ...],
        times: list[datetime],
        closed_at: datetime | None,
    ) -> dict:
        rng, lang = self.rng, 1 if customer.english else 0
        fields = _required(passed, FieldsGate)
        project = spec.name or rng.choice(NAMES[spec.key])
        phase = ("", "") if spec.name else rng.choice(words.PHASES)
        need = spec.filled or "customer_need" in fields or rng.random() < 0.6
        rival = spec.filled or "competitors" in fields or rng.random() < 0.35
        competitors = self._competitors(lang) if rival else None
        return {
            "id": self.ids.take("opportunities"),
            "account_id": customer.account["id"],
            "playbook_version_id": line.version_id,
            "name": project[lang] + phase[lang],
            "amount": self._amount(spec.key),
            "currency": CURRENCY,
            "expected_close": self._close_date(line.playbook.stages, spec, closed_at),
            "customer_need": rng.choice(words.CUSTOMER_NEEDS)[lang] if need else None,
            "competitors": competitors,
            "stage_key": spec.stage,
            "stage_entered_at": times[-1],
            "status": spec.status,
            "closed_at": closed_at,
            **self._reason(spec.status, competitors, lang, line.playbook),
            "created_by_id": None,
            "created_at": times[0],
            "updated_at": closed_at or times[-1],
            "deleted_at": None,
            "version": 1,
        }

    def _amount(self, key: str) -> Decimal:
        """Spread evenly on a log scale: many small deals, a few large ones."""
        low, high, step = AMOUNTS[key]
        value = low * (high / low) ** self.rng.random()
        return Decimal(max(low, round(value / step) * step))

    def _close_date(
        self, stages: tuple[Stage, ...], spec: Spec, closed_at: datetime | None
    ) -> date:
        """Open deals close over the next nine months (later stages sooner); some slipped."""
        rng = self.rng
        if closed_at is not None:
            return closed_at.date() + timedelta(days=rng.randint(-20, 30))
        if rng.random() < SLIPPED_SHARE:
            return self.today - timedelta(days=rng.randint(3, 60))
        late = [s.key for s in stages].index(spec.stage) >= len(stages) // 2
        return self.today + timedelta(days=rng.randint(7, 120 if late else 270))

    def _competitors(self, lang: int) -> str:
        names = self.rng.sample(words.COMPETITORS, self.rng.randint(1, 3))
        return ("、", ", ")[lang].join(name[lang] for name in names)

    def _reason(
        self, status: str, competitors: str | None, lang: int, playbook: Playbook
    ) -> dict[str, str | None]:
        """Why it closed: a won deal's words now and then; a lost deal's loss reason (a key of
        its playbook's list), the competitor it went to as the note, or words for "other"."""
        rng = self.rng
        if status == "won":
            won = rng.choice(words.WIN_REASONS)[lang] if rng.random() < 0.5 else None
            return {"close_reason": won, "loss_reason": None}
        if status != "lost":
            return {"close_reason": None, "loss_reason": None}
        key, note = rng.choice(words.LOSS_REASONS), None
        if key == "competitor" and competitors:  # which one
            note = competitors.split(("、", ", ")[lang])[0]
        if playbook.loss_reason(key) is None:
            key, note = OTHER, words.SPECIFICATION[lang]
        return {"close_reason": note, "loss_reason": key}

    def _change(self, row: dict, move: str, at: datetime, actor: int, **more: Any) -> dict:
        change = {
            "id": self.ids.take("stage_changes"),
            "opportunity_id": row["id"],
            "at": at,
            "actor_id": actor,
            "move": move,
            "from_stage": None,
            "to_stage": row["stage_key"],
            "gates": [],
            "gates_met": True,
            "overridden": False,
            "reason": None,
        }
        change.update(more)
        return change

    def _history(
        self,
        deals: Deals,
        row: dict,
        customer: Customer,
        stages: tuple[Stage, ...],
        times: list[datetime],
        seats: dict[str, int],
        playbook: Playbook,
    ) -> None:
        """Created in the first stage, one advance per stage passed (a few let through by the
        director with unmet gates), then closed."""
        rng, lang = self.rng, 1 if customer.english else 0
        workers = [seats["AR"], seats.get("SR", seats["AR"])]
        director = self.staff.director_of[customer.account["team_id"]]
        deals.changes.append(
            self._change(row, "created", times[0], seats["AR"], to_stage=stages[0].key)
        )
        for before, stage, at in zip(stages, stages[1:], times[1:], strict=False):
            moved = {"from_stage": before.key, "to_stage": stage.key}
            if rng.random() < OVERRIDE_SHARE:
                moved.update(
                    gates=self._unmet_gate(before),
                    gates_met=False,
                    overridden=True,
                    reason=rng.choice(words.OVERRIDE_REASONS)[lang],
                )
                deals.changes.append(self._change(row, "advanced", at, director, **moved))
            else:
                deals.changes.append(
                    self._change(row, "advanced", at, rng.choice(workers), **moved)
                )
        if row["status"] != "open":
            deals.changes.append(
                self._change(
                    row,
                    row["status"],
                    row["closed_at"],
                    seats["AR"],
                    from_stage=row["stage_key"],
                    reason=_told(row, playbook, lang),
                )
            )

    def _unmet_gate(self, stage: Stage) -> list[dict]:
        """One gate of `stage` as it stood unmet (the messages of a deal with no facts)."""
        key = id(stage)  # the playbooks live as long as the maker
        if key not in self._unmet:
            results = unmet(evaluate_stage(stage, OpportunityFacts(), self.now))
            self._unmet[key] = [
                {"gate": r.gate, "met": False, "message": r.message} for r in results
            ]
        found = self._unmet[key]
        return [self.rng.choice(found)] if found else []

    def _ticks(
        self,
        deals: Deals,
        row: dict,
        customer: Customer,
        stage: Stage,
        spec: Spec,
        seats: dict[str, int],
    ) -> set[str]:
        """Some of the current stage's checklist ticked with evidence; returns the items."""
        rng, lang = self.rng, 1 if customer.english else 0
        items = [item.key for item in stage.checklist]
        chosen = (
            spec.ticked
            if spec.ticked is not None
            else rng.sample(items, rng.randint(0, len(items)))
        )
        since = (self.now - row["stage_entered_at"]).total_seconds()
        for key in (k for k in items if k in chosen):
            deals.ticks.append(
                {
                    "id": self.ids.take("checklist_ticks"),
                    "opportunity_id": row["id"],
                    "stage_key": stage.key,
                    "item_key": key,
                    "evidence": rng.choice(words.EVIDENCE)[lang],
                    "ticked_by_id": rng.choice(list(seats.values())),
                    "ticked_at": _at(self.now - timedelta(seconds=since * rng.random())),
                    "cleared_at": None,
                }
            )
        return set(chosen)

    def _approvals(
        self,
        deals: Deals,
        row: dict,
        customer: Customer,
        where: tuple[tuple[Stage, ...], int],
        times: list[datetime],
        seats: dict[str, int],
        spec: Spec,
        ticked: set[str],
    ) -> None:
        """The director approved each decision point the deal passed, shortly before it moved
        on; an open deal with its checklist done may have asked for the next one."""
        rng, lang = self.rng, 1 if customer.english else 0
        stages, index = where
        director = self.staff.director_of[customer.account["team_id"]]
        moved = [*times[1:], row["closed_at"] or self.now]
        for i, stage in enumerate(stages if row["status"] == "won" else stages[:index]):
            for gate in (g for g in stage.exit if isinstance(g, ApprovalGate)):
                at = _at(moved[i] - timedelta(hours=rng.uniform(2, 72)))
                comment = rng.choice(words.APPROVAL_COMMENTS)[lang]
                deals.approvals.append(
                    self._approval(row, stage, gate, "approve", director, "director", at, comment)
                )
        if row["status"] != "open":
            return
        stage = stages[index]
        ready = ticked >= {item.key for item in stage.checklist} and rng.random() < REQUEST_SHARE
        if spec.requested if spec.requested is not None else ready:
            at = _at(self.now - (self.now - row["stage_entered_at"]) * rng.uniform(0, 0.5))
            for gate in (g for g in stage.exit if isinstance(g, ApprovalGate)):
                deals.approvals.append(
                    self._approval(row, stage, gate, "requested", seats["AR"], "rep", at, None)
                )
                self._decision_request(deals, row, stage, gate, seats["AR"], director, at, lang)

    def _decision_request(self, deals, row, stage, gate, asker, director, at, lang) -> None:
        """Asking for a decision makes a request to the team's director (requests.services
        .ask_decision), needed within the decision kind's lead time."""
        request_id = self.ids.take("internal_requests")
        asked_on = self.today - timedelta(days=(self.now - at).days)
        deals.requests.append(
            {
                **EMPTY,
                "id": request_id,
                "kind": DECISION,
                "title": gate.name.get(("zh", "en")[lang]) or gate.name["en"],
                "details": None,
                "account_id": row["account_id"],
                "opportunity_id": row["id"],
                "stage_key": stage.key,
                "gate_key": gate.key,
                "requester_id": asker,
                "assignee_id": director,
                "needed_by": clock.add_working_days(asked_on, DEFAULT_KINDS[DECISION], holidays=()),
                "rush": False,
                "status": "open",
                "created_at": at,
                "rating_dismissed": False,
                "version": 1,
            }
        )
        deals.request_changes.append(
            {
                "id": self.ids.take("internal_request_changes"),
                "request_id": request_id,
                "from_status": None,
                "to_status": "open",
                "comment": None,
                "actor_id": asker,
                "at": at,
            }
        )

    def _approval(self, row, stage, gate, decision, actor, role, at, comment) -> dict:
        return {
            "id": self.ids.take("approvals"),
            "opportunity_id": row["id"],
            "stage_key": stage.key,
            "gate_key": gate.key,
            "decision": decision,
            "comment": comment,
            "actor_id": actor,
            "actor_role": role,
            "at": at,
        }


def _told(row: dict, playbook: Playbook, lang: int) -> str | None:
    """The words a closing is recorded with in the stage history: a loss reason's name in the
    customer's language, then the note, as closing a deal as lost writes them."""
    reason = playbook.loss_reason(row["loss_reason"]) if row["loss_reason"] else None
    name = reason.name.get(("zh", "en")[lang]) or reason.name["en"] if reason else None
    return ": ".join(w for w in (name, row["close_reason"]) if w) or None
