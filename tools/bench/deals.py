"""What the benchmark times for opportunities: the pipeline board, the list, the opportunity page
and the CSV export as pages, and the facts loader and the board query as functions, each next to
the hand-written SQL of bench_sql_deals."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.dependency import snapshots
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.opportunities import queries
from salesflow.opportunities.facts import load_facts
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline import aggregate
from salesflow.playbooks import registry
from tools.bench import sql_deals as raw
from tools.bench.sql import Viewer

FACTS_DEALS = 50  # a page of deals whose gates are evaluated at once
BOARD = "enterprise"
SORT = {"sort": "amount", "dir": "desc"}


@dataclass(frozen=True)
class Case:
    """One timed thing: a page (`path` is checked against the app's routes) or a function."""

    page: str
    role: str
    method: str
    call: Callable[[], Any]
    raw: Callable[[sa.Connection], Any]
    path: str | None = None


@dataclass(frozen=True)
class DealTarget:
    """The open deal the rep sees with the most interactions on it, the rep's first deals by
    expected close (for the facts loader) and the director's team (for the export)."""

    opportunity_id: int
    interactions: int
    facts_ids: tuple[int, ...]
    team_id: int
    team_deals: int


def _visible(viewer: Viewer) -> sa.ColumnElement[bool]:
    accounts = sa.select(Account.id).where(Account.deleted_at.is_(None))
    if not viewer.sees_all:
        accounts = accounts.where(Account.team_id == viewer.team_id)
    return sa.and_(Opportunity.account_id.in_(accounts), Opportunity.deleted_at.is_(None))


def pick_deals(app: Flask, rep: Viewer, director: Viewer) -> DealTarget | None:
    """None when the database holds no open deal the rep sees."""
    with app.app_context():
        open_deal = sa.and_(_visible(rep), Opportunity.status == Status.open)
        busiest = db.session.execute(
            sa.select(Opportunity.id, sa.func.count(Interaction.id).label("n"))
            .outerjoin(Interaction, Interaction.opportunity_id == Opportunity.id)
            .where(open_deal)
            .group_by(Opportunity.id)
            .order_by(sa.desc("n"))
            .limit(1)
        ).first()
        first = db.session.scalars(
            sa.select(Opportunity.id)
            .where(open_deal)
            .order_by(queries.SORTS["close"], Opportunity.id)
            .limit(FACTS_DEALS)
        ).all()
        team_deals = db.session.scalar(
            sa.select(sa.func.count()).select_from(Opportunity).where(_visible(director))
        )
        db.session.remove()
    if busiest is None:
        return None
    return DealTarget(busiest[0], busiest[1], tuple(first), director.team_id or 0, team_deals)


def morning(app: Flask, now: datetime) -> None:
    """What the scheduler builds each morning for the pages, built once before they are timed:
    the review's daily aggregate of moves up to yesterday (the pipeline_moves job) and today's
    dependency snapshot (dependency_snapshot)."""
    with app.app_context():
        aggregate.rebuild(now=now)
        snapshots.take(now=now)
        db.session.commit()
        db.session.remove()


def _read(response: Any) -> Any:
    """Read the whole body (a streamed export is produced while it is read)."""
    response.get_data()
    return response


def page_cases(role: str, client: Any, viewer: Viewer, deal: DealTarget, now: datetime):
    """The opportunity pages one person opens: the board and the review (leadership and
    directors), the list, the opportunity page (reps and leadership), the team's export
    (directors)."""
    cases = []
    if role in ("leadership", "director"):
        cases.append(
            Case(
                f"/pipeline?playbook={BOARD}",
                role,
                "GET",
                lambda: _read(client.get("/pipeline", query_string={"playbook": BOARD})),
                lambda c: raw.board(c, viewer, BOARD),
                "/pipeline",
            )
        )
    if role in ("leadership", "director"):  # raw SQL beside it: the board's stage sums
        cases.append(
            Case(
                "/pipeline/review",
                role,
                "GET",
                lambda: _read(client.get("/pipeline/review")),
                lambda c: raw.board(c, viewer, BOARD),
                "/pipeline/review",
            )
        )
    cases.append(
        Case(
            "/opportunities?sort=amount&dir=desc",
            role,
            "GET",
            lambda: _read(client.get("/opportunities", query_string=SORT)),
            lambda c: raw.opportunity_list(c, viewer),
            "/opportunities",
        )
    )
    if role in ("rep", "leadership"):
        path = f"/opportunities/{deal.opportunity_id}"
        cases.append(
            Case(
                f"/opportunities/{{id}} ({deal.interactions} interactions)",
                role,
                "GET",
                lambda: _read(client.get(path)),
                lambda c: raw.opportunity_page(c, viewer, deal.opportunity_id, now),
                path,
            )
        )
    if role == "director":  # the team's every deal, in both formats
        query = {"team_id": deal.team_id, "status": "all"}
        for export in ("/opportunities/export.csv", "/opportunities/export.xlsx"):
            cases.append(
                Case(
                    f"{export}?team_id={{team}}&status=all ({deal.team_deals:,} deals)",
                    role,
                    "GET",
                    lambda export=export: _read(client.get(export, query_string=query)),
                    lambda c: raw.export(c, viewer, deal.team_id),
                    export,
                )
            )
    return cases


def _in_request(app: Flask, work: Callable[[], Any]) -> Callable[[], Any]:
    """`work` in a request of its own, its session closed after (nothing cached between runs)."""

    def call() -> Any:
        with app.test_request_context():
            try:
                return work()
            finally:
                db.session.remove()

    return call


def function_cases(app: Flask, leader_id: int, deal: DealTarget, now: datetime) -> list[Case]:
    """load_facts for a page of deals, and queries.board for the whole company."""
    with app.app_context():
        deals = db.session.scalars(
            sa.select(Opportunity).where(Opportunity.id.in_(deal.facts_ids))
        ).all()  # loaded once; their columns stay readable after the session closes
        leader = db.session.get(User, leader_id)
        playbook = registry.file_playbooks(app).get(BOARD)
        db.session.remove()
    every = Viewer(leader_id, None, sees_all=True)
    cases = [
        Case(
            f"facts.load_facts ({len(deals)} opportunities)",
            "-",
            "GET",
            _in_request(app, lambda: load_facts(deals, now=now)),
            lambda c: raw.facts(c, list(deal.facts_ids), now),
        )
    ]
    if playbook is not None:
        filters = queries.OpportunityFilters()
        cases.append(
            Case(
                f"queries.board({BOARD}, whole company)",
                "leadership",
                "GET",
                _in_request(app, lambda: queries.board(leader, playbook, filters)),
                lambda c: raw.board(c, every, BOARD, options=False),
            )
        )
    return cases
