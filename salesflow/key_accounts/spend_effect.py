"""Did the spend buy relationships? For each account, over a year: the key-contact coverage at
the first and the last daily snapshot of the period (the share of key contacts someone of ours
holds), and how many of its contacts' attitudes moved warmer or cooler (the contacts' audit
trail) — beside what was spent. Set-wise: two queries for any number of accounts."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Attitude
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.key_accounts import spend

# Warmest first, as Attitude lists them; `unknown` is no position (a move to or from it is none).
RANK = {a.value: i for i, a in enumerate(a for a in Attitude if a != Attitude.unknown)}


@dataclass(frozen=True)
class Effect:
    coverage_from: float | None  # key contacts held at the first snapshot of the period, 0–1
    coverage_to: float | None  # and at its last
    warmer: int  # attitude changes toward champion in the period
    cooler: int  # attitude changes toward opponent

    @property
    def coverage_change(self) -> float | None:
        if self.coverage_from is None or self.coverage_to is None:
            return None
        return self.coverage_to - self.coverage_from


def _coverage(key: int, uncovered: int) -> float | None:
    return None if not key else (key - uncovered) / key


def coverage(ids: list[int], year: int) -> dict[int, tuple[float | None, float | None]]:
    """Each account's key-contact coverage at its first and last snapshot of `year`: one query."""
    first, last = sa.func.min(AccountSnapshot.day), sa.func.max(AccountSnapshot.day)
    bounds = (
        sa.select(AccountSnapshot.account_id, first.label("first"), last.label("last"))
        .where(
            AccountSnapshot.account_id.in_(ids),
            AccountSnapshot.day.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(AccountSnapshot.account_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            AccountSnapshot.account_id,
            AccountSnapshot.day,
            AccountSnapshot.key_contacts,
            AccountSnapshot.uncovered_key_contacts,
            bounds.c.first,
        ).join(
            bounds,
            sa.and_(
                bounds.c.account_id == AccountSnapshot.account_id,
                sa.or_(AccountSnapshot.day == bounds.c.first, AccountSnapshot.day == bounds.c.last),
            ),
        )
    ).all()
    found: dict[int, list] = {}
    for account_id, day, key, uncovered, first_day in rows:
        pair = found.setdefault(account_id, [None, None])
        value = _coverage(key, uncovered)
        if day == first_day:
            pair[0] = value
        if day != first_day or pair[1] is None:
            pair[1] = value
    return {a: (p[0], p[1]) for a, p in found.items()}


def attitude_moves(ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """Each account's contacts' attitude changes in `year`, (warmer, cooler): one query."""
    start, end = spend.year_bounds(year)
    entries = db.session.execute(
        sa.select(AuditEntry.account_id, AuditEntry.changes).where(
            AuditEntry.account_id.in_(ids),
            AuditEntry.entity_type == "contacts",
            AuditEntry.action == "update",
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
    ).all()
    moves: dict[int, list[int]] = {}
    for account_id, changes in entries:
        old, new = (changes or {}).get("attitude") or (None, None)
        if old not in RANK or new not in RANK:
            continue
        pair = moves.setdefault(account_id, [0, 0])
        pair[0 if RANK[new] < RANK[old] else 1] += 1
    return {a: (w, c) for a, (w, c) in moves.items()}


def effects(ids: list[int], year: int) -> dict[int, Effect]:
    """The coverage and attitude moves of each account in `year`: two queries."""
    if not ids:
        return {}
    covered = coverage(ids, year)
    moved = attitude_moves(ids, year)
    return {a: Effect(*covered.get(a, (None, None)), *moved.get(a, (0, 0))) for a in ids}
