"""The funnel: per stage, the open deals, their amounts, and how long they have been there
against the stage's time limit."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline import open_deals
from salesflow.pipeline.figures.filters import Filters, deals_where, stage_order, versions
from salesflow.playbooks.schema import Playbook


@dataclass
class StageFigures:
    playbook: str
    stage: str
    count: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)
    breaches: int = 0
    oldest_days: int = 0  # the longest any open deal has been in the stage
    oldest_over: bool = False  # that deal is over the stage's time limit
    sla_days: int = 0


def funnel(user: User, filters: Filters, *, now: datetime) -> list[StageFigures]:
    """Per stage of each playbook, the open deals: count, amount and weighted amount per
    currency, and SLA breaches; in playbook order (stages of the newest version first, those
    only older versions have after them). Weighted amounts and breaches by the deal's rules
    (opportunities.rules). From the open pipeline's aggregate for the reader's teams
    (pipeline/open_deals.py) once built, else one grouped query over the deals."""
    by_version = versions()
    if open_deals.readable(user, filters):
        rows = open_deals.stage_rows(user, filters, by_version, now)
    else:
        rows = live_rows(user, filters, by_version, now)
    figures: dict[tuple[str, str], StageFigures] = {}
    for version_id, stage_key, currency, count, amount, weighted, breaches, entered in rows:
        playbook = by_version[version_id]
        key = (playbook.key, stage_key)
        stage = playbook.stage(stage_key)
        row = figures.setdefault(
            key, StageFigures(playbook.key, stage_key, sla_days=stage.sla_days)
        )
        row.oldest_days = max(row.oldest_days, rules.days_in_stage(entered, now))
        row.oldest_over = row.oldest_over or rules.over_limit(entered, stage.sla_days, now)
        amount = Decimal(amount)
        row.count += count
        row.breaches += int(breaches or 0)
        row.amount[currency] = row.amount.get(currency, Decimal(0)) + amount
        row.weighted[currency] = row.weighted.get(currency, Decimal(0)) + rules.from_cents(weighted)
    for row in figures.values():
        row.amount = {c: v.quantize(rules.CENTS) for c, v in sorted(row.amount.items())}
        row.weighted = {c: v.quantize(rules.CENTS) for c, v in sorted(row.weighted.items())}
    return sorted(figures.values(), key=lambda r: stage_order(by_version, r.playbook, r.stage))


def live_rows(
    user: User, filters: Filters, by_version: dict[int, Playbook], now: datetime
) -> list[tuple]:
    """The funnel's rows from the deals themselves (what the aggregate is tested equal to):
    (version, stage, currency, deals, amount, weighted cents, over the limit, first entry)."""
    breach = sa.func.sum(sa.case((rules.over_limit_sql(by_version, now), 1), else_=0))
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                Opportunity.playbook_version_id,
                Opportunity.stage_key,
                Opportunity.currency,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(Opportunity.amount), 0),
                rules.weighted_sum_sql(by_version),
                breach,
                sa.func.min(Opportunity.stage_entered_at),
            )
            .join(Account, Account.id == Opportunity.account_id)
            .where(*deals_where(user, filters, by_version), Opportunity.status == Status.open)
            # currency first, as in forecast: read from the covering ix_opportunities_board
            .group_by(Opportunity.currency, Opportunity.playbook_version_id, Opportunity.stage_key)
        )
    ]
