"""The figures' inputs for many accounts, computed set-wise in SQL (STYLE.md rule 11): each
person's weight in each account — Σ importance(C)·s(E, C) over its current contacts (PRODUCT.md,
Share) — summed in the database from the day counts, a table of decay weights and the contacts'
importance, and each key contact's tied people aggregated there too. A row per account and person
and one per key contact reach Python, instead of one per tie (248,000 for the whole company).
"""

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.contacts.models import DecisionRole, Influence
from salesflow.dependency import metrics
from salesflow.extensions import db
from salesflow.ties.strength import decay

BY_ACCOUNT_LIMIT = 2000
WORK_MEM = "64MB"
CURRENT = "c.deleted_at IS NULL AND c.left_on IS NULL"
KEY = f"(c.decision_role = '{DecisionRole.decision_maker}' OR c.influence = '{Influence.high}')"


def _importance() -> str:
    """importance(C) = role weight × influence weight (metrics.ContactIn.importance) in SQL."""
    roles = " ".join(f"WHEN '{r}' THEN {w!r}" for r, w in metrics.ROLE_WEIGHTS.items())
    influence = " ".join(f"WHEN '{i}' THEN {w!r}" for i, w in metrics.INFLUENCE_WEIGHTS.items())
    return f"(CASE c.decision_role {roles} END) * (CASE c.influence {influence} END)"


def _window(now: datetime) -> tuple[str, dict[str, int]]:
    config = current_app.config
    window, half_life = config["TIE_WINDOW_DAYS"], config["TIE_HALF_LIFE_DAYS"]
    today = clock.day_number(now)
    # our own numbers, not user input: written into the statement as literals
    values = ", ".join(f"({today - age}, {decay(age, half_life)!r})" for age in range(window + 1))
    return values, {"first": today - window, "today": today}


def _weights(ids: list[int] | None, now: datetime) -> sa.TextClause:
    """(account, user, weight) for the accounts `ids` (None: all)."""
    values, bounds = _window(now)
    source, day = "tie_touches AS t", "t.day"
    if db.session.get_bind().dialect.name == "sqlite":
        # read from the covering index in the order they are grouped (no sort), the day
        # counts the outer loop, each looking its day's weight up (queries._strengths)
        source, day = "tie_touches AS t INDEXED BY ix_tie_touches_account_id_user_id", "+t.day"
    where = "" if ids is None else " AND t.account_id IN :ids"
    # One level: each day count × its day's weight × its contact's importance, summed per
    # account and person (the sum of the strengths weighted by importance, regrouped).
    statement = sa.text(
        f"WITH weights(day, weight) AS (VALUES {values}) "
        f"SELECT t.account_id, t.user_id, SUM(t.touches * weights.weight * {_importance()}) "
        f"FROM {source} JOIN weights ON weights.day = {day} "
        "JOIN contacts AS c ON c.id = t.contact_id AND c.account_id = t.account_id "
        f"WHERE t.day BETWEEN :first AND :today{where} AND {CURRENT} "
        "GROUP BY t.account_id, t.user_id"
    ).bindparams(**bounds)
    if ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", ids, expanding=True))
    return statement


def _keys(ids: list[int] | None, now: datetime) -> sa.TextClause:
    """(account, key contact, role, influence, the users tied to it as "1,2,3" or NULL)."""
    _values, bounds = _window(now)
    day = "t.day"
    if db.session.get_bind().dialect.name == "postgresql":
        users = "string_agg(DISTINCT CAST(t.user_id AS TEXT), ',')"
    else:
        # by (account, contact): the primary key's index, not the account's whole window
        users, day = "group_concat(DISTINCT t.user_id)", "+t.day"
    where = "" if ids is None else " AND c.account_id IN :ids"
    statement = sa.text(
        f"SELECT c.account_id, c.id, c.decision_role, c.influence, {users} "
        "FROM contacts AS c LEFT JOIN tie_touches AS t "
        "ON t.account_id = c.account_id AND t.contact_id = c.id "
        f"AND {day} BETWEEN :first AND :today "
        f"WHERE {CURRENT} AND {KEY}{where} "
        "GROUP BY c.account_id, c.id, c.decision_role, c.influence "
        "ORDER BY c.account_id, c.id"
    ).bindparams(**bounds)
    if ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", ids, expanding=True))
    return statement


def holdings(
    account_ids: set[int] | None, *, now: datetime, keeps=None
) -> dict[int, metrics.Holdings]:
    """Each account's Holdings at `now` (None: every account that is not deleted), in three
    queries; `keeps(account_id, user_id)`: whether a person's ties there still count (the
    ties of the people who are gone are left out: queries.Gone)."""
    accounts = sa.select(Account.id).where(Account.deleted_at.is_(None))
    if account_ids is not None:
        accounts = accounts.where(Account.id.in_(account_ids))
    ids = db.session.scalars(accounts.order_by(Account.id)).all()
    few = account_ids is not None and len(ids) <= BY_ACCOUNT_LIMIT
    chosen = list(ids) if few else None
    connection = db.session.connection()
    if chosen is None and connection.dialect.name == "postgresql":
        # the whole company's day counts grouped in memory, not sorted on disk (the default
        # work_mem, 4 MB, spilled 50 MB to disk), for this transaction only
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
    weights: dict[int, dict[int, float]] = defaultdict(dict)
    for account_id, user_id, weight in connection.execute(_weights(chosen, now)).all():
        if weight and weight > 0 and (keeps is None or keeps(account_id, user_id)):
            weights[account_id][user_id] = float(weight)
    keys: dict[int, list[metrics.ContactIn]] = defaultdict(list)
    tied: dict[int, dict[int, frozenset[int]]] = defaultdict(dict)
    for account_id, contact_id, role, influence, users in connection.execute(
        _keys(chosen, now)
    ).all():
        keys[account_id].append(metrics.ContactIn(contact_id, role, influence))
        people = (int(u) for u in users.split(",")) if users else ()
        tied[account_id][contact_id] = frozenset(
            u for u in people if keeps is None or keeps(account_id, u)
        )
    return {
        a: metrics.Holdings(a, weights.get(a, {}), tuple(keys.get(a, ())), tied.get(a, {}))
        for a in ids
    }
