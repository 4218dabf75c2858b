"""The pipeline figures of PRODUCT.md ("Pipeline figures"), set-wise: a few grouped queries over
the deals a director or leadership may see, whatever their number. Amounts are summed per
currency, never across currencies."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from salesflow.accounts.models import Account
from salesflow.auth import scope
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import (
    Move,
    Opportunity,
    OpportunityRole,
    StageChange,
    Status,
)
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook

CENTS = Decimal("0.01")


def versions() -> dict[int, Playbook]:
    """Every stored playbook version, parsed (cached by the registry)."""
    return {v.id: registry.playbook(v) for v in db.session.scalars(sa.select(PlaybookVersion))}


def late(by_version: dict[int, Playbook], now: datetime) -> list[sa.ColumnElement[bool]]:
    """Per stage of every playbook version: a deal there longer than the stage's sla_days (a
    breach: days in stage > SLA)."""
    return [
        (Opportunity.playbook_version_id == version_id) & (Opportunity.stage_key == stage.key)
        & (Opportunity.stage_entered_at < now - timedelta(days=stage.sla_days))
        for version_id, playbook in by_version.items() for stage in playbook.stages
    ]  # fmt: skip


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    user_id: int | None = None  # deals where this person holds a role
    playbook: str | None = None  # a playbook key
    start: date | None = None  # the period of the period figures, both days included
    end: date | None = None


def _where(user: User, filters: Filters, by_version: dict[int, Playbook]) -> list[Any]:
    """The deals `user` may see (not deleted), narrowed by the filters; joins Account."""
    where: list[Any] = [scope.visible_accounts(user), Opportunity.deleted_at.is_(None)]
    if filters.team_id:
        where.append(Account.team_id == filters.team_id)
    if filters.user_id:
        held = sa.select(OpportunityRole.opportunity_id).where(
            OpportunityRole.user_id == filters.user_id)  # fmt: skip
        where.append(Opportunity.id.in_(held))
    if filters.playbook:
        ids = [v for v, p in by_version.items() if p.key == filters.playbook]
        where.append(Opportunity.playbook_version_id.in_(ids))
    return where


@dataclass
class StageFigures:
    playbook: str
    stage: str
    count: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)
    breaches: int = 0
    oldest_days: int = 0  # the longest any open deal has been in the stage
    sla_days: int = 0


def funnel(user: User, filters: Filters, *, now: datetime) -> list[StageFigures]:
    """Per stage of each playbook, the open deals: count, amount and weighted amount per
    currency, and SLA breaches; in playbook order (stages of the newest version first, those
    only older versions have after them). One grouped query."""
    by_version = versions()
    conditions = late(by_version, now)
    breach = (
        sa.func.sum(sa.case((sa.or_(*conditions), 1), else_=0)) if conditions else sa.literal(0)
    )
    rows = db.session.execute(
        sa.select(Opportunity.playbook_version_id, Opportunity.stage_key, Opportunity.currency,
                  sa.func.count(), sa.func.coalesce(sa.func.sum(Opportunity.amount), 0), breach,
                  sa.func.min(Opportunity.stage_entered_at))
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open)
        .group_by(Opportunity.playbook_version_id, Opportunity.stage_key, Opportunity.currency)
    ).all()  # fmt: skip
    figures: dict[tuple[str, str], StageFigures] = {}
    for version_id, stage_key, currency, count, amount, breaches, entered in rows:
        playbook = by_version[version_id]
        key = (playbook.key, stage_key)
        stage = playbook.stage(stage_key)
        row = figures.setdefault(
            key, StageFigures(playbook.key, stage_key, sla_days=stage.sla_days)
        )
        row.oldest_days = max(row.oldest_days, (now - entered).days)
        probability = stage.probability
        amount = Decimal(amount)
        row.count += count
        row.breaches += int(breaches or 0)
        row.amount[currency] = row.amount.get(currency, Decimal(0)) + amount
        row.weighted[currency] = row.weighted.get(currency, Decimal(0)) + amount * probability / 100
    for row in figures.values():
        row.amount = {c: v.quantize(CENTS) for c, v in sorted(row.amount.items())}
        row.weighted = {c: v.quantize(CENTS) for c, v in sorted(row.weighted.items())}
    return sorted(figures.values(), key=lambda r: _order(by_version, r.playbook, r.stage))


def _order(by_version: dict[int, Playbook], key: str, stage: str) -> tuple[str, int, str]:
    newest = max((p for p in by_version.values() if p.key == key), key=lambda p: p.version)
    keys = [s.key for s in newest.stages]
    return (key, keys.index(stage) if stage in keys else len(keys), stage)


@dataclass(frozen=True)
class Breach:
    opportunity_id: int
    name: str
    account: str
    playbook: str
    stage: str
    days: int  # in the stage
    sla_days: int


def breaches(user: User, filters: Filters, *, now: datetime, limit: int = 200) -> list[Breach]:
    """Open deals longer in their stage than its SLA, the longest over first (up to `limit`)."""
    by_version = versions()
    conditions = late(by_version, now)
    if not conditions:
        return []
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name, Account.name, Opportunity.playbook_version_id,
                  Opportunity.stage_key, Opportunity.stage_entered_at)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open,
               sa.or_(*conditions))
        .order_by(Opportunity.stage_entered_at, Opportunity.id).limit(limit)
    ).all()  # fmt: skip
    found = []
    for deal_id, name, account, version_id, stage_key, entered in rows:
        playbook = by_version[version_id]
        stage = playbook.stage(stage_key)
        found.append(Breach(deal_id, name, account, playbook.key, stage_key,
                            (now - entered).days, stage.sla_days))  # fmt: skip
    return sorted(found, key=lambda b: (-(b.days - b.sla_days), b.opportunity_id))


OVERRIDES_SHOWN = 100


@dataclass
class Compliance:
    advances: int = 0
    met: int = 0  # advances that met every gate
    overrides: list[Any] = field(default_factory=list)  # (change, deal name), newest first
    override_count: int = 0  # all of them, shown or not

    @property
    def share(self) -> float | None:
        return self.met / self.advances if self.advances else None


def gate_compliance(user: User, filters: Filters, *, now: datetime) -> Compliance:
    """Forward advances in the period (default: the last 90 days): how many met every gate, and
    the newest OVERRIDES_SHOWN overrides with their reasons (and how many there were). Two
    queries."""
    by_version = versions()
    start, end = period(filters, now)
    where = [*_where(user, filters, by_version), StageChange.move == Move.advanced,
             StageChange.at >= start, StageChange.at < end]  # fmt: skip
    counts = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((StageChange.gates_met, 1), else_=0)),
                  sa.func.sum(sa.case((StageChange.overridden, 1), else_=0)))
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id).where(*where)
    ).one()  # fmt: skip
    overrides = db.session.execute(
        sa.select(StageChange, Opportunity.name)
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, StageChange.overridden.is_(True))
        .order_by(StageChange.at.desc(), StageChange.id.desc()).limit(OVERRIDES_SHOWN)
    ).all()  # fmt: skip
    return Compliance(int(counts[0] or 0), int(counts[1] or 0), [tuple(r) for r in overrides],
                      int(counts[2] or 0))  # fmt: skip


PERIOD_DAYS = 90


def period(filters: Filters, now: datetime) -> tuple[datetime, datetime]:
    """The period as a half-open range of moments: from the start day's midnight to the day
    after the end day, on the company calendar (default: the 90 days up to today)."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = now.astimezone(tz).date()
    end = filters.end or today
    start = filters.start or end - timedelta(days=PERIOD_DAYS - 1)
    return (datetime.combine(start, datetime.min.time(), tz),
            datetime.combine(end + timedelta(days=1), datetime.min.time(), tz))  # fmt: skip


def forecast(
    user: User, filters: Filters, *, now: datetime
) -> list[tuple[str, dict[str, Decimal]]]:
    """The weighted amount of the open deals per expected close month ("YYYY-MM"; "" for deals
    without a date) and currency, month by month. One grouped query."""
    by_version = versions()
    rows = db.session.execute(
        sa.select(Opportunity.expected_close, Opportunity.playbook_version_id,
                  Opportunity.stage_key, Opportunity.currency,
                  sa.func.coalesce(sa.func.sum(Opportunity.amount), 0))
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open)
        .group_by(Opportunity.expected_close, Opportunity.playbook_version_id,
                  Opportunity.stage_key, Opportunity.currency)
    ).all()  # fmt: skip
    months: dict[str, dict[str, Decimal]] = {}
    for close, version_id, stage_key, currency, amount in rows:
        probability = by_version[version_id].stage(stage_key).probability
        month = months.setdefault(close.strftime("%Y-%m") if close else "", {})
        month[currency] = month.get(currency, Decimal(0)) + Decimal(amount) * probability / 100
    order = sorted(months, key=lambda month: (month == "", month))  # undated last
    return [(m, {c: v.quantize(CENTS) for c, v in sorted(months[m].items())}) for m in order]


@dataclass
class Outcomes:
    won: int = 0
    lost: int = 0
    cycle_days: float | None = None  # average days from creation to won
    loss_reasons: list[tuple[str, int]] = field(default_factory=list)  # most frequent first

    @property
    def win_rate(self) -> float | None:
        return self.won / (self.won + self.lost) if self.won + self.lost else None


def outcomes(user: User, filters: Filters, *, now: datetime) -> Outcomes:
    """Deals closed in the period: won and lost (win rate = won ÷ (won + lost)), the average
    cycle of the won ones, and the loss reasons ranked. Three queries."""
    by_version = versions()
    start, end = period(filters, now)
    where = [*_where(user, filters, by_version), Opportunity.closed_at >= start,
             Opportunity.closed_at < end]  # fmt: skip

    def query(*columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).join(Account, Account.id == Opportunity.account_id).where(*where)

    counts = {status: int(n) for status, n in db.session.execute(
        query(Opportunity.status, sa.func.count()).group_by(Opportunity.status))}  # fmt: skip
    cycles = [(closed - created).total_seconds() / 86400 for created, closed in db.session.execute(
        query(Opportunity.created_at, Opportunity.closed_at)
        .where(Opportunity.status == Status.won))]  # fmt: skip
    reason = sa.func.coalesce(Opportunity.close_reason, "")
    reasons = [(text, int(n)) for text, n in db.session.execute(
        query(reason, sa.func.count()).where(Opportunity.status == Status.lost)
        .group_by(reason).order_by(sa.func.count().desc(), reason))]  # fmt: skip
    return Outcomes(counts.get(Status.won, 0), counts.get(Status.lost, 0),
                    sum(cycles) / len(cycles) if cycles else None, reasons)  # fmt: skip


@dataclass
class Conversion:
    playbook: str
    stage: str
    forward: int = 0  # advanced to the next stage, or won from it
    left: int = 0  # forward, moved back, won or lost

    @property
    def rate(self) -> float | None:
        return self.forward / self.left if self.left else None


def conversion(user: User, filters: Filters, *, now: datetime) -> list[Conversion]:
    """Per stage, of the deals that left it in the period, the share that left it forward
    (PRODUCT.md: forward ÷ forward, back, won or lost; winning leaves the last stage forward).
    One grouped query."""
    by_version = versions()
    start, end = period(filters, now)
    exits = (Move.advanced, Move.moved_back, Move.won, Move.lost)
    rows = db.session.execute(
        sa.select(Opportunity.playbook_version_id, StageChange.from_stage, StageChange.move,
                  sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), StageChange.move.in_(exits),
               StageChange.from_stage.is_not(None), StageChange.at >= start, StageChange.at < end)
        .group_by(Opportunity.playbook_version_id, StageChange.from_stage, StageChange.move)
    ).all()  # fmt: skip
    found: dict[tuple[str, str], Conversion] = {}
    for version_id, stage, move, count in rows:
        key = by_version[version_id].key
        row = found.setdefault((key, stage), Conversion(key, stage))
        row.left += count
        if move in (Move.advanced, Move.won):
            row.forward += count
    return sorted(found.values(), key=lambda r: _order(by_version, r.playbook, r.stage))


@dataclass(frozen=True)
class Gap:
    opportunity_id: int
    name: str
    account: str
    playbook: str
    stage: str
    missing: tuple[str, ...]  # roles, or "decision_maker" / "decision_maker_contact"


GAP_LIMIT = 200


def triangle_gaps(user: User, filters: Filters, *, now: datetime) -> list[Gap]:
    """Open deals missing an iron-triangle role their current stage's `roles` gate asks for (an
    active user in the role). Two queries."""
    from salesflow.auth.models import User as Person
    from salesflow.playbooks.gates import RolesGate

    by_version = versions()
    needed = {(v, s.key): {str(r) for g in s.exit if isinstance(g, RolesGate) for r in g.roles}
              for v, p in by_version.items() for s in p.stages}  # fmt: skip
    asking = [(Opportunity.playbook_version_id == v) & (Opportunity.stage_key == s)
              for (v, s), roles in needed.items() if roles]  # fmt: skip
    if not asking:
        return []
    deals = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name, Account.name, Opportunity.playbook_version_id,
                  Opportunity.stage_key)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open,
               sa.or_(*asking))
        .order_by(Opportunity.id)
    ).all()  # fmt: skip
    held: dict[int, set[str]] = {}
    ids = [d[0] for d in deals]
    for start in range(0, len(ids), 2000):
        for deal_id, role in db.session.execute(
            sa.select(OpportunityRole.opportunity_id, OpportunityRole.role)
            .join(Person, Person.id == OpportunityRole.user_id)
            .where(OpportunityRole.opportunity_id.in_(ids[start : start + 2000]),
                   Person.active.is_(True))
        ):  # fmt: skip
            held.setdefault(deal_id, set()).add(str(role))
    gaps = []
    for deal_id, name, account, version_id, stage in deals:
        missing = sorted(needed[(version_id, stage)] - held.get(deal_id, set()))
        if missing:
            gaps.append(Gap(deal_id, name, account, by_version[version_id].key, stage,
                            tuple(missing)))  # fmt: skip
    return gaps


DECISION_MAKER_DAYS = 30


def chain_gaps(user: User, filters: Filters, *, now: datetime) -> list[Gap]:
    """Open deals past their playbook's first stage whose account has no decision maker mapped
    (a current contact), or nobody met one in the last 30 days. One query."""
    from salesflow.contacts.models import Contact
    from salesflow.interactions.models import Interaction, interaction_attendees

    by_version = versions()
    past_first = [
        (Opportunity.playbook_version_id == v) & (Opportunity.stage_key != p.first_stage.key)
        for v, p in by_version.items()
    ]
    if not past_first:
        return []
    makers = (Contact.decision_role == "decision_maker", Contact.deleted_at.is_(None),
              Contact.left_on.is_(None))  # fmt: skip
    mapped = sa.select(Contact.account_id).where(*makers)
    met = (
        sa.select(Interaction.account_id)
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .join(Contact, Contact.id == interaction_attendees.c.contact_id)
        .where(*makers, Interaction.deleted_at.is_(None),
               Interaction.occurred_at >= now - timedelta(days=DECISION_MAKER_DAYS),
               Interaction.occurred_at <= now)
    )  # fmt: skip
    is_mapped = Opportunity.account_id.in_(mapped)
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name, Account.name, Opportunity.playbook_version_id,
                  Opportunity.stage_key, is_mapped)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open,
               sa.or_(*past_first), sa.or_(~is_mapped, ~Opportunity.account_id.in_(met)))
        .order_by(Opportunity.id)
    ).all()  # fmt: skip
    return [Gap(deal_id, name, account, by_version[version_id].key, stage,
                ("decision_maker",) if not has_maker else ("decision_maker_contact",))
            for deal_id, name, account, version_id, stage, has_maker in rows]  # fmt: skip


@dataclass
class Movement:
    start: date  # the week: the 7 days up to today
    new: int = 0
    advanced: int = 0
    regressed: int = 0
    won: int = 0
    lost: int = 0
    slipped: list[tuple[int, str]] | None = None  # (deal, name); None: no snapshot to compare


WEEK = 7


def movement(user: User, filters: Filters, *, now: datetime) -> Movement:
    """The week's movement: deals created, moves forward and back, won and lost in the last 7
    days, and the open deals whose expected close moved later since the pipeline snapshot of the
    week's first day (the latest one on or before it). Four queries."""
    from salesflow.pipeline.models import PipelineSnapshot
    from salesflow.pipeline.snapshots import snapshot_day

    by_version = versions()
    since = now - timedelta(days=WEEK)
    where = _where(user, filters, by_version)
    result = Movement(snapshot_day(since))
    created = (
        sa.select(sa.func.count()).select_from(Opportunity)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, Opportunity.created_at > since, Opportunity.created_at <= now)
    )  # fmt: skip
    result.new = int(db.session.scalar(created) or 0)
    moves = {Move.advanced: "advanced", Move.moved_back: "regressed", Move.won: "won",
             Move.lost: "lost"}  # fmt: skip
    for move, count in db.session.execute(
        sa.select(StageChange.move, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, StageChange.move.in_(moves), StageChange.at > since, StageChange.at <= now)
        .group_by(StageChange.move)
    ):  # fmt: skip
        setattr(result, moves[move], int(count))
    base_day = db.session.scalar(sa.select(sa.func.max(PipelineSnapshot.day))
                                 .where(PipelineSnapshot.day <= result.start))  # fmt: skip
    if base_day is not None:
        result.slipped = [tuple(r) for r in db.session.execute(
            sa.select(Opportunity.id, Opportunity.name)
            .join(Account, Account.id == Opportunity.account_id)
            .join(PipelineSnapshot, (PipelineSnapshot.opportunity_id == Opportunity.id)
                  & (PipelineSnapshot.day == base_day))
            .where(*where, Opportunity.status == Status.open,
                   Opportunity.expected_close > PipelineSnapshot.expected_close)
            .order_by(Opportunity.id))]  # fmt: skip
    return result
