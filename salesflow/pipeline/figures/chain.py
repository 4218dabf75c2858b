"""Decision-chain gaps: open deals past their playbook's first stage whose account has no decision
maker mapped, or nobody met one lately."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow import clock
from salesflow.auth.models import User
from salesflow.contacts.models import Contact, DecisionRole
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline.figures.filters import Filters, versions
from salesflow.pipeline.figures.gaps import Gap, Gaps, gap_rows
from salesflow.playbooks.schema import Playbook
from salesflow.ties.models import TieTouch

DECISION_MAKER_DAYS = 30


def _decision_makers() -> tuple[Any, ...]:
    return (Contact.decision_role == DecisionRole.decision_maker, Contact.is_current)


def _maker_mapped() -> sa.ColumnElement[bool]:
    """The deal's account has a decision maker mapped (a current contact)."""
    return Opportunity.account_id.in_(sa.select(Contact.account_id).where(*_decision_makers()))


def chain_gap(by_version: dict[int, Playbook], now: datetime) -> sa.ColumnElement[bool]:
    """Open, past its playbook's first stage, and its account has no decision maker mapped or
    nobody met one in the last DECISION_MAKER_DAYS days (company calendar days, read from the
    tie touches that every logged interaction keeps, not from the interactions). Asked of each
    deal the scope and the stage leave, as one probe of its account's decision makers (and of
    each maker's touches by their key): a maker that nobody met is no better than none, so one
    test answers both, and no pass reads the whole company's makers or touches."""
    past_first = [
        (Opportunity.playbook_version_id == v) & (Opportunity.stage_key != p.first_stage.key)
        for v, p in by_version.items()
    ]
    if not past_first:
        return sa.false()
    today = clock.day_number(now)
    touched = (
        sa.select(TieTouch.day)
        .where(
            TieTouch.account_id == Contact.account_id,
            TieTouch.contact_id == Contact.id,
            TieTouch.day >= today - DECISION_MAKER_DAYS,
            TieTouch.day <= today,
        )
        .exists()
    )
    makers_met = sa.select(Contact.account_id).where(*_decision_makers(), touched)
    if db.session.get_bind().dialect.name == "sqlite":
        # the accounts whose maker was met, listed once (an index SQLite builds for the query)
        unmet = Opportunity.account_id.not_in(makers_met)
    else:
        # PostgreSQL would hash the whole company's makers and window of touches for that list:
        # probed per deal instead, a nested loop over the scope's deals by the indexes
        unmet = ~makers_met.where(Contact.account_id == Opportunity.account_id).exists()
    return (Opportunity.status == Status.open) & sa.or_(*past_first) & unmet


def chain_gaps(user: User, filters: Filters, *, now: datetime) -> Gaps:
    """Open deals past their playbook's first stage whose account has no decision maker mapped
    (a current contact), or nobody met one in the last 30 days: how many, and the first
    GAP_LIMIT. One query."""
    by_version = versions()
    total, rows = gap_rows(user, filters, chain_gap(by_version, now), _maker_mapped())
    return Gaps(
        total,
        [
            Gap(
                deal_id,
                name,
                account,
                by_version[version_id].key,
                stage,
                ("decision_maker",) if not has_maker else ("decision_maker_contact",),
            )
            for deal_id, name, account, version_id, stage, has_maker in rows
        ],
    )
