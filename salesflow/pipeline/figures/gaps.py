"""What the two gap lists share (iron-triangle gaps in triangle.py, decision-chain gaps in
chain.py): a gap, how many deals have it, and the first GAP_LIMIT of them."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity
from salesflow.pipeline.figures.filters import Filters, deals_where, versions

GAP_LIMIT = 50  # the rest behind "See them all" (its drill-down), so the page stays light


@dataclass(frozen=True)
class Gap:
    opportunity_id: int
    name: str
    account: str
    playbook: str
    stage: str
    missing: tuple[str, ...]  # roles, or "decision_maker" / "decision_maker_contact"


@dataclass
class Gaps:
    total: int  # every deal with the gap
    shown: list[Gap]  # the first GAP_LIMIT of them, oldest deal first


def gap_rows(user: User, filters: Filters, condition: Any, *extra: Any) -> tuple[int, list[Any]]:
    """How many deals meet `condition`, and the first GAP_LIMIT of them (id, name, account,
    version, stage, *extra). Two queries: the ids of every such deal, unordered (an ORDER BY id
    with a LIMIT made PostgreSQL walk every deal in id order), then the rows of the first."""
    ids = db.session.scalars(
        sa.select(Opportunity.id)
        .join(Account, Account.id == Opportunity.account_id)
        .where(*deals_where(user, filters, versions()), condition)
    )
    return first_rows(list(ids), *extra)


def first_rows(ids: list[int], *extra: Any) -> tuple[int, list[Any]]:
    """How many deals `ids` holds, and the rows of the first GAP_LIMIT by id (one query)."""
    first = sorted(ids)[:GAP_LIMIT]
    if not first:
        return 0, []
    rows = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Account.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            *extra,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.id.in_(first))
        .order_by(Opportunity.id)
    ).all()
    return len(ids), [tuple(row) for row in rows]
