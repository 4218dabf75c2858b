"""What the review's lists show beside each deal (issue 14): its AR and amount on the lists of
deals over their stage's limit, with gaps and overridden; who overrode; and a lost deal's reason
in the reader's language on the lost drill-downs. Read set-wise for the rows shown (a query or
two whatever their number); the figures themselves stay in pipeline.figures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import get_locale

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.key_accounts import deal_roles
from salesflow.opportunities.models import Opportunity, OpportunityRole, TriangleRole
from salesflow.pipeline.figures.compliance import Compliance
from salesflow.playbooks import registry
from salesflow.playbooks.schema import text

LOST_FIGURES = {"lost", "loss_reason", "week_lost"}  # their drill-downs show why, not weighted


@dataclass(frozen=True)
class DealFacts:
    ar: str | None  # the AR's name; None when the seat is empty
    amount: Decimal | None
    currency: str
    # its decision makers in the deal held by only one of our people (key_accounts.deal_roles)
    single_threaded: bool = False


@dataclass(frozen=True)
class Row:
    """A row of a review list (a Breach or a Gap) with the deal's facts."""

    item: Any
    facts: DealFacts


@dataclass(frozen=True)
class OverrideRow:
    change: Any  # the StageChange
    name: str  # the deal's
    by: str | None  # who overrode
    facts: DealFacts


def deal_facts(ids: Iterable[int], *, now: datetime) -> dict[int, DealFacts]:
    """Each deal's AR, amount, currency and whether it is single-threaded: two queries."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    ar = so.aliased(OpportunityRole)
    rows = db.session.execute(
        sa.select(Opportunity.id, User.name, Opportunity.amount, Opportunity.currency)
        .outerjoin(ar, (ar.opportunity_id == Opportunity.id) & (ar.role == TriangleRole.AR))
        .outerjoin(User, User.id == ar.user_id)
        .where(Opportunity.id.in_(wanted))
    )
    flagged = deal_roles.single_threaded(wanted, now=now)
    return {
        deal_id: DealFacts(name, amount, currency, deal_id in flagged)
        for deal_id, name, amount, currency in rows
    }


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted))).all())


def lists(
    breaches: list[Any], triangle: Any, chain: Any, compliance: Compliance, *, now: datetime
) -> dict[str, Any]:
    """The review's lists with their deals' facts: `breach_rows`, `triangle_rows`, `chain_rows`
    (Row) and `override_rows` (OverrideRow). Three queries."""
    overrides = compliance.overrides
    facts = deal_facts(
        [b.opportunity_id for b in breaches]
        + [g.opportunity_id for g in (*triangle.shown, *chain.shown)]
        + [change.opportunity_id for change, _name in overrides],
        now=now,
    )
    by = _names(change.actor_id for change, _name in overrides)
    none = DealFacts(None, None, "")
    return {
        "breach_rows": [Row(b, facts.get(b.opportunity_id, none)) for b in breaches],
        "triangle_rows": [Row(g, facts.get(g.opportunity_id, none)) for g in triangle.shown],
        "chain_rows": [Row(g, facts.get(g.opportunity_id, none)) for g in chain.shown],
        "override_rows": [
            OverrideRow(
                change, name, by.get(change.actor_id), facts.get(change.opportunity_id, none)
            )
            for change, name in overrides
        ],
    }


def loss_reasons(deals: Iterable[Opportunity]) -> dict[int, str]:
    """Each lost deal's reason in the reader's language, its note after it ("Price: 10% above
    the winner")."""
    locale, shown = get_locale(), {}
    for deal in deals:
        if deal.loss_reason is None:
            continue
        reason = registry.loss_reason(registry.playbook(deal.playbook_version), deal.loss_reason)
        shown[deal.id] = ": ".join(w for w in (text(reason.name, locale), deal.close_reason) if w)
    return shown
