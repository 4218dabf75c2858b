"""The three relationship layers of an account (MCR: key, broad and organisational relationships):
coverage of its key contacts (the dependency figures' own definitions), breadth (the share of
all its current contacts with a live tie to one of our people) and organisational exchanges
(executive visits, site visits and events with an executive of theirs in the last 12 months).

Set-wise (STYLE.md rule 11): the contacts and live ties of any set of accounts come from the
dependency report's own queries, the exchanges from one grouped count; the figures are a pure
function of them."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from salesflow.contacts.models import Contact, Level
from salesflow.dependency import metrics, queries
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, Kind, interaction_attendees

# Organisational exchanges count over this many days before now.
EXCHANGE_DAYS = 365
# The kinds that count as organisational exchanges whoever attends; an event counts only with
# an executive of theirs among its attendees.
EXCHANGE_KINDS = (Kind.exec_visit, Kind.site_visit)


@dataclass(frozen=True)
class Exchanges:
    exec_visits: int = 0
    site_visits: int = 0
    executive_events: int = 0

    @property
    def total(self) -> int:
        return self.exec_visits + self.site_visits + self.executive_events


@dataclass(frozen=True)
class Layers:
    account_id: int
    key_contacts: int  # current key contacts
    key_covered: int  # of them, with a live tie to anyone of ours
    key_multi_threaded: int  # of them, with live ties to two or more of ours
    contacts: int  # current contacts
    tied_contacts: int  # of them, with a live tie
    exchanges: Exchanges

    @property
    def key_coverage(self) -> float | None:
        """Share of key contacts with a live tie; None: no key contacts."""
        return self.key_covered / self.key_contacts if self.key_contacts else None

    @property
    def multi_threaded_coverage(self) -> float | None:
        """The dependency report's figure: key contacts tied to two or more of ours."""
        return self.key_multi_threaded / self.key_contacts if self.key_contacts else None

    @property
    def breadth(self) -> float | None:
        """Share of all current contacts with a live tie; None: no current contacts."""
        return self.tied_contacts / self.contacts if self.contacts else None

    @property
    def percents(self) -> dict[str, int | None]:
        """The three shares in whole percent, as the page shows them (None: nothing to share)."""
        shares = {
            "key_coverage": self.key_coverage,
            "multi_threaded_coverage": self.multi_threaded_coverage,
            "breadth": self.breadth,
        }
        return {k: None if v is None else round(v * 100) for k, v in shares.items()}


def layers_of(inp: metrics.AccountInput, exchanges: Exchanges) -> Layers:
    """The layers of one account from its contacts and live ties (pure)."""
    tied: dict[int, set[int]] = defaultdict(set)
    for (user_id, contact_id), strength in inp.ties.items():
        if strength > 0:
            tied[contact_id].add(user_id)
    keys = [c for c in inp.contacts if c.is_key]
    return Layers(
        account_id=inp.account_id,
        key_contacts=len(keys),
        key_covered=sum(1 for c in keys if tied[c.id]),
        key_multi_threaded=sum(1 for c in keys if len(tied[c.id]) >= 2),
        contacts=len(inp.contacts),
        tied_contacts=sum(1 for c in inp.contacts if tied[c.id]),
        exchanges=exchanges,
    )


def exchanges_for(account_ids: Iterable[int], *, now: datetime) -> dict[int, Exchanges]:
    """Organisational exchanges per account in the EXCHANGE_DAYS up to `now`, in one query:
    interactions not deleted, of an exchange kind, or events attended by an executive of theirs
    (a contact at the executive level, whether or not they have left since)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    window = (
        Interaction.account_id.in_(ids),
        Interaction.deleted_at.is_(None),
        Interaction.occurred_at > now - timedelta(days=EXCHANGE_DAYS),
        Interaction.occurred_at <= now,
    )
    visits = (
        sa.select(Interaction.account_id, Interaction.kind, sa.func.count())
        .where(*window, Interaction.kind.in_(EXCHANGE_KINDS))
        .group_by(Interaction.account_id, Interaction.kind)
    )
    # Joined rather than an EXISTS: PostgreSQL hashed the EXISTS over every attendee of the
    # company (1.4 s for 200 accounts at full size) instead of looking each event's up.
    events = (
        sa.select(
            Interaction.account_id,
            sa.literal(Kind.event.value),
            sa.func.count(sa.distinct(Interaction.id)),
        )
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .join(
            Contact,
            sa.and_(
                Contact.id == interaction_attendees.c.contact_id, Contact.level == Level.executive
            ),
        )
        .where(*window, Interaction.kind == Kind.event)
        .group_by(Interaction.account_id)
    )
    rows = db.session.execute(sa.union_all(visits, events)).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for account_id, kind, n in rows:
        counts[account_id][Kind(kind)] = n
    return {a: _exchanges(counts.get(a, {})) for a in ids}


def _exchanges(by_kind: Mapping[str, int]) -> Exchanges:
    return Exchanges(
        exec_visits=by_kind.get(Kind.exec_visit, 0),
        site_visits=by_kind.get(Kind.site_visit, 0),
        executive_events=by_kind.get(Kind.event, 0),
    )


def for_accounts(account_ids: Iterable[int], *, now: datetime) -> dict[int, Layers]:
    """The layers of these accounts (those not deleted) as of `now`, in a fixed number of
    queries however many accounts: the dependency report's contacts and live ties (the ties of
    people gone count as gone there too), and one count of the exchanges."""
    ids = set(account_ids)
    if not ids:
        return {}
    inputs = queries.account_inputs(ids, now=now)
    exchanges = exchanges_for(inputs, now=now)
    return {a: layers_of(inp, exchanges[a]) for a, inp in inputs.items()}
