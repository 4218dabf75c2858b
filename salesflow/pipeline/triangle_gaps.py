"""The iron-triangle gaps kept per deal (issue 15): the open deals in a stage whose `roles` gate
asks for a role no active user holds on them (figures.triangle.triangle_gap), one row each
(PipelineTriangleGap). The review's gap list reads these few deals, narrowed by the reader's
scope and filters, instead of testing the seats of every open deal of the company.

Kept in the transaction of every change: each flush that creates, moves (account, playbook
version, stage), closes, reopens, deletes, restores or removes a deal, fills, changes or empties
a seat (OpportunityRole), or deactivates or reactivates a user, tests again the deals it touched
(a deactivated person's seat counts as empty, as in the live rule); a bulk statement on deals,
seats or users tests every deal again at the commit. An account's team or deletion changes
nothing here: the list is narrowed by the accounts, as they are, for the reader's scope and
filters when it is read. Rebuilt whole each
morning with the moves' aggregate (aggregate.rebuild) and by `flask pipeline rebuild-moves`;
before its first build the review tests the seats live. Tested equal to the live computation
(tests/pipeline/test_triangle_gaps.py)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import clock
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole
from salesflow.pipeline.figures.triangle import triangle_gap
from salesflow.pipeline.models import PipelineTriangleBuild, PipelineTriangleGap
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion

BATCH = 2000
STALE = "pipeline_triangle_stale"  # session.info: a bulk statement changed deals, seats or users
# what a deal's row depends on
DEAL_FIELDS = ("account_id", "playbook_version_id", "stage_key", "status", "deleted_at")
SEAT_FIELDS = ("opportunity_id", "role", "user_id")
TABLES = (Opportunity.__tablename__, OpportunityRole.__tablename__, User.__tablename__)


def _versions(session: so.Session) -> dict[int, Any]:
    """The playbook versions `session` sees (one stored in its transaction too), parsed."""
    return {v.id: registry.playbook(v) for v in session.scalars(sa.select(PlaybookVersion))}


def _gaps(conn: sa.Connection, versions: dict[int, Any], *where: Any) -> list[dict]:
    """The rows of the deals `where` selects that have a gap (open and not deleted)."""
    return [
        {"opportunity_id": deal, "account_id": account, "playbook_version_id": version}
        for deal, account, version in conn.execute(
            sa.select(Opportunity.id, Opportunity.account_id, Opportunity.playbook_version_id)
            .where(Opportunity.deleted_at.is_(None), triangle_gap(versions), *where)
            .order_by(Opportunity.id)
        )
    ]


def _insert(conn: sa.Connection, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(sa.insert(PipelineTriangleGap.__table__), rows[start : start + BATCH])


def rebuild(*, now: datetime) -> int:
    """Test every deal's seats again; returns the gaps written. Flushes, never commits."""
    db.session.flush()
    conn = db.session.connection()
    rows = _gaps(conn, _versions(db.session))
    for model in (PipelineTriangleGap, PipelineTriangleBuild):
        conn.execute(sa.delete(model.__table__))
    _insert(conn, rows)
    conn.execute(sa.insert(PipelineTriangleBuild.__table__).values(built_at=now))
    db.session.info.pop(STALE, None)
    return len(rows)


def built() -> bool:
    """Whether the gaps were built (and are therefore kept)."""
    return db.session.scalar(sa.select(PipelineTriangleBuild.id).limit(1)) is not None


def retest(session: so.Session, deal_ids: Iterable[int]) -> None:
    """Test the deals given again (a few queries per BATCH of them)."""
    wanted = sorted(set(deal_ids))
    conn = session.connection()
    versions = _versions(session)
    table = PipelineTriangleGap.__table__
    for start in range(0, len(wanted), BATCH):
        some = wanted[start : start + BATCH]
        conn.execute(sa.delete(table).where(table.c.opportunity_id.in_(some)))
        _insert(conn, _gaps(conn, versions, Opportunity.id.in_(some)))


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _seat_deals(obj: OpportunityRole) -> set[int]:
    """The deal a seat is on, and the one it was on before the flush."""
    before = sa.inspect(obj).attrs.opportunity_id.history.deleted
    return {i for i in (obj.opportunity_id, *before) if i is not None}


def _touched(session: so.Session) -> tuple[set[int], set[int]]:
    """The deals the flush touched (created, moved, closed or reopened, removed, a seat of
    theirs changed) and the users whose activity changed."""
    deals: set[int] = set()
    users: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        fresh = obj in session.new or obj in session.deleted
        if isinstance(obj, Opportunity) and (fresh or _changed(obj, DEAL_FIELDS)):
            deals.add(obj.id)
        elif isinstance(obj, OpportunityRole) and (fresh or _changed(obj, SEAT_FIELDS)):
            deals |= _seat_deals(obj)
        elif isinstance(obj, User) and not fresh and _changed(obj, ("active",)):
            users.add(obj.id)
    return deals, users


def _load_old_values(*_args: Any) -> None:
    """Nothing to do on a set: registered with active_history, so that the deal a seat was on
    is loaded before it changes, and a flush tests that deal again too."""


sa.event.listen(OpportunityRole.opportunity_id, "set", _load_old_values, active_history=True)


@sa.event.listens_for(so.Session, "after_flush")
def _keep(session: so.Session, _context: Any) -> None:
    """Test again what the flush touched, in its transaction, once the gaps are built."""
    deals, users = _touched(session)
    if not deals and not users:
        return
    conn = session.connection()
    if conn.execute(sa.select(PipelineTriangleBuild.__table__.c.id).limit(1)).first() is None:
        return
    if users:
        deals |= set(
            conn.scalars(
                sa.select(OpportunityRole.opportunity_id).where(
                    OpportunityRole.user_id.in_(sorted(users))
                )
            )
        )
    retest(session, deals)


@sa.event.listens_for(so.Session, "do_orm_execute")
def _bulk(state: so.ORMExecuteState) -> None:
    """A bulk insert, update or delete of deals, seats or users: test every deal at the commit."""
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(
        table, "name", None
    ) in TABLES:
        state.session.info[STALE] = True


@sa.event.listens_for(so.Session, "before_commit")
def _whole(session: so.Session) -> None:
    if session.info.pop(STALE, False) and built():
        rebuild(now=clock.now())
