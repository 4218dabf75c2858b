"""The daily pipeline snapshot: every open opportunity's stage, amount and expected close as of
one day, so the review can say what moved during a week. Taking it twice on one day replaces
that day's rows (idempotent); snapshots older than PIPELINE_SNAPSHOT_DAYS are dropped."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline.models import PipelineSnapshot
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion

BATCH = 2000


def snapshot_day(now: datetime) -> date:
    """The company-calendar day a snapshot taken at `now` belongs to."""
    return clock.today(now)


def take(*, now: datetime) -> int:
    """Snapshot every open opportunity (not deleted) as of `now`; returns the count. One read,
    bulk inserts; flushes, never commits."""
    day = snapshot_day(now)
    versions = {v.id: registry.playbook(v) for v in db.session.scalars(sa.select(PlaybookVersion))}
    rows = db.session.execute(
        sa.select(
            Opportunity.id,
            Account.team_id,
            Opportunity.playbook_version_id,
            Opportunity.stage_key,
            Opportunity.amount,
            Opportunity.currency,
            Opportunity.expected_close,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.status == Status.open, Opportunity.deleted_at.is_(None))
    ).all()
    values = []
    for deal_id, team_id, version_id, stage_key, amount, currency, expected_close in rows:
        playbook = versions[version_id]
        values.append(
            {
                "day": day,
                "opportunity_id": deal_id,
                "team_id": team_id,
                "playbook_key": playbook.key,
                "stage_key": stage_key,
                "stage_index": playbook.stages.index(playbook.stage(stage_key)),
                "amount": amount,
                "currency": currency,
                "expected_close": expected_close,
            }
        )
    keep = current_app.config["PIPELINE_SNAPSHOT_DAYS"]
    stale = (PipelineSnapshot.day == day) | (PipelineSnapshot.day < day - timedelta(days=keep))
    db.session.execute(sa.delete(PipelineSnapshot).where(stale))
    for start in range(0, len(values), BATCH):
        db.session.execute(sa.insert(PipelineSnapshot), values[start : start + BATCH])
    return len(values)
