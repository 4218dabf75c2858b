"""What the benchmark times for rep dependency: the whole-company report as it runs in production
(today's snapshot, taken by the scheduler each morning and kept up to date by every change),
fresh and again after 1,000 quick logs; the same report computed live from the day counts
(before the day's snapshot, or `?at=`); a director's team; and the departure of the person with
the most ties. The raw SQL beside each answers the same question by hand: the snapshot's rows,
or each person's weight per account with the key contacts they are tied to and the key contacts
themselves (on the accounts the person touches, for the departure)."""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from salesflow import clock
from salesflow.accounts.models import AccountMember, TeamRole
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import queries, snapshots
from salesflow.extensions import db
from salesflow.interactions import services as interactions
from salesflow.ties.models import TieTouch
from tools.bench.deals import Case, _in_request

REPEAT = 5  # each run reads a million day counts: a few runs give a stable median
QUICK_LOGS = 1000
KEY = "(c.decision_role = 'decision_maker' OR c.influence = 'high')"
IMPORTANCE = (
    "(CASE c.decision_role WHEN 'decision_maker' THEN 3.0 WHEN 'technical_evaluator' THEN 2.0 "
    "WHEN 'coach' THEN 2.0 WHEN 'unknown' THEN 0.5 ELSE 1.0 END) * "
    "(CASE c.influence WHEN 'high' THEN 1.5 WHEN 'low' THEN 0.5 ELSE 1.0 END)"
)


def _raw_figures(conn: sa.Connection, today: int, window: int, user_id: int | None) -> Any:
    """Each person's weight Σ importance × Σ touches × decay per account, with the key contacts
    they are tied to, and the current key contacts: what the figures are computed from."""
    postgres = conn.dialect.name == "postgresql"
    decay = (
        f"power(CAST(0.5 AS DOUBLE PRECISION), ({today} - t.day) / CAST(90 AS DOUBLE PRECISION))"
        if postgres
        else f"pow(0.5, ({today} - t.day) / 90.0)"
    )
    listed = (
        "string_agg(CAST(s.contact_id AS TEXT), ',')" if postgres else "group_concat(s.contact_id)"
    )
    touched = (
        f" AND t.account_id IN (SELECT account_id FROM tie_touches WHERE user_id = {int(user_id)}"
        f" AND day BETWEEN {today - window} AND {today})"
        if user_id
        else ""
    )
    weights = conn.exec_driver_sql(
        "SELECT s.account_id, s.user_id, SUM(s.strength * " + IMPORTANCE + "), "
        f"{listed} FROM (SELECT t.account_id, t.user_id, t.contact_id, "
        f"SUM(t.touches * {decay}) AS strength FROM tie_touches t "
        f"WHERE t.day BETWEEN {today - window} AND {today}{touched} "
        "GROUP BY t.account_id, t.user_id, t.contact_id) AS s "
        "JOIN contacts c ON c.id = s.contact_id AND c.account_id = s.account_id "
        "WHERE c.deleted_at IS NULL AND c.left_on IS NULL GROUP BY s.account_id, s.user_id"
    ).fetchall()
    keys = conn.exec_driver_sql(
        "SELECT c.account_id, c.id, c.decision_role, c.influence FROM contacts c "
        f"WHERE c.deleted_at IS NULL AND c.left_on IS NULL AND {KEY}"
    ).fetchall()
    return weights, keys


def _raw_snapshot(conn: sa.Connection, day: Any) -> Any:
    """Today's rows of the snapshot with their accounts' names."""
    return conn.execute(
        sa.text(
            "SELECT a.id, a.name, a.team_id, a.tier, s.shares, s.top_share, s.holder_id, "
            "s.effective_holders, s.key_contact_ids, s.uncovered_ids, s.single_threaded_ids, "
            "s.multi_threaded_coverage, s.bus_factor, s.risk FROM accounts a "
            "JOIN account_snapshots s ON s.account_id = a.id AND s.day = :day "
            "WHERE a.deleted_at IS NULL"
        ),
        {"day": day},
    ).fetchall()


def _quick_logs(app: Flask, count: int) -> None:
    """`count` quick logs after the morning's snapshot, each by an AR of its account with one
    contact, spread over the accounts, committed as people would (each refreshes its row)."""
    with app.app_context():
        pairs = db.session.execute(
            sa.select(Contact.account_id, Contact.id, AccountMember.user_id)
            .join(AccountMember, AccountMember.account_id == Contact.account_id)
            .where(
                AccountMember.role == TeamRole.AR,
                Contact.deleted_at.is_(None),
                Contact.left_on.is_(None),
            )
            .order_by(Contact.id)
        ).all()
        step = max(len(pairs) // count, 1)
        people = {u.id: u for u in db.session.scalars(sa.select(User))}
        for account_id, contact_id, user_id in pairs[::step][:count]:
            now = clock.now()
            data = {
                "account_id": account_id,
                "kind": "call",
                "occurred_at": now,
                "summary": "Bench: a quick log after the snapshot",
                "contact_ids": [contact_id],
            }
            interactions.log_interaction(data, actor=people[user_id], now=now)
            db.session.commit()
        db.session.remove()


def _after_quick_logs(app: Flask, leader: User, every: queries.ReportFilters) -> Any:
    """The report at the moment it is asked for; the first call (a warm-up) makes the quick logs."""
    done: list[bool] = []

    def call() -> Any:
        if not done:
            _quick_logs(app, QUICK_LOGS)
            done.append(True)
        return queries.report(leader, every, now=clock.now())

    return _in_request(app, call)


def dependency_cases(app: Flask, leader_id: int, director_id: int, now: datetime) -> list[Case]:
    with app.app_context():
        window = app.config["TIE_WINDOW_DAYS"]
        today, day = clock.day_number(now), clock.today(now)
        busiest = db.session.scalar(
            sa.select(TieTouch.user_id)
            .where(TieTouch.day.between(today - window, today))
            .group_by(TieTouch.user_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        snapshots.take(now=now)  # as the scheduler does each morning
        db.session.commit()
        # loaded after the commit, so they stay readable once detached
        leader, director = db.session.get(User, leader_id), db.session.get(User, director_id)
        db.session.remove()
    every = queries.ReportFilters()
    tomorrow = now + timedelta(days=1)  # no snapshot of that day: computed live
    cases = [
        Case(
            "dependency report, whole company",
            "leadership",
            "GET",
            _in_request(app, lambda: queries.report(leader, every, now=now)),
            lambda c: _raw_snapshot(c, day),
        ),
        Case(
            "dependency report, whole company, computed live",
            "leadership",
            "GET",
            _in_request(app, lambda: queries.report(leader, every, now=tomorrow)),
            lambda c: _raw_figures(c, today + 1, window, None),
        ),
        Case(
            "dependency report, the director's team",
            "director",
            "GET",
            _in_request(app, lambda: queries.report(director, every, now=now)),
            lambda c: _raw_snapshot(c, day),
        ),
    ]
    if busiest is not None:
        cases.append(
            Case(
                "departure simulation, the person with the most ties",
                "leadership",
                "GET",
                _in_request(app, lambda: queries.departure(leader, {busiest}, now=now)),
                lambda c: _raw_figures(c, today, window, busiest),
            )
        )
    cases.append(  # last: it writes
        Case(
            f"dependency report, whole company, after {QUICK_LOGS:,} quick logs",
            "leadership",
            "GET",
            _after_quick_logs(app, leader, every),
            lambda c: _raw_snapshot(c, day),
        )
    )
    return cases
