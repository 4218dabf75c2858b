"""Keeping the tie touch counts (TieTouch) in step with the interactions.

Ages are whole days on the company's calendar (clock.day_number): an interaction on 2026-05-24 is
180 days old on 2026-11-20 and still inside a 180-day window, whatever the hour. Every change of an
interaction applies the difference of its (account, user, contact, day) pairs in the same
transaction, with one upsert; `rebuild()` recomputes the table from the interactions.
"""

from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from salesflow import clock
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.ties.models import TieChange, TieTouch

Key = tuple[int, int, int, int]  # account, contact, user, day
KEY_COLUMNS = ("account_id", "contact_id", "user_id", "day")
BATCH = 5000


def pairs(interaction: Interaction) -> Counter[Key]:
    """The touches an interaction makes: each participant with each attendee, on its day; none
    when it is deleted."""
    if interaction.deleted_at is not None:
        return Counter()
    return pairs_of(
        interaction.account_id,
        interaction.occurred_at,
        [u.id for u in interaction.participants],
        [c.id for c in interaction.attendees],
    )


def pairs_of(
    account_id: int,
    occurred_at: datetime,
    user_ids: list[int],
    contact_ids: list[int],
) -> Counter[Key]:
    """The touches of an interaction given by its ids (many logged at once): the same pairs."""
    day = clock.day_number(occurred_at)
    return Counter((account_id, c, u, day) for u in user_ids for c in contact_ids)


def difference(before: Counter[Key], after: Counter[Key]) -> Counter[Key]:
    """after − before, keeping negative counts (a tie that went away)."""
    delta = Counter(after)
    delta.subtract(before)
    return delta


def _upsert(rows: list[dict[str, int]]) -> None:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    statement = insert(TieTouch).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"touches": TieTouch.touches + statement.excluded.touches},
    )
    db.session.execute(statement)


def apply(delta: Counter[Key]) -> None:
    """Add `delta` to the counts (one upsert), dropping rows that reach zero; the accounts whose
    counts changed are followed (changed).

    Rows are locked in key order, whatever order the people were named in: two logs of the same
    meeting then queue for the same first row instead of each holding a row the other needs
    (a deadlock on PostgreSQL)."""
    keys = sorted(key for key, n in delta.items() if n)
    if not keys:
        return
    _upsert([dict(zip(KEY_COLUMNS, key, strict=True), touches=delta[key]) for key in keys])
    for key in keys:
        if delta[key] < 0:
            db.session.execute(
                sa.delete(TieTouch).where(
                    *(getattr(TieTouch, c) == v for c, v in zip(KEY_COLUMNS, key, strict=True)),
                    TieTouch.touches <= 0,
                )
            )
    changed({key[0] for key in keys}, now=clock.now())


# What else keeps in step with the counts, in the same transaction: the dependency report's
# figures of the day (dependency.snapshots.refresh). The reports are not imported here (memory
# never imports them, tests/test_layering.py): the app factory hands the function over
# (create_app → register_reports).
ON_CHANGE = "salesflow.ties_changed"


def changed(account_ids: Collection[int], *, now: datetime) -> None:
    """Say that what these accounts' relationship figures are made of changed in this
    transaction — their tie counts, a contact's role, influence, leaving or deletion, who has
    gone, their team — so that what follows the figures (ON_CHANGE) refreshes them now; noted
    (TieChange) for a snapshot taken while this transaction is still open. Within together(),
    the accounts are gathered and followed once, at its end."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    db.session.execute(sa.insert(TieChange), [{"account_id": a, "at": now} for a in ids])
    pending = db.session.info.get(PENDING)
    if pending is not None:
        pending.update(ids)
        return
    _follow(ids, now=now)


def _follow(account_ids: list[int], *, now: datetime) -> None:
    follow = current_app.extensions.get(ON_CHANGE)
    if follow is not None:
        follow(account_ids, now=now)


PENDING = "salesflow.ties_pending"


@contextmanager
def together(*, now: datetime) -> Iterator[None]:
    """Follow the changes made inside once, at the end, for every account they named (an
    import's chunk of rows, each through its service: one refresh instead of one a row)."""
    if PENDING in db.session.info:  # already gathering: the outer block follows them
        yield
        return
    db.session.info[PENDING] = pending = set()
    try:
        yield
    finally:
        del db.session.info[PENDING]
    _follow(sorted(pending), now=now)


def _all_pairs() -> Iterator[Counter[Key]]:
    """Every touch of the interactions (not deleted), a batch of interactions at a time."""
    attendees, participants = interaction_attendees.c, interaction_participants.c
    last = 0
    while True:
        ids = db.session.scalars(
            sa.select(Interaction.id)
            .where(Interaction.id > last, Interaction.deleted_at.is_(None))
            .order_by(Interaction.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return
        last = ids[-1]
        rows = db.session.execute(
            sa.select(
                Interaction.account_id,
                attendees.contact_id,
                participants.user_id,
                Interaction.occurred_at,
            )
            .join(interaction_attendees, attendees.interaction_id == Interaction.id)
            .join(interaction_participants, participants.interaction_id == Interaction.id)
            .where(Interaction.id.in_(ids))
        )
        yield Counter(
            (account, contact, user, clock.day_number(at)) for account, contact, user, at in rows
        )


def rebuild() -> int:
    """Recompute every count from the interactions; returns the number of rows. Flushes, never
    commits (the CLI command commits)."""
    db.session.execute(sa.delete(TieTouch))
    total: Counter[Key] = Counter()
    for batch in _all_pairs():
        total.update(batch)
    rows = [dict(zip(KEY_COLUMNS, key, strict=True), touches=n) for key, n in total.items()]
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(TieTouch), rows[start : start + BATCH])
    return len(rows)
