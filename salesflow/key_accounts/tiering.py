"""Choosing the customers (issue 17, MCR): each account scored on potential, established and
relationship value, a suggested tier A/B/C from those scores, and the director's decision on it.

Scores, each from 0 to 1 (config `TIERING`, defaults below):
- potential = min(1, yearly potential × rate to the company currency × industry weight × region
  weight / potential_full);
- established = min(1, won amount closed in the last `established_years` years, at the rates,
  / established_full) — a currency without a rate is not counted;
- relationship = (coverage + top level) / 2: the share of key contacts with a live tie, and the
  level weight of the highest key contact anyone of ours holds a live tie to (the dependency
  figures' key contacts and live ties, PRODUCT.md);
- total = Σ weight × score; suggested tier A when total ≥ thresholds A, B when ≥ thresholds B.
The figures are read set-wise: a fixed number of queries for any number of accounts, as plain
rows (Core, not the ORM's result processing: 10,000 accounts' rows read 3-4× faster).
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from salesflow.accounts.models import Account, Tier
from salesflow.contacts.models import Contact
from salesflow.dependency import queries as dependency
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status

Ids = Collection[int] | sa.Select[Any]
DEFAULTS: dict[str, Any] = {
    "industry": {},  # industry -> weight on the potential (1 when absent)
    "region": {},  # region -> weight on the potential (1 when absent)
    "rates": {"CNY": 1, "USD": 7.1, "EUR": 7.7},  # to the company currency
    "potential_full": 10_000_000,  # a potential worth this much scores 1
    "established_full": 20_000_000,  # won in the years counted, this much scores 1
    "established_years": 3,
    "levels": {"executive": 1.0, "management": 0.6, "operational": 0.3},
    "weights": {"potential": 0.4, "established": 0.4, "relationship": 0.2},
    "thresholds": {"A": 0.6, "B": 0.3},
}


def settings() -> dict[str, Any]:
    """The tiering settings: config TIERING over the defaults, key by key."""
    return {**DEFAULTS, **current_app.config.get("TIERING", {})}


@dataclass(frozen=True)
class Facts:
    """What an account's scores are made of, read from the database."""

    potential: Decimal | None
    potential_currency: str | None
    industry: str | None
    region: str | None
    won: dict[str, Decimal]  # per currency, closed in the years counted
    key_contacts: int
    key_contacts_tied: int
    tied_levels: tuple[str, ...]  # the levels of the key contacts with a live tie


@dataclass(frozen=True)
class Scores:
    potential_value: float  # in the company currency, weighted
    established_value: float  # in the company currency
    potential: float
    established: float
    coverage: float
    top_level: float
    relationship: float
    total: float
    suggested: Tier


def _rate(currency: str | None, config: dict[str, Any]) -> float:
    return float(config["rates"].get(currency, 0)) if currency else 0.0


def _share(value: float, full: float) -> float:
    return min(1.0, value / full) if full > 0 else 0.0


def suggest(total: float, config: dict[str, Any]) -> Tier:
    """The tier a total score suggests (thresholds inclusive)."""
    if total >= config["thresholds"]["A"]:
        return Tier.A
    if total >= config["thresholds"]["B"]:
        return Tier.B
    return Tier.C


def score(facts: Facts, config: dict[str, Any]) -> Scores:
    """An account's scores and suggested tier from its facts (pure)."""
    weight = float(config["industry"].get(facts.industry, 1)) * float(
        config["region"].get(facts.region, 1)
    )
    potential_value = float(facts.potential or 0) * _rate(facts.potential_currency, config)
    potential_value *= weight
    established_value = sum(float(v) * _rate(c, config) for c, v in facts.won.items())
    coverage = facts.key_contacts_tied / facts.key_contacts if facts.key_contacts else 0.0
    top_level = max((float(config["levels"].get(lv, 0)) for lv in facts.tied_levels), default=0)
    relationship = (coverage + top_level) / 2
    potential = _share(potential_value, config["potential_full"])
    established = _share(established_value, config["established_full"])
    weights = config["weights"]
    total = (
        weights["potential"] * potential
        + weights["established"] * established
        + weights["relationship"] * relationship
    )
    total = round(total, 6)
    return Scores(
        potential_value,
        established_value,
        potential,
        established,
        coverage,
        top_level,
        relationship,
        total,
        suggest(total, config),
    )


def _since(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _won(ids: Ids, since: datetime) -> dict[int, dict[str, Decimal]]:
    """Per account and currency, the amount won since `since`. The status and close moment are
    summed over, not filtered on, so SQLite starts from the accounts' deals (by account) rather
    than from every won deal of the company (by status): 80 -> 0.1 ms for one account."""
    counted = sa.and_(
        Opportunity.status == Status.won,
        Opportunity.closed_at >= since,
        Opportunity.amount.is_not(None),
    )
    rows = db.session.connection().execute(
        sa.select(
            Opportunity.account_id,
            Opportunity.currency,
            sa.func.sum(sa.case((counted, Opportunity.amount))),
        )
        .where(Opportunity.account_id.in_(ids), Opportunity.deleted_at.is_(None))
        .group_by(Opportunity.account_id, Opportunity.currency)
    )
    won: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, currency, amount in rows:
        if amount is not None:
            won[account_id][currency] = Decimal(str(amount))
    return won


def _relationship(
    found: list[int], ids: Ids, now: datetime
) -> dict[int, tuple[int, int, tuple[str, ...]]]:
    """Per account: its key contacts, those with a live tie and the levels of these, from the
    dependency figures (today's snapshot where it answers, else computed: one definition of a
    key contact and a live tie) and one query for the levels."""
    figures = dependency.figures(set(found), now=now)
    held = {aid: set(m.key_contacts) - set(m.uncovered_key_contacts) for aid, m in figures.items()}
    levels = dict(
        db.session.connection()
        .execute(
            sa.select(Contact.id, Contact.level).where(
                Contact.account_id.in_(ids), Contact.is_key, Contact.level.is_not(None)
            )
        )
        .all()
    )
    return {
        aid: (
            len(m.key_contacts),
            len(held[aid]),
            tuple(str(levels[c]) for c in held[aid] if c in levels),
        )
        for aid, m in figures.items()
    }


def facts_for(ids: Ids, now: datetime) -> dict[int, Facts]:
    """Each account's facts as of `now` (`ids` a list, or a select of ids), in a fixed number of
    queries however many accounts."""
    config = settings()
    if not isinstance(ids, sa.Select) and not ids:
        return {}
    accounts = (
        db.session.connection()
        .execute(
            sa.select(
                Account.id,
                Account.yearly_potential,
                Account.potential_currency,
                Account.industry,
                Account.region,
            ).where(Account.id.in_(ids))
        )
        .all()
    )
    found = [row.id for row in accounts]
    won = _won(ids, _since(now, int(config["established_years"])))
    relationship = _relationship(found, ids, now)
    facts = {}
    for account_id, potential, currency, industry, region in accounts:
        keys, held, levels = relationship.get(account_id, (0, 0, ()))
        facts[account_id] = Facts(
            potential=potential,
            potential_currency=currency,
            industry=industry,
            region=region,
            won=won.get(account_id, {}),
            key_contacts=keys,
            key_contacts_tied=held,
            tied_levels=levels,
        )
    return facts


def scores_for(ids: Ids, now: datetime) -> dict[int, Scores]:
    """Each account's scores and suggested tier as of `now`, set-wise."""
    config = settings()
    return {aid: score(f, config) for aid, f in facts_for(ids, now).items()}
