"""The weighted forecast: the open deals' weighted amount (opportunities.rules) per expected close
month and currency; the deals whose expected close date has passed are overdue, a row of their
own, never counted in a month to come."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, Status
from salesflow.pipeline import open_deals
from salesflow.pipeline.figures.filters import Filters, deals_where, versions
from salesflow.playbooks.schema import Playbook

OVERDUE = "overdue"  # the forecast's row of open deals whose expected close date has passed


def forecast(
    user: User, filters: Filters, *, now: datetime
) -> list[tuple[str, dict[str, Decimal]]]:
    """The weighted amount of the open deals per expected close month ("YYYY-MM"; OVERDUE for
    those whose date is before today on the company calendar, first; "" for deals without a
    date, last) and currency, month by month (opportunities.rules). From the open pipeline's
    aggregate for the reader's teams (pipeline/open_deals.py) once built, else one grouped query
    over the deals."""
    today = clock.today(now)
    by_version = versions()
    if open_deals.readable(user, filters):
        rows = open_deals.close_rows(user, filters, by_version)
    else:
        rows = live_rows(user, filters, by_version)
    months: dict[str, dict[str, Decimal]] = {}
    for close, currency, weighted in rows:
        key = "" if close is None else OVERDUE if close < today else close.strftime("%Y-%m")
        month = months.setdefault(key, {})
        month[currency] = month.get(currency, Decimal(0)) + rules.from_cents(weighted)
    order = sorted(months, key=lambda month: (month != OVERDUE, month == "", month))
    return [(m, {c: v.quantize(rules.CENTS) for c, v in sorted(months[m].items())}) for m in order]


def live_rows(user: User, filters: Filters, by_version: dict[int, Playbook]) -> list[tuple]:
    """The forecast's rows from the deals themselves (what the aggregate is tested equal to):
    (expected close, currency, weighted cents)."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                Opportunity.expected_close,
                Opportunity.currency,
                rules.weighted_sum_sql(by_version),
            )
            .join(Account, Account.id == Opportunity.account_id)
            .where(*deals_where(user, filters, by_version), Opportunity.status == Status.open)
            # currency first: no index gives that order, so the database reads the open deals
            # from the covering ix_opportunities_board instead of every row in close-date order
            .group_by(Opportunity.currency, Opportunity.expected_close)
        )
    ]
