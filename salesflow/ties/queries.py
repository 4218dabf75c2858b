"""Reads of the tie counts: the tie window (defined once), where people have live ties, and each
contact's live ties with their strength (the arithmetic is ties.strength)."""

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from salesflow import clock
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.ties.models import TieTouch
from salesflow.ties.strength import tie_strengths


def in_window(now: datetime) -> sa.ColumnElement[bool]:
    """Day counts that make a live tie at `now`: the last TIE_WINDOW_DAYS company days, today
    included, never the future (PRODUCT.md, "Dependency analytics — exact definitions")."""
    today = clock.day_number(now)
    return TieTouch.day.between(today - current_app.config["TIE_WINDOW_DAYS"], today)


def tied_accounts(user_ids: Collection[int], *, now: datetime) -> sa.Select[tuple[int]]:
    """The accounts where any of `user_ids` has a live tie, as a select to union or probe."""
    return sa.select(TieTouch.account_id).where(TieTouch.user_id.in_(user_ids), in_window(now))


def live_ties(
    account_id: int, *, now: datetime, contact_id: int | None = None
) -> dict[int, list[tuple[User, float]]]:
    """Per contact of the account (or just `contact_id`): our users with a live tie, strongest
    first. One query on the touch counts for the whole account (plain rows: a few hundred day
    counts), and one for the few people they name."""
    config = current_app.config
    window, half_life = config["TIE_WINDOW_DAYS"], config["TIE_HALF_LIFE_DAYS"]
    query = sa.select(TieTouch.contact_id, TieTouch.user_id, TieTouch.day, TieTouch.touches).where(
        TieTouch.account_id == account_id, in_window(now)
    )
    if contact_id is not None:
        query = query.where(TieTouch.contact_id == contact_id)
    touches = [((cid, uid), day, count) for cid, uid, day, count in db.session.execute(query)]
    named = {uid for (_cid, uid), _day, _count in touches}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(named)))}
    strengths = tie_strengths(
        touches, today=clock.day_number(now), window_days=window, half_life_days=half_life
    )
    ties: dict[int, list[tuple[User, float]]] = defaultdict(list)
    for (cid, uid), strength in sorted(strengths.items(), key=lambda kv: (-kv[1], kv[0][1])):
        ties[cid].append((users[uid], strength))
    return dict(ties)
