"""The pipeline figures of PRODUCT.md ("Pipeline figures"), set-wise: a few grouped queries over
the deals a director or leadership may see, whatever their number. Amounts are summed per
currency, never across currencies."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities import rules
from salesflow.opportunities.models import (
    Move,
    Opportunity,
    OpportunityRole,
    StageChange,
    Status,
)
from salesflow.opportunities.queries import next_month
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook
from salesflow.validation import parse_month

CENTS = Decimal("0.01")


def versions() -> dict[int, Playbook]:
    """Every stored playbook version, parsed (cached by the registry)."""
    return {v.id: registry.playbook(v) for v in db.session.scalars(sa.select(PlaybookVersion))}


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
            OpportunityRole.user_id == filters.user_id
        )
        where.append(Opportunity.id.in_(held))
    if filters.playbook:
        where.append(
            Opportunity.playbook_version_id.in_(_versions_of(by_version, filters.playbook))
        )
    return where


def _versions_of(by_version: dict[int, Playbook], key: str) -> list[int]:
    return [v for v, p in by_version.items() if p.key == key]


def _moved(*conditions: Any) -> sa.ColumnElement[bool]:
    """The deal has a stage change meeting `conditions` (one per deal for a drill-down)."""
    return Opportunity.id.in_(sa.select(StageChange.opportunity_id).where(*conditions))


def _in_period(column: Any, filters: Filters, now: datetime) -> list[sa.ColumnElement[bool]]:
    start, end = period(filters, now)
    return [column >= start, column < end]


def _in_week(column: Any, now: datetime) -> list[sa.ColumnElement[bool]]:
    return [column > now - timedelta(days=WEEK), column <= now]


EXITS = (Move.advanced, Move.moved_back, Move.won, Move.lost)  # ways of leaving a stage
FORWARD = (Move.advanced, Move.won)  # winning leaves the last stage forward


@dataclass
class StageFigures:
    playbook: str
    stage: str
    count: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)
    breaches: int = 0
    oldest_days: int = 0  # the longest any open deal has been in the stage
    oldest_over: bool = False  # that deal is over the stage's time limit
    sla_days: int = 0


def funnel(user: User, filters: Filters, *, now: datetime) -> list[StageFigures]:
    """Per stage of each playbook, the open deals: count, amount and weighted amount per
    currency, and SLA breaches; in playbook order (stages of the newest version first, those
    only older versions have after them). Weighted amounts and breaches by the deal's rules
    (opportunities.rules). One grouped query."""
    by_version = versions()
    breach = sa.func.sum(sa.case((rules.over_limit_sql(by_version, now), 1), else_=0))
    rows = db.session.execute(
        sa.select(
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.currency,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Opportunity.amount), 0),
            rules.weighted_sum_sql(by_version),
            breach,
            sa.func.min(Opportunity.stage_entered_at),
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open)
        .group_by(Opportunity.playbook_version_id, Opportunity.stage_key, Opportunity.currency)
    ).all()
    figures: dict[tuple[str, str], StageFigures] = {}
    for version_id, stage_key, currency, count, amount, weighted, breaches, entered in rows:
        playbook = by_version[version_id]
        key = (playbook.key, stage_key)
        stage = playbook.stage(stage_key)
        row = figures.setdefault(
            key, StageFigures(playbook.key, stage_key, sla_days=stage.sla_days)
        )
        row.oldest_days = max(row.oldest_days, rules.days_in_stage(entered, now))
        row.oldest_over = row.oldest_over or rules.over_limit(entered, stage.sla_days, now)
        amount = Decimal(amount)
        row.count += count
        row.breaches += int(breaches or 0)
        row.amount[currency] = row.amount.get(currency, Decimal(0)) + amount
        row.weighted[currency] = row.weighted.get(currency, Decimal(0)) + rules.from_cents(weighted)
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
    rows = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Account.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.stage_entered_at,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *_where(user, filters, by_version),
            Opportunity.status == Status.open,
            rules.over_limit_sql(by_version, now),
        )
        .order_by(Opportunity.stage_entered_at, Opportunity.id)
        .limit(limit)
    ).all()
    found = []
    for deal_id, name, account, version_id, stage_key, entered in rows:
        playbook = by_version[version_id]
        stage = playbook.stage(stage_key)
        found.append(
            Breach(
                deal_id,
                name,
                account,
                playbook.key,
                stage_key,
                rules.days_in_stage(entered, now),
                stage.sla_days,
            )
        )
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


Moves = list[tuple[int, str | None, Move, bool, bool, int]]


def period_moves(user: User, filters: Filters, *, now: datetime) -> Moves:
    """Every way of leaving a stage in the period, counted per (version, from stage, move,
    gates met, overridden): the one pass over the period's stage changes that both gate
    compliance and conversion read. One grouped query."""
    group = (
        Opportunity.playbook_version_id,
        StageChange.from_stage,
        StageChange.move,
        StageChange.gates_met,
        StageChange.overridden,
    )
    rows = db.session.execute(
        sa.select(*group, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *_where(user, filters, versions()),
            StageChange.move.in_(EXITS),
            *_in_period(StageChange.at, filters, now),
        )
        .group_by(*group)
    ).all()
    return [
        (v, stage, Move(move), bool(met), bool(over), int(n))
        for v, stage, move, met, over, n in rows
    ]


def gate_compliance(
    user: User, filters: Filters, *, now: datetime, moves: Moves | None = None
) -> Compliance:
    """Forward advances in the period (default: the last 90 days): how many met every gate, and
    the newest OVERRIDES_SHOWN overrides with their reasons (and how many there were). Reads
    `moves` (period_moves) when given, and one query for the overrides shown."""
    by_version = versions()
    result = Compliance()
    for _version, _stage, move, met, overridden, count in (
        period_moves(user, filters, now=now) if moves is None else moves
    ):
        if move == Move.advanced:
            result.advances += count
            result.met += count if met else 0
            result.override_count += count if overridden else 0
    where = [
        *_where(user, filters, by_version),
        StageChange.move == Move.advanced,
        *_in_period(StageChange.at, filters, now),
    ]
    overrides = db.session.execute(
        sa.select(StageChange, Opportunity.name)
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, StageChange.overridden.is_(True))
        .order_by(StageChange.at.desc(), StageChange.id.desc())
        .limit(OVERRIDES_SHOWN)
    ).all()
    result.overrides = [tuple(r) for r in overrides]
    return result


PERIOD_DAYS = 90


def period(filters: Filters, now: datetime) -> tuple[datetime, datetime]:
    """The period as a half-open range of moments: from the start day's midnight to the day
    after the end day, on the company calendar (default: the 90 days up to today)."""
    tz, today = clock.zone(), clock.today(now)
    end = filters.end or today
    start = filters.start or end - timedelta(days=PERIOD_DAYS - 1)
    return (
        datetime.combine(start, datetime.min.time(), tz),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
    )


def forecast(
    user: User, filters: Filters, *, now: datetime
) -> list[tuple[str, dict[str, Decimal]]]:
    """The weighted amount of the open deals per expected close month ("YYYY-MM"; "" for deals
    without a date) and currency, month by month (opportunities.rules). One grouped query."""
    by_version = versions()
    rows = db.session.execute(
        sa.select(
            Opportunity.expected_close,
            Opportunity.currency,
            rules.weighted_sum_sql(by_version),
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), Opportunity.status == Status.open)
        .group_by(Opportunity.expected_close, Opportunity.currency)
    ).all()
    months: dict[str, dict[str, Decimal]] = {}
    for close, currency, weighted in rows:
        month = months.setdefault(close.strftime("%Y-%m") if close else "", {})
        month[currency] = month.get(currency, Decimal(0)) + rules.from_cents(weighted)
    order = sorted(months, key=lambda month: (month == "", month))  # undated last
    return [(m, {c: v.quantize(CENTS) for c, v in sorted(months[m].items())}) for m in order]


def _loss_reason() -> sa.ColumnElement[str]:
    return sa.func.coalesce(Opportunity.close_reason, "")


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
    where = [*_where(user, filters, by_version), *_in_period(Opportunity.closed_at, filters, now)]

    def query(*columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).join(Account, Account.id == Opportunity.account_id).where(*where)

    counts = {
        status: int(n)
        for status, n in db.session.execute(
            query(Opportunity.status, sa.func.count()).group_by(Opportunity.status)
        )
    }
    cycles = [
        (closed - created).total_seconds() / 86400
        for created, closed in db.session.execute(
            query(Opportunity.created_at, Opportunity.closed_at).where(
                Opportunity.status == Status.won
            )
        )
    ]
    reason = _loss_reason()
    reasons = [
        (text, int(n))
        for text, n in db.session.execute(
            query(reason, sa.func.count())
            .where(Opportunity.status == Status.lost)
            .group_by(reason)
            .order_by(sa.func.count().desc(), reason)
        )
    ]
    return Outcomes(
        counts.get(Status.won, 0),
        counts.get(Status.lost, 0),
        sum(cycles) / len(cycles) if cycles else None,
        reasons,
    )


@dataclass
class Conversion:
    playbook: str
    stage: str
    forward: int = 0  # advanced to the next stage, or won from it
    left: int = 0  # forward, moved back, won or lost

    @property
    def rate(self) -> float | None:
        return self.forward / self.left if self.left else None


def conversion(
    user: User, filters: Filters, *, now: datetime, moves: Moves | None = None
) -> list[Conversion]:
    """Per stage, of the deals that left it in the period, the share that left it forward
    (PRODUCT.md: forward ÷ forward, back, won or lost; winning leaves the last stage forward).
    Reads `moves` (period_moves) when given, else makes it."""
    by_version = versions()
    found: dict[tuple[str, str], Conversion] = {}
    for version_id, stage, move, _met, _overridden, count in (
        period_moves(user, filters, now=now) if moves is None else moves
    ):
        if stage is None:
            continue
        key = by_version[version_id].key
        row = found.setdefault((key, stage), Conversion(key, stage))
        row.left += count
        if move in FORWARD:
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


@dataclass
class Gaps:
    total: int  # every deal with the gap
    shown: list[Gap]  # the first GAP_LIMIT of them, oldest deal first


GAP_LIMIT = 200


def _needed_roles(by_version: dict[int, Playbook]) -> dict[tuple[int, str], frozenset[str]]:
    """Per (version, stage): the iron-triangle roles its `roles` gates ask for."""
    from salesflow.playbooks.gates import RolesGate

    return {
        (v, s.key): frozenset(str(r) for g in s.exit if isinstance(g, RolesGate) for r in g.roles)
        for v, p in by_version.items()
        for s in p.stages
    }


def _triangle_gap(by_version: dict[int, Playbook]) -> sa.ColumnElement[bool]:
    """Open and in a stage whose `roles` gate asks for a role no active user holds on it. The
    roles held come from one grouped pass over the seats (per deal, a 0/1 column per role), so
    the database joins two sets rather than probing each deal."""
    from salesflow.auth.models import User as Person

    by_roles: dict[frozenset[str], list[tuple[int, str]]] = {}
    for place, roles in _needed_roles(by_version).items():
        if roles:
            by_roles.setdefault(roles, []).append(place)
    if not by_roles:
        return sa.false()
    held = (
        sa.select(
            OpportunityRole.opportunity_id.label("deal_id"),
            *(
                sa.func.max(sa.case((OpportunityRole.role == role, 1), else_=0)).label(role)
                for role in sorted({r for roles in by_roles for r in roles})
            ),
        )
        .join(Person, Person.id == OpportunityRole.user_id)
        .where(Person.active.is_(True))
        .group_by(OpportunityRole.opportunity_id)
        .subquery()
    )
    deal = so.aliased(Opportunity)
    lacking = sa.or_(
        *(
            sa.or_(*((deal.playbook_version_id == v) & (deal.stage_key == s) for v, s in places))
            & sa.or_(*(sa.func.coalesce(held.c[role], 0) == 0 for role in sorted(roles)))
            for roles, places in by_roles.items()
        )
    )
    return Opportunity.id.in_(
        sa.select(deal.id)
        .outerjoin(held, held.c.deal_id == deal.id)
        .where(deal.status == Status.open, lacking)
    )


def _gap_rows(user: User, filters: Filters, condition: Any, *extra: Any) -> tuple[int, list[Any]]:
    """How many deals meet `condition`, and the first GAP_LIMIT of them (id, name, account,
    version, stage, *extra); one query, the count a window over all of them."""
    rows = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Account.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            *extra,
            sa.func.count().over(),
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, versions()), condition)
        .order_by(Opportunity.id)
        .limit(GAP_LIMIT)
    ).all()
    return (int(rows[0][-1]) if rows else 0), [tuple(row)[:-1] for row in rows]


def triangle_gaps(user: User, filters: Filters, *, now: datetime) -> Gaps:
    """Open deals missing an iron-triangle role their current stage's `roles` gate asks for (an
    active user in the role): how many, and the first GAP_LIMIT with the roles missing. Two
    queries."""
    from salesflow.auth.models import User as Person

    by_version = versions()
    total, deals = _gap_rows(user, filters, _triangle_gap(by_version))
    held: dict[int, set[str]] = {}
    for deal_id, role in db.session.execute(
        sa.select(OpportunityRole.opportunity_id, OpportunityRole.role)
        .join(Person, Person.id == OpportunityRole.user_id)
        .where(OpportunityRole.opportunity_id.in_([d[0] for d in deals]), Person.active.is_(True))
    ):
        held.setdefault(deal_id, set()).add(str(role))
    needed = _needed_roles(by_version)
    return Gaps(
        total,
        [
            Gap(
                deal_id,
                name,
                account,
                by_version[version_id].key,
                stage,
                tuple(sorted(needed[(version_id, stage)] - held.get(deal_id, set()))),
            )
            for deal_id, name, account, version_id, stage in deals
        ],
    )


DECISION_MAKER_DAYS = 30


def _decision_makers() -> tuple[Any, ...]:
    from salesflow.contacts.models import Contact, DecisionRole

    return (Contact.decision_role == DecisionRole.decision_maker, Contact.is_current)


def _maker_mapped() -> sa.ColumnElement[bool]:
    """The deal's account has a decision maker mapped (a current contact)."""
    from salesflow.contacts.models import Contact

    return Opportunity.account_id.in_(sa.select(Contact.account_id).where(*_decision_makers()))


def _chain_gap(by_version: dict[int, Playbook], now: datetime) -> sa.ColumnElement[bool]:
    """Open, past its playbook's first stage, and its account has no decision maker mapped or
    nobody met one in the last DECISION_MAKER_DAYS days (company calendar days, read from the
    tie touches that every logged interaction keeps, not from the interactions)."""
    from salesflow.contacts.models import Contact
    from salesflow.ties.models import TieTouch

    past_first = [
        (Opportunity.playbook_version_id == v) & (Opportunity.stage_key != p.first_stage.key)
        for v, p in by_version.items()
    ]
    if not past_first:
        return sa.false()
    today = clock.day_number(now)
    makers = sa.select(Contact.id).where(*_decision_makers())  # a set to probe, not a join
    met = sa.select(TieTouch.account_id).where(
        TieTouch.day >= today - DECISION_MAKER_DAYS,
        TieTouch.day <= today,
        TieTouch.contact_id.in_(makers),
    )
    return (
        (Opportunity.status == Status.open)
        & sa.or_(*past_first)
        & sa.or_(~_maker_mapped(), ~Opportunity.account_id.in_(met))
    )


def chain_gaps(user: User, filters: Filters, *, now: datetime) -> Gaps:
    """Open deals past their playbook's first stage whose account has no decision maker mapped
    (a current contact), or nobody met one in the last 30 days: how many, and the first
    GAP_LIMIT. One query."""
    by_version = versions()
    total, rows = _gap_rows(user, filters, _chain_gap(by_version, now), _maker_mapped())
    return Gaps(
        total,
        [
            Gap(
                deal_id,
                name,
                account,
                by_version[version_id].key,
                stage,
                ("decision_maker",) if not has_maker else ("decision_maker_contact",),
            )
            for deal_id, name, account, version_id, stage, has_maker in rows
        ],
    )


@dataclass
class Movement:
    start: date  # the week: the 7 days up to today
    new: int = 0
    advanced: int = 0
    regressed: int = 0
    won: int = 0
    lost: int = 0
    slipped: int | None = None  # deals; None: no snapshot to compare with


WEEK = 7
WEEK_MOVES = {
    Move.advanced: "advanced",
    Move.moved_back: "regressed",
    Move.won: "won",
    Move.lost: "lost",
}


def _slip_base(now: datetime) -> date | None:
    """The pipeline snapshot the week is compared with: the latest one on or before the week's
    first day."""
    from salesflow.pipeline.models import PipelineSnapshot
    from salesflow.pipeline.snapshots import snapshot_day

    return db.session.scalar(
        sa.select(sa.func.max(PipelineSnapshot.day)).where(
            PipelineSnapshot.day <= snapshot_day(now - timedelta(WEEK))
        )
    )


def _slipped(base_day: date) -> sa.ColumnElement[bool]:
    """Open, and its expected close is later than in the snapshot of `base_day`."""
    from salesflow.pipeline.models import PipelineSnapshot

    return (Opportunity.status == Status.open) & (
        sa.select(PipelineSnapshot.id)
        .where(
            PipelineSnapshot.opportunity_id == Opportunity.id,
            PipelineSnapshot.day == base_day,
            Opportunity.expected_close > PipelineSnapshot.expected_close,
        )
        .exists()
    )


def week_start(now: datetime) -> date:
    """The first day of the week the movement counts: the company-calendar day 7 days ago."""
    from salesflow.pipeline.snapshots import snapshot_day

    return snapshot_day(now - timedelta(days=WEEK))


def movement(user: User, filters: Filters, *, now: datetime) -> Movement:
    """The week's movement: deals created, moves forward and back, won and lost in the last 7
    days, and how many open deals' expected close moved later since the pipeline snapshot of
    the week's first day (the latest one on or before it). Four queries."""
    by_version = versions()
    where = _where(user, filters, by_version)
    result = Movement(week_start(now))

    def count(*conditions: Any) -> int:
        return int(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Opportunity)
                .join(Account, Account.id == Opportunity.account_id)
                .where(*where, *conditions)
            )
            or 0
        )

    result.new = count(*_in_week(Opportunity.created_at, now))
    for move, moves in db.session.execute(
        sa.select(StageChange.move, sa.func.count())
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*where, StageChange.move.in_(WEEK_MOVES), *_in_week(StageChange.at, now))
        .group_by(StageChange.move)
    ):
        setattr(result, WEEK_MOVES[move], int(moves))
    base_day = _slip_base(now)
    if base_day is not None:
        result.slipped = count(_slipped(base_day))
    return result


# The deals behind each number of the review: a figure's name maps to its condition on the deal,
# built from the same pieces as the figure. `key` says which row: "playbook:stage", a close month
# "YYYY-MM" ("" for undated), a loss reason; None for a number with no rows.
Condition = Any


def _stage_of(by_version: dict[int, Playbook], key: str | None) -> Condition:
    playbook, _, stage = (key or "").partition(":")
    ids = _versions_of(by_version, playbook)
    if not ids or not any(stage in {s.key for s in by_version[v].stages} for v in ids):
        raise LookupError(key)
    return Opportunity.playbook_version_id.in_(ids), stage


def _open_in_stage(by_version, filters, key, now) -> Condition:
    versions_in, stage = _stage_of(by_version, key)
    return sa.and_(Opportunity.status == Status.open, versions_in, Opportunity.stage_key == stage)


def _late(by_version, filters, key, now) -> Condition:
    over = (Opportunity.status == Status.open) & rules.over_limit_sql(by_version, now)
    return over if not key else over & _open_in_stage(by_version, filters, key, now)


def _closing_in(by_version, filters, key, now) -> Condition:
    if key == "":
        return (Opportunity.status == Status.open) & Opportunity.expected_close.is_(None)
    try:
        first = parse_month(key)
    except ValueError:
        raise LookupError(key) from None
    if first is None:
        raise LookupError(key)
    return sa.and_(
        Opportunity.status == Status.open,
        Opportunity.expected_close >= first,
        Opportunity.expected_close < next_month(first),
    )


def _closed(status: Status) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return sa.and_(
            Opportunity.status == status, *_in_period(Opportunity.closed_at, filters, now)
        )

    return condition


def _lost_for(by_version, filters, key, now) -> Condition:
    return _closed(Status.lost)(by_version, filters, key, now) & (_loss_reason() == (key or ""))


def _left(moves: tuple[Move, ...]) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        versions_in, stage = _stage_of(by_version, key)
        return versions_in & _moved(
            StageChange.move.in_(moves),
            StageChange.from_stage == stage,
            *_in_period(StageChange.at, filters, now),
        )

    return condition


def _advanced(*conditions: Any) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return _moved(
            StageChange.move == Move.advanced,
            *conditions,
            *_in_period(StageChange.at, filters, now),
        )

    return condition


def _week_move(move: Move) -> Any:
    def condition(by_version, filters, key, now) -> Condition:
        return _moved(StageChange.move == move, *_in_week(StageChange.at, now))

    return condition


def _new(by_version, filters, key, now) -> Condition:
    return sa.and_(*_in_week(Opportunity.created_at, now))


def _slipped_this_week(by_version, filters, key, now) -> Condition:
    base_day = _slip_base(now)
    return sa.false() if base_day is None else _slipped(base_day)


DRILLS: dict[str, Any] = {
    "stage": _open_in_stage,
    "late": _late,
    "month": _closing_in,
    "won": _closed(Status.won),
    "lost": _closed(Status.lost),
    "loss_reason": _lost_for,
    "left": _left(EXITS),
    "left_forward": _left(FORWARD),
    "advances": _advanced(),
    "advances_met": _advanced(StageChange.gates_met.is_(True)),
    "overrides": _advanced(StageChange.overridden.is_(True)),
    "triangle_gaps": lambda by_version, filters, key, now: _triangle_gap(by_version),
    "chain_gaps": lambda by_version, filters, key, now: _chain_gap(by_version, now),
    "week_new": _new,
    "week_advanced": _week_move(Move.advanced),
    "week_regressed": _week_move(Move.moved_back),
    "week_won": _week_move(Move.won),
    "week_lost": _week_move(Move.lost),
    "week_slipped": _slipped_this_week,
}


def drill(user: User, filters: Filters, figure: str, key: str | None, *, now: datetime) -> Any:
    """The deals behind one number of the review, as a query of Opportunity for a page
    (unordered); LookupError for an unknown figure or a key that names no row."""
    if figure not in DRILLS:
        raise LookupError(figure)
    by_version = versions()
    condition = DRILLS[figure](by_version, filters, key, now)
    ids = (
        sa.select(Opportunity.id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*_where(user, filters, by_version), condition)
    )
    return sa.select(Opportunity).where(Opportunity.id.in_(ids))
