"""A deal's derived rules (PRODUCT.md, Pipeline figures), each defined once: a Python side for a
loaded deal and a SQL side for a query, which agree on both engines. Pages, the API, the review,
exports and jobs use these and write none of them again.

- Days in stage: now − the moment the deal entered its stage; shown as whole days (floor).
- Over the stage's time limit (a breach): days in stage > the stage's sla_days, in exact time —
  a deal 14.5 days into a 14-day stage is over it.
- Weighted amount: amount × the current stage's probability (percent), rounded to the cent, half
  up, deal by deal; a total is the sum of its deals' rounded weighted amounts.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from salesflow.opportunities.models import Opportunity
from salesflow.playbooks.schema import Playbook

CENTS = Decimal("0.01")


def days_in_stage(entered_at: datetime, now: datetime) -> int:
    """Whole days since the deal entered its stage (the number shown; never below 0)."""
    return max((now - entered_at).days, 0)


def over_limit(entered_at: datetime, sla_days: int, now: datetime) -> bool:
    """In the stage longer than its sla_days, to the second (the breach)."""
    return now - entered_at > timedelta(days=sla_days)


def over_limit_sql(
    by_version: dict[int, Playbook], now: datetime, deal: Any = Opportunity, within: Any = True
):
    """over_limit() as a condition on `deal` (Opportunity or an alias of it), for every stage of
    the playbook versions given (version id → parsed playbook). `within` is repeated in each
    stage's test (the status: each test is then one range of the deals' status and stage index,
    which SQLite reads as a union of ranges)."""
    conditions = [
        sa.and_(within, deal.playbook_version_id == version_id)
        & (deal.stage_key == stage.key)
        & (deal.stage_entered_at < now - timedelta(days=stage.sla_days))
        for version_id, playbook in by_version.items()
        for stage in playbook.stages
    ]
    return sa.or_(*conditions) if conditions else sa.false()


def weighted_amount(amount: Decimal | None, probability: int) -> Decimal:
    """Amount (none counts as 0) × probability ÷ 100, rounded to the cent, half up."""
    return ((amount or Decimal(0)) * probability / 100).quantize(CENTS, ROUND_HALF_UP)


def weighted_total(amounts: Any) -> Decimal:
    """The weighted amount of several deals: the sum of their rounded weighted amounts, given
    as (amount, probability) pairs."""
    return sum((weighted_amount(a, p) for a, p in amounts), Decimal(0)).quantize(CENTS)


def weighted_cents_sql(by_version: dict[int, Playbook], deal: Any = Opportunity):
    """weighted_amount() in cents (an integer) as a SQL expression on `deal`. Integer arithmetic
    on whole cents, so SQLite, which keeps amounts as floating point, rounds as PostgreSQL and
    Python do: cents × p ÷ 100 half up, split into whole units and the rest so no step leaves
    64 bits."""
    whens = [
        (
            (deal.playbook_version_id == version_id) & (deal.stage_key == stage.key),
            stage.probability,
        )
        for version_id, playbook in by_version.items()
        for stage in playbook.stages
    ]
    probability = sa.case(*whens, else_=0) if whens else sa.literal(0)
    cents = sa.cast(sa.func.round(sa.func.coalesce(deal.amount, 0) * 100), sa.BigInteger)
    return (cents // 100) * probability + ((cents % 100) * probability + 50) // 100


def weighted_sum_sql(by_version: dict[int, Playbook], deal: Any = Opportunity):
    """The SQL aggregate of weighted_cents_sql (0 for no deals); read it with from_cents()."""
    return sa.func.coalesce(sa.func.sum(weighted_cents_sql(by_version, deal)), 0)


def from_cents(cents: Any) -> Decimal:
    """An amount from a whole number of cents as SQL returns it."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENTS)
