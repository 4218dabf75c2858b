"""Aging: the open deals over their stage's time limit (opportunities.rules), the longest over
first."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline.figures.filters import Filters, deals_where, versions


@dataclass(frozen=True)
class Breach:
    opportunity_id: int
    name: str
    account: str
    playbook: str
    stage: str
    days: int  # in the stage
    sla_days: int


def breaches(user: User, filters: Filters, *, now: datetime, limit: int = 200) -> list[Breach]:
    """Open deals longer in their stage than its SLA, the longest over first (up to `limit`)."""
    by_version = versions()
    rows = db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Account.name,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.stage_entered_at,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(
            *deals_where(user, filters, by_version),
            rules.over_limit_sql(by_version, now, within=Opportunity.status == Status.open),
        )
        .order_by(Opportunity.stage_entered_at, Opportunity.id)
        .limit(limit)
    ).all()
    found = []
    for deal_id, name, account, version_id, stage_key, entered in rows:
        playbook = by_version[version_id]
        stage = playbook.stage(stage_key)
        found.append(
            Breach(
                deal_id,
                name,
                account,
                playbook.key,
                stage_key,
                rules.days_in_stage(entered, now),
                stage.sla_days,
            )
        )
    return sorted(found, key=lambda b: (-(b.days - b.sla_days), b.opportunity_id))
