"""Per-person spend caps (issue 17): a customer attendee's share of a logged contact's cost above
the cap of its spend kind (config SPEND_CAPS) is flagged — never refused: "the company does not
fear you spending, it fears you not spending". A government official's share above the cap is
flagged in stricter words.

The share is the amount given for the attendee, else the cost split equally (spend.split), as
in the account's spend. Set-wise: one query for any number of contacts."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.key_accounts.spend import _KIND_CASE, as_money, split, year_bounds
from salesflow.key_accounts.spend_kinds import SPEND_KINDS
from salesflow.key_accounts.spend_models import InteractionSpend


@dataclass(frozen=True)
class Flag:
    """One attendee's share of one contact's cost above the cap of its spend kind."""

    interaction_id: int
    contact_id: int
    name: str
    kind: str
    share: Decimal
    cap: Decimal
    official: bool

    @property
    def text(self) -> str:
        """The flag in the reader's language (a government official's in stricter words)."""
        values = {
            "name": self.name,
            "share": f"{self.share:,.2f}",
            "cap": f"{self.cap:,.2f}",
            "kind": str(SPEND_KINDS[self.kind]),
            "currency": current_app.config["CURRENCY"],
        }
        if self.official:
            return _(
                "Government official: %(name)s's share %(share)s %(currency)s is above the "
                "per-person cap of %(cap)s %(currency)s for %(kind)s — check the rules on gifts "
                "and hospitality to officials before going further.",
                **values,
            )
        return _(
            "%(name)s's share %(share)s %(currency)s is above the per-person cap of %(cap)s "
            "%(currency)s for %(kind)s.",
            **values,
        )


@dataclass(frozen=True)
class Row:
    """What the caps are checked on: one customer attendee of one contact with a cost."""

    interaction_id: int
    kind: str
    cost: Decimal
    contact_id: int
    name: str
    official: bool
    given: Decimal | None  # the amount given for this attendee, if any


def over_caps(rows: Iterable[Row], caps: dict[str, Decimal]) -> dict[int, list[Flag]]:
    """The flags of each contact (by interaction id), the attendees' shares given or split
    equally; contacts without a flag are left out. Pure: no query."""
    by_interaction: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_interaction[row.interaction_id].append(row)
    flags: dict[int, list[Flag]] = {}
    for interaction_id, people in by_interaction.items():
        cap = caps.get(people[0].kind)
        if cap is None:
            continue
        given = {r.contact_id: r.given for r in people if r.given is not None}
        shares = given or split(people[0].cost, [r.contact_id for r in people])
        found = [
            Flag(
                interaction_id, r.contact_id, r.name, r.kind, shares[r.contact_id], cap, r.official
            )
            for r in sorted(people, key=lambda r: (r.name, r.contact_id))
            if shares.get(r.contact_id, Decimal(0)) > cap
        ]
        if found:
            flags[interaction_id] = found
    return flags


def _rows(where: sa.ColumnElement[bool]) -> list[Row]:
    given = sa.and_(
        InteractionSpend.interaction_id == Interaction.id,
        InteractionSpend.contact_id == interaction_attendees.c.contact_id,
    )
    result = db.session.execute(
        sa.select(
            Interaction.id,
            _KIND_CASE,
            Interaction.cost,
            Contact.id,
            Contact.name,
            Contact.government_official,
            InteractionSpend.amount,
        )
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .join(Contact, Contact.id == interaction_attendees.c.contact_id)
        .outerjoin(InteractionSpend, given)
        .where(Interaction.cost.is_not(None), Interaction.deleted_at.is_(None), where)
    )
    return [
        Row(i, kind, as_money(cost), c, name, bool(official), None if a is None else as_money(a))
        for i, kind, cost, c, name, official, a in result
    ]


def flags(interaction_ids: Iterable[int]) -> dict[int, list[Flag]]:
    """The flags of these contacts (the shown page of a timeline): at most one query, none
    when no cap is set."""
    caps = current_app.config.get("SPEND_CAPS") or {}
    ids = sorted(set(interaction_ids))
    if not caps or not ids:
        return {}
    return over_caps(_rows(Interaction.id.in_(ids)), caps)


def flagged_in_year(account_id: int, year: int) -> int:
    """How many attendees' shares of the account's contacts in `year` are above their cap (the
    spend panel): at most one query."""
    caps = current_app.config.get("SPEND_CAPS") or {}
    if not caps:
        return 0
    start, end = year_bounds(year)
    where = sa.and_(
        Interaction.account_id == account_id,
        Interaction.occurred_at >= start,
        Interaction.occurred_at < end,
    )
    return sum(len(found) for found in over_caps(_rows(where), caps).values())
