"""The open pipeline per team (issue 15): the open deals counted per team, playbook version,
stage, currency and the company day each entered its stage (PipelineOpenStage), and their
weighted amounts per team, version, currency and expected close date (PipelineOpenClose). The
review's funnel and forecast read them for the teams a reader sees, instead of every open deal of
the company on every request.

Kept in the transaction of every change: each flush that changes a deal (its account, playbook
version, stage, amount, currency, close date, status or deletion) or an account's team or
deletion recounts the groups it touched from the deals themselves (a stage of a team, a close
date of a team); a bulk statement on the deals or accounts recounts everything at the commit.
Rebuilt whole each morning with the moves' aggregate (aggregate.rebuild) and by `flask pipeline
rebuild-moves`; before its first build the review computes these figures live. Tested equal to
the live computation (tests/pipeline/test_open_deals.py)."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline.figures.filters import Filters, deals_where, versions
from salesflow.pipeline.figures.moves import teams_where
from salesflow.pipeline.models import PipelineOpenBuild, PipelineOpenClose, PipelineOpenStage
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion

BATCH = 2000
WHOLE = 200  # more groups touched at once than this: recount everything (an import's flush)
STALE = "pipeline_open_stale"  # session.info: a bulk statement changed deals or accounts
# what a deal's place in the aggregates depends on
FIELDS = (
    "account_id",
    "playbook_version_id",
    "stage_key",
    "currency",
    "amount",
    "expected_close",
    "stage_entered_at",
    "status",
    "deleted_at",
)

StageGroup = tuple[int, int, str]  # team, version, stage
CloseKey = tuple[int, int, str, Any]  # team, version, currency, expected close (or None)


def _probabilities(session: so.Session) -> dict[tuple[int, str], int]:
    """Each stage's probability, of the versions `session` sees (one stored in its transaction,
    with the deal moved to it, too)."""
    versions = session.scalars(sa.select(PlaybookVersion)).all()
    return {
        (v.id, stage.key): stage.probability
        for v in versions
        for stage in registry.playbook(v).stages
    }


def _cents(amount: Decimal | None) -> int:
    return int((Decimal(amount or 0) * 100).quantize(Decimal(1)))


def _open_deals(conn: sa.Connection, *where: Any) -> list[Any]:
    """The open deals, not deleted, of accounts not deleted, that `where` selects."""
    return conn.execute(
        sa.select(
            Account.team_id,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.currency,
            Opportunity.amount,
            Opportunity.stage_entered_at,
            Opportunity.expected_close,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
            *where,
        )
    ).all()


def _counted(rows: Iterable[Any], probability: dict[tuple[int, str], int]) -> tuple[dict, dict]:
    """The rows of both aggregates for the deals given, by their keys."""
    stages: dict[tuple, list] = {}
    closes: dict[tuple, list] = {}
    for team, version, stage, currency, amount, entered, close in rows:
        weighted = _cents(rules.weighted_amount(amount, probability.get((version, stage), 0)))
        key = (team, version, stage, currency, clock.today(entered))
        group = stages.setdefault(key, [0, 0, 0, entered])
        group[0] += 1
        group[1] += _cents(amount)
        group[2] += weighted
        group[3] = min(group[3], entered)
        total = closes.setdefault((team, version, currency, close), [0, 0])
        total[0] += 1
        total[1] += weighted
    return stages, closes


def _insert(conn: sa.Connection, stages: dict, closes: dict) -> None:
    stage_keys = ("team_id", "playbook_version_id", "stage_key", "currency", "entered_on")
    close_keys = ("team_id", "playbook_version_id", "currency", "expected_close")
    for table, rows in (
        (
            PipelineOpenStage.__table__,
            [
                {
                    **dict(zip(stage_keys, key, strict=True)),
                    "deals": n,
                    "amount_cents": amount,
                    "weighted_cents": weighted,
                    "first_entered_at": first,
                }
                for key, (n, amount, weighted, first) in stages.items()
            ],
        ),
        (
            PipelineOpenClose.__table__,
            [
                {**dict(zip(close_keys, key, strict=True)), "deals": n, "weighted_cents": weighted}
                for key, (n, weighted) in closes.items()
            ],
        ),
    ):
        for start in range(0, len(rows), BATCH):
            conn.execute(sa.insert(table), rows[start : start + BATCH])


def rebuild(*, now: datetime) -> int:
    """Recount both aggregates from every open deal; returns the stage rows written. Flushes,
    never commits."""
    db.session.flush()
    conn = db.session.connection()
    stages, closes = _counted(_open_deals(conn), _probabilities(db.session))
    for model in (PipelineOpenStage, PipelineOpenClose, PipelineOpenBuild):
        conn.execute(sa.delete(model.__table__))
    _insert(conn, stages, closes)
    conn.execute(sa.insert(PipelineOpenBuild.__table__).values(built_at=now))
    db.session.info.pop(STALE, None)
    return len(stages)


def built() -> bool:
    """Whether the aggregates were built (and are therefore kept)."""
    return db.session.scalar(sa.select(PipelineOpenBuild.id).limit(1)) is not None


def _stage_where(team: Any, version: Any, stage: Any, groups: set[StageGroup]):
    return sa.or_(*((team == t) & (version == v) & (stage == s) for t, v, s in sorted(groups)))


def _close_where(team: Any, version: Any, currency: Any, close: Any, keys: set[CloseKey]):
    return sa.or_(
        *(
            (team == t) & (version == v) & (currency == c) & close.is_not_distinct_from(d)
            for t, v, c, d in sorted(keys, key=repr)
        )
    )


def recount(session: so.Session, groups: set[StageGroup], keys: set[CloseKey]) -> None:
    """Recount the stage groups and close keys given from their deals (a few queries)."""
    conn = session.connection()
    s, c = PipelineOpenStage.__table__.c, PipelineOpenClose.__table__.c
    probability = _probabilities(session)
    if groups:
        conn.execute(
            sa.delete(PipelineOpenStage.__table__).where(
                _stage_where(s.team_id, s.playbook_version_id, s.stage_key, groups)
            )
        )
        where = _stage_where(
            Account.team_id, Opportunity.playbook_version_id, Opportunity.stage_key, groups
        )
        stages, _closes = _counted(_open_deals(conn, where), probability)
        _insert(conn, stages, {})
    if keys:
        conn.execute(
            sa.delete(PipelineOpenClose.__table__).where(
                _close_where(c.team_id, c.playbook_version_id, c.currency, c.expected_close, keys)
            )
        )
        where = _close_where(
            Account.team_id,
            Opportunity.playbook_version_id,
            Opportunity.currency,
            Opportunity.expected_close,
            keys,
        )
        _stages, closes = _counted(_open_deals(conn, where), probability)
        _insert(conn, {}, closes)


def _values(obj: Any, *, before: bool) -> tuple:
    """A deal's FIELDS as they were before the flush or are now (their old values are loaded
    when they are set: _load_old_values)."""
    state = sa.inspect(obj)
    values = []
    for name in FIELDS:
        history = state.attrs[name].history
        values.append(history.deleted[0] if before and history.deleted else getattr(obj, name))
    return tuple(values)


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _touched(session: so.Session) -> tuple[list[tuple], dict[int, set[int]]]:
    """The deals' states the flush touched (before and after), and the accounts whose team or
    deletion changed with the teams they had before."""
    states: list[tuple] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Opportunity):
            continue
        if obj in session.new or obj in session.deleted or _changed(obj, FIELDS):
            states.append(None if obj in session.new else _values(obj, before=True))
            states.append(None if obj in session.deleted else _values(obj, before=False))
    accounts: dict[int, set[int]] = {}
    for obj in session.dirty:
        if isinstance(obj, Account) and _changed(obj, ("team_id", "deleted_at")):
            before = sa.inspect(obj).attrs.team_id.history.deleted
            accounts[obj.id] = {obj.team_id, *before}
    return [s for s in states if s is not None], accounts


def _keys(conn: sa.Connection, states: list[tuple], accounts: dict[int, set[int]]):
    """The stage groups and close keys of the deals' states and of every open deal of the
    accounts given, under each team their account had or has."""
    if accounts:
        states += conn.execute(
            sa.select(*(getattr(Opportunity, name) for name in FIELDS)).where(
                Opportunity.account_id.in_(sorted(accounts)),
                Opportunity.status == Status.open,
            )
        ).all()
    wanted = sorted({state[0] for state in states})
    teams = {
        account: {team}
        for account, team in conn.execute(
            sa.select(Account.id, Account.team_id).where(Account.id.in_(wanted))
        )
    }
    groups: set[StageGroup] = set()
    keys: set[CloseKey] = set()
    for account, version, stage, currency, _amount, close, *_rest in states:
        for team in teams.get(account, set()) | accounts.get(account, set()):
            groups.add((team, version, stage))
            keys.add((team, version, currency, close))
    return groups, keys


def _load_old_values(*_args: Any) -> None:
    """Nothing to do on a set: registered with active_history, so that the value an attribute
    had is loaded before it changes, and a flush knows the group a deal left."""


for _name in FIELDS:
    sa.event.listen(getattr(Opportunity, _name), "set", _load_old_values, active_history=True)
for _name in ("team_id", "deleted_at"):
    sa.event.listen(getattr(Account, _name), "set", _load_old_values, active_history=True)


@sa.event.listens_for(so.Session, "after_flush")
def _keep(session: so.Session, _context: Any) -> None:
    """Recount what the flush touched, in its transaction, once the aggregates are built."""
    states, accounts = _touched(session)
    if not states and not accounts:
        return
    conn = session.connection()
    if conn.execute(sa.select(PipelineOpenBuild.__table__.c.id).limit(1)).first() is None:
        return
    groups, keys = _keys(conn, states, accounts)
    if len(groups) + len(keys) > WHOLE:
        session.info[STALE] = True  # recounted whole at the commit
        return
    recount(session, groups, keys)


@sa.event.listens_for(so.Session, "do_orm_execute")
def _bulk(state: so.ORMExecuteState) -> None:
    """A bulk insert, update or delete of deals or accounts: recount everything at the commit."""
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(table, "name", None) in (
        Opportunity.__tablename__,
        Account.__tablename__,
    ):
        state.session.info[STALE] = True


@sa.event.listens_for(so.Session, "before_commit")
def _whole(session: so.Session) -> None:
    if session.info.pop(STALE, False) and built():
        rebuild(now=clock.now())


def readable(user: Any, filters: Any) -> bool:
    """Whether the figures of `user` under `filters` may be read from the aggregates: built, for
    a reviewer (whole teams), without a person filter (the aggregates know no people)."""
    return not filters.user_id and scope.can_review_pipeline(user) and built()


def stage_rows(user: Any, filters: Any, by_version: dict[int, Any], now: datetime) -> list[tuple]:
    """The funnel's rows from the aggregate, as its live query gives them: (version, stage,
    currency, deals, amount, weighted cents, deals over the stage's limit, first entry). A deal
    entered on the day a stage's limit falls is over it or not to the second: those days are
    counted live (one query on the scope's deals of those stages and days)."""
    table = PipelineOpenStage
    group = (table.playbook_version_id, table.stage_key, table.currency)
    rows = db.session.execute(
        sa.select(
            *group,
            table.entered_on,
            sa.func.sum(table.deals),
            sa.func.sum(table.amount_cents),
            sa.func.sum(table.weighted_cents),
            sa.func.min(table.first_entered_at),
        )
        .where(*teams_where(user, filters, by_version, table.team_id, table.playbook_version_id))
        .group_by(*group, table.entered_on)
    ).all()
    limits = _limits(by_version, now)
    found: dict[tuple, list] = {}
    boundary: set[tuple[int, str]] = set()
    for version, stage, currency, entered_on, deals, amount, weighted, first in rows:
        row = found.setdefault((version, stage, currency), [0, 0, 0, 0, first])
        row[0] += int(deals)
        row[1] += int(amount)
        row[2] += int(weighted)
        row[4] = min(row[4], first)
        cutoff = limits.get((version, stage))
        if cutoff is not None and entered_on < clock.today(cutoff):
            row[3] += int(deals)
        elif cutoff is not None and entered_on == clock.today(cutoff):
            boundary.add((version, stage))
    for key, over in _over_on_the_day(user, filters, by_version, limits, boundary).items():
        if key in found:
            found[key][3] += over
    return [
        (v, s, c, n, Decimal(amount) / 100, weighted, over, first)
        for (v, s, c), (n, amount, weighted, over, first) in found.items()
    ]


def _limits(by_version: dict[int, Any], now: datetime) -> dict[tuple[int, str], datetime]:
    """Per (version, stage): the moment before which a deal entered it is over its limit."""
    return {
        (v, stage.key): now - timedelta(days=stage.sla_days)
        for v, playbook in by_version.items()
        for stage in playbook.stages
    }


def _over_on_the_day(user, filters, by_version, limits, places) -> dict[tuple, int]:
    """The deals over their stage's limit that entered it on the day the limit falls, for the
    (version, stage) places given, per (version, stage, currency)."""
    if not places:
        return {}
    tz = clock.zone()
    on_the_day = []
    for version, stage in sorted(places):
        cutoff = limits[(version, stage)]
        midnight = datetime.combine(clock.today(cutoff), time.min, tz)
        on_the_day.append(
            (Opportunity.playbook_version_id == version)
            & (Opportunity.stage_key == stage)
            & (Opportunity.stage_entered_at >= midnight)
            & (Opportunity.stage_entered_at < cutoff)
        )
    group = (Opportunity.playbook_version_id, Opportunity.stage_key, Opportunity.currency)
    rows = db.session.execute(
        sa.select(*group, sa.func.count())
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *deals_where(user, filters, by_version),
            Opportunity.status == Status.open,
            sa.or_(*on_the_day),
        )
        .group_by(*group)
    )
    return {(v, s, c): int(n) for v, s, c, n in rows}


def close_rows(user: Any, filters: Any, by_version: dict[int, Any]) -> list[tuple]:
    """The forecast's rows from the aggregate, as its live query gives them: (expected close,
    currency, weighted cents)."""
    table = PipelineOpenClose
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(table.expected_close, table.currency, sa.func.sum(table.weighted_cents))
            .where(
                *teams_where(user, filters, by_version, table.team_id, table.playbook_version_id)
            )
            .group_by(table.currency, table.expected_close)
        )
    ]


def board_totals(user: Any, playbook_key: str, team_id: int | None) -> list[tuple] | None:
    """The board's column totals of playbook `playbook_key` (of one team, or every team `user`
    sees) from the aggregate: (version, stage, currency, deals, amount, weighted cents); None
    when it cannot say (not built, or a reader who does not see whole teams)."""
    by_version = versions()
    filters = Filters(team_id=team_id, playbook=playbook_key)
    if not readable(user, filters):
        return None
    table = PipelineOpenStage
    group = (table.playbook_version_id, table.stage_key, table.currency)
    rows = db.session.execute(
        sa.select(
            *group,
            sa.func.sum(table.deals),
            sa.func.sum(table.amount_cents),
            sa.func.sum(table.weighted_cents),
        )
        .where(*teams_where(user, filters, by_version, table.team_id, table.playbook_version_id))
        .group_by(*group)
    )
    return [(v, s, c, int(n), Decimal(a) / 100, int(w)) for v, s, c, n, a, w in rows]
