"""The daily aggregate of moves out of a stage (issue 15): per day (company calendar), team,
playbook version, stage left, move and gate result, how many deals left the stage — the moves,
conversions and gate results the review's period figures count. It holds every day up to
yesterday and is rebuilt whole each morning by the scheduler (`pipeline_moves`) and by
`flask pipeline rebuild-moves`; the review reads it for those days and computes today live
(figures/moves.py), the same pattern as the dependency snapshot, tested equal to the live
computation. With it, each account's team and deletion and the deleted deals as they were, so
that a later move of an account to another team, or a deletion, is counted live until the next
build. The same build recounts the open pipeline per team (open_deals.py) and the deals with an
iron-triangle gap (triangle_gaps.py)."""

from collections import Counter
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.pipeline import open_deals, triangle_gaps
from salesflow.pipeline.figures.moves import EXITS
from salesflow.pipeline.models import PipelineMoveAccount, PipelineMoveBuild, PipelineMoveDay

BATCH = 2000


def _counts(end: datetime) -> Counter[tuple]:
    """The exits before `end` of the deals and accounts not deleted, per day and Key, under the
    account's team: the stage changes streamed once, each day on the company calendar."""
    rows = db.session.execute(
        sa.select(
            StageChange.at,
            Account.team_id,
            Opportunity.playbook_version_id,
            StageChange.from_stage,
            StageChange.move,
            StageChange.gates_met,
            StageChange.overridden,
        )
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            StageChange.move.in_(EXITS),
            StageChange.at < end,
            Opportunity.deleted_at.is_(None),
            Account.deleted_at.is_(None),
        )
        .execution_options(yield_per=5000)
    )
    return Counter(
        (clock.today(at), team, version, stage, Move(move), bool(met), bool(over))
        for at, team, version, stage, move, met, over in rows
    )


def _insert(model: type, values: list[dict]) -> None:
    for start in range(0, len(values), BATCH):
        db.session.execute(sa.insert(model), values[start : start + BATCH])


def rebuild(*, now: datetime) -> int:
    """Replace the aggregate with the days up to the one before `now`'s (company calendar), the
    accounts' teams and the deleted deals as they are; returns the rows written. Flushes,
    never commits."""
    through = clock.today(now) - timedelta(days=1)
    end = datetime.combine(through + timedelta(days=1), time.min, clock.zone())
    accounts = db.session.execute(
        sa.select(Account.id, Account.team_id, Account.deleted_at.is_not(None))
    ).all()
    deleted = db.session.scalars(
        sa.select(Opportunity.id).where(Opportunity.deleted_at.is_not(None))
    ).all()
    counts = _counts(end)
    for model in (PipelineMoveDay, PipelineMoveAccount, PipelineMoveBuild):
        db.session.execute(sa.delete(model))
    keys = ("day", "team_id", "playbook_version_id", "from_stage", "move", "gates_met")
    _insert(
        PipelineMoveDay,
        [
            {**dict(zip(keys, key[:-1], strict=True)), "overridden": key[-1], "moves": n}
            for key, n in counts.items()
        ],
    )
    _insert(
        PipelineMoveAccount,
        [{"account_id": a, "team_id": t, "deleted": bool(d)} for a, t, d in accounts],
    )
    db.session.add(PipelineMoveBuild(through=through, built_at=now, deleted_deals=sorted(deleted)))
    db.session.flush()
    open_deals.rebuild(now=now)  # the open pipeline too: kept by every change, recounted daily
    triangle_gaps.rebuild(now=now)  # and the iron-triangle gaps, kept the same way
    return len(counts)
