"""What the benchmark times for rep dependency (issue 4's aim: under 2 s each at full size): the
whole-company report as it runs in production (today's snapshot, taken by the scheduler each
morning, plus whatever changed since), the same report computed live from the day counts (before
the day's snapshot, or `?at=`), a director's team, and the departure of the person with the most
ties; the raw SQL beside them is the tie-strength sum the live report reads."""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from salesflow import clock
from salesflow.auth.models import User
from salesflow.dependency import queries, snapshots
from salesflow.extensions import db
from salesflow.ties.models import TieTouch
from tools.bench.deals import Case, _in_request

REPEAT = 5  # each run reads a million day counts: a few runs give a stable median


def _raw_strengths(conn: sa.Connection, today: int, window: int, user_id: int | None) -> Any:
    weights = ", ".join(f"({today - age}, {0.5 ** (age / 90)!r})" for age in range(window + 1))
    where = f" AND t.user_id = {int(user_id)}" if user_id else ""
    return conn.exec_driver_sql(
        f"WITH weights(day, weight) AS (VALUES {weights}) "
        "SELECT t.account_id, t.user_id, t.contact_id, SUM(t.touches * weights.weight) "
        "FROM tie_touches t JOIN weights ON weights.day = t.day "
        f"WHERE t.day BETWEEN {today - window} AND {today}{where} "
        "GROUP BY t.account_id, t.user_id, t.contact_id"
    ).fetchall()


def dependency_cases(app: Flask, leader_id: int, director_id: int, now: datetime) -> list[Case]:
    with app.app_context():
        window = app.config["TIE_WINDOW_DAYS"]
        today = clock.day_number(now)
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
            lambda c: _raw_strengths(c, today, window, None),
        ),
        Case(
            "dependency report, whole company, computed live",
            "leadership",
            "GET",
            _in_request(app, lambda: queries.report(leader, every, now=tomorrow)),
            lambda c: _raw_strengths(c, today + 1, window, None),
        ),
        Case(
            "dependency report, the director's team",
            "director",
            "GET",
            _in_request(app, lambda: queries.report(director, every, now=now)),
            lambda c: _raw_strengths(c, today, window, None),
        ),
    ]
    if busiest is not None:
        cases.append(
            Case(
                "departure simulation, the person with the most ties",
                "leadership",
                "GET",
                _in_request(app, lambda: queries.departure(leader, {busiest}, now=now)),
                lambda c: _raw_strengths(c, today, window, busiest),
            )
        )
    return cases
