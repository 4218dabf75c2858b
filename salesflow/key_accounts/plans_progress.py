"""An account plan's objectives measured by the data (issue 17), each 0–1, and the plan's overall
progress (their mean):

- contact_attitude: the contact's attitude against the target on the scale opponent 0, skeptic
  1, neutral 2, supporter 3, champion 4 (unknown counts as 0): rank ÷ target rank, at most 1; a
  contact who has left or was deleted: 0.
- decision_makers_held: each current decision maker counts min(our people with a live tie, N)
  ÷ N; the mean over them; no current decision maker: 0 (nobody to hold yet).
- executive_exchange: the quarters of the plan's year with an executive-level exchange (an
  executive visit, or any contact attended by an executive of theirs) ÷ 4.

Falling behind: not met and either past its due date, or below the share of the time from the
start of the plan's year to its due date that has passed.

The facts for any set of accounts come in a fixed number of queries (Facts, facts_for)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Level
from salesflow.dependency import metrics, queries
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, Kind, interaction_attendees
from salesflow.key_accounts.plans_models import AccountPlan, ObjectiveKind, PlanObjective

RANK = {
    Attitude.opponent: 0,
    Attitude.skeptic: 1,
    Attitude.neutral: 2,
    Attitude.supporter: 3,
    Attitude.champion: 4,
    Attitude.unknown: 0,
}
# The attitudes an objective may aim at.
TARGETS = (Attitude.neutral, Attitude.supporter, Attitude.champion)


@dataclass(frozen=True)
class ContactFact:
    id: int
    name: str
    attitude: str
    decision_role: str
    current: bool  # not left, not deleted


@dataclass
class Facts:
    """What an account's objectives are measured from."""

    contacts: dict[int, ContactFact] = field(default_factory=dict)
    tied: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # contact → users
    quarters: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # year → 1..4


@dataclass(frozen=True)
class Measured:
    objective: PlanObjective
    progress: float
    behind: bool

    @property
    def met(self) -> bool:
        return self.progress >= 1

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


def progress(objective: PlanObjective, year: int, facts: Facts) -> float:
    """The objective's progress 0–1 from the facts (the rules in the module's docstring)."""
    params = objective.params or {}
    if objective.kind == ObjectiveKind.contact_attitude:
        contact = facts.contacts.get(params.get("contact_id"))
        target = RANK.get(params.get("attitude"), 0)
        if contact is None or not contact.current or target == 0:
            return 0.0
        return min(1.0, RANK.get(contact.attitude, 0) / target)
    if objective.kind == ObjectiveKind.decision_makers_held:
        needed = max(1, int(params.get("people", 1)))
        makers = [
            c
            for c in facts.contacts.values()
            if c.current and c.decision_role == DecisionRole.decision_maker
        ]
        if not makers:
            return 0.0
        return sum(min(len(facts.tied[c.id]), needed) / needed for c in makers) / len(makers)
    return len(facts.quarters[year]) / 4  # executive_exchange


def behind(objective: PlanObjective, year: int, value: float, today: date) -> bool:
    """Falling behind: not met, and past due or below the share of its time that has passed."""
    if value >= 1:
        return False
    if today > objective.due:
        return True
    start = date(year, 1, 1)
    span = (objective.due - start).days
    if span <= 0 or today <= start:
        return False
    return value < (today - start).days / span


def measure(plan: AccountPlan, facts: Facts, now: datetime) -> list[Measured]:
    today = clock.today(now)
    out = []
    for objective in plan.objectives:
        value = progress(objective, plan.year, facts)
        out.append(Measured(objective, value, behind(objective, plan.year, value, today)))
    return out


def overall(measured: list[Measured]) -> float | None:
    """The plan's progress: the mean of its objectives'; None without objectives."""
    return sum(m.progress for m in measured) / len(measured) if measured else None


def facts_for(
    account_ids: set[int],
    years: set[int],
    *,
    now: datetime,
    inputs: dict[int, metrics.AccountInput] | None = None,
) -> dict[int, Facts]:
    """The facts of these accounts as of `now`, in a fixed number of queries: their contacts
    (left and deleted ones too, as not current), the live ties of our people who are not gone
    (the dependency report's `account_inputs`, unless given), and the quarters of `years` with
    an executive-level exchange."""
    out: dict[int, Facts] = {a: Facts() for a in account_ids}
    if not account_ids:
        return out
    rows = db.session.execute(
        sa.select(
            Contact.account_id,
            Contact.id,
            Contact.name,
            Contact.attitude,
            Contact.decision_role,
            (Contact.deleted_at.is_(None) & Contact.left_on.is_(None)).label("current"),
        ).where(Contact.account_id.in_(account_ids))
    )
    for account_id, cid, name, attitude, role, current in rows:
        out[account_id].contacts[cid] = ContactFact(cid, name, attitude, role, bool(current))
    if inputs is None:
        inputs = queries.account_inputs(account_ids, now=now)
    for account_id, inp in inputs.items():
        for (user_id, contact_id), strength in inp.ties.items():
            if strength > 0:
                out[account_id].tied[contact_id].add(user_id)
    for account_id, at in _executive_exchanges(account_ids, years, now):
        day = clock.today(at)
        out[account_id].quarters[day.year].add((day.month - 1) // 3 + 1)
    return out


def _executive_exchanges(account_ids: set[int], years: set[int], now: datetime):
    """(account, occurred_at) of the executive-level exchanges in `years` up to `now`."""
    if not years:
        return []
    # a day either side of the years in UTC; the company calendar's year is kept in Python
    start = datetime(min(years), 1, 1, tzinfo=now.tzinfo) - timedelta(days=1)
    end = min(now, datetime(max(years) + 1, 1, 1, tzinfo=now.tzinfo) + timedelta(days=1))
    window = (
        Interaction.account_id.in_(account_ids),
        Interaction.deleted_at.is_(None),
        Interaction.occurred_at >= start,
        Interaction.occurred_at <= end,
    )
    visits = sa.select(Interaction.account_id, Interaction.occurred_at).where(
        *window, Interaction.kind == Kind.exec_visit
    )
    # joined, not an EXISTS (which PostgreSQL hashes over every attendee of the company)
    attended = (
        sa.select(Interaction.account_id, Interaction.occurred_at)
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .join(Contact, Contact.id == interaction_attendees.c.contact_id)
        .where(*window, Contact.level == Level.executive)
    )
    rows = db.session.execute(sa.union(visits, attended)).all()
    return [(a, at) for a, at in rows if clock.today(at).year in years and at <= now]
