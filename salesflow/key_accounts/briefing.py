"""The visit briefing (issue 17): for a coming visit of some of an account's contacts, each
attendee's title, roles, attitude and profile, the last three contacts with them, who on our side
holds a live tie to them (rapport) and who on our side shares their hometown or school (the host
to suggest); the account's open deals, open expectations, open requests and this year's spend.

Read-only and set-wise: a fixed number of queries however many attendees. The caller has loaded
the account through the scope; deals and requests are read through the scope too."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.key_accounts import briefing_matching as matching
from salesflow.key_accounts import expectations, spend
from salesflow.opportunities.models import Opportunity
from salesflow.opportunities.models import Status as DealStatus
from salesflow.requests.models import OPEN_STATUSES, InternalRequest
from salesflow.ties.queries import live_ties

MAX_ATTENDEES = 20  # a visit, not a mailing: also bounds the page and the API's work
LAST_CONTACTS = 3


@dataclass(frozen=True)
class Rapport:
    user: User
    strength: float


@dataclass(frozen=True)
class Shared:
    user: User
    field: str  # "hometown" or "education"
    value: str  # the attendee's own words


@dataclass
class Attendee:
    contact: Contact
    last_interactions: list[Interaction] = field(default_factory=list)
    rapport: list[Rapport] = field(default_factory=list)
    shared_background: list[Shared] = field(default_factory=list)

    @property
    def suggested_host(self) -> User | None:
        """The one of ours sharing a background who also knows them best, else the first."""
        if not self.shared_background:
            return None
        tied = {r.user.id: r.strength for r in self.rapport}
        return max(self.shared_background, key=lambda s: tied.get(s.user.id, -1.0)).user


@dataclass
class Briefing:
    account: Account
    on: date
    attendees: list[Attendee]
    open_opportunities: list[Opportunity]
    open_expectations: list
    open_requests: list[InternalRequest]
    spend_this_year: dict[str, Decimal]


def parse_contact_ids(raw: str | Sequence[str] | None) -> list[int]:
    """ "1,2,3" (or repeated values) as ids in the order given, duplicates dropped; a
    ValidationFailed naming contact_ids for anything else, none or too many."""
    values = [raw] if isinstance(raw, str) or raw is None else list(raw)
    ids: list[int] = []
    for part in ",".join(v or "" for v in values).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 0 < int(part) < 2**31:
            raise ValidationFailed(fields={"contact_ids": [str(_l("Choose contacts."))]})
        if int(part) not in ids:
            ids.append(int(part))
    if not ids:
        raise ValidationFailed(fields={"contact_ids": [str(_l("Choose who is coming."))]})
    if len(ids) > MAX_ATTENDEES:
        raise ValidationFailed(
            fields={"contact_ids": [str(_l("Choose at most %(n)d people.", n=MAX_ATTENDEES))]}
        )
    return ids


def _attendees(account: Account, contact_ids: list[int]) -> list[Contact]:
    found = db.session.scalars(
        sa.select(Contact).where(
            Contact.id.in_(contact_ids),
            Contact.account_id == account.id,
            Contact.deleted_at.is_(None),
        )
    ).all()
    by_id = {c.id: c for c in found}
    if len(by_id) != len(contact_ids):
        raise ValidationFailed(
            fields={"contact_ids": [str(_l("Choose contacts of this account."))]}
        )
    return [by_id[i] for i in contact_ids]


def _last_interactions(contact_ids: list[int], now: datetime) -> dict[int, list[Interaction]]:
    """The last three contacts with each attendee up to `now`, newest first: one query."""
    ranked = (
        sa.select(
            interaction_attendees.c.contact_id,
            interaction_attendees.c.interaction_id,
            sa.func.row_number()
            .over(
                partition_by=interaction_attendees.c.contact_id,
                order_by=(Interaction.occurred_at.desc(), Interaction.id.desc()),
            )
            .label("rank"),
        )
        .join(Interaction, Interaction.id == interaction_attendees.c.interaction_id)
        .where(
            interaction_attendees.c.contact_id.in_(contact_ids),
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at <= now,
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.contact_id, Interaction)
        .join(Interaction, Interaction.id == ranked.c.interaction_id)
        .where(ranked.c.rank <= LAST_CONTACTS)
        .order_by(ranked.c.contact_id, ranked.c.rank)
    ).all()
    found: dict[int, list[Interaction]] = defaultdict(list)
    for contact_id, interaction in rows:
        found[contact_id].append(interaction)
    return found


def _people_with_background() -> list[User]:
    """Our active people who wrote a hometown or a school: one query."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active, sa.or_(User.hometown.is_not(None), User.education.is_not(None)))
            .order_by(User.name, User.id)
        )
    )


def shared_background(contact: Contact, people: list[User]) -> list[Shared]:
    """Our people from the attendee's hometown or school (pure)."""
    found = []
    for person in people:
        if contact.hometown and matching.same_place(contact.hometown, person.hometown):
            found.append(Shared(person, "hometown", contact.hometown))
        school = matching.shared_school(contact.education, person.education)
        if school:
            found.append(Shared(person, "education", school))
    return found


def _open_opportunities(viewer: User, account: Account) -> list[Opportunity]:
    """The account's open deals, soonest closing first. The account's deals (a few) are read by
    the account and kept open here: filtering on the status made SQLite walk every open deal of
    the company by its status index (370 ms on 100k deals)."""
    deals = db.session.scalars(
        sa.select(Opportunity).where(
            Opportunity.account_id == account.id, scope.visible_opportunities(viewer)
        )
    )
    found = [d for d in deals if d.status == DealStatus.open]
    return sorted(found, key=lambda d: (d.expected_close is None, d.expected_close or date.min))


def _open_requests(viewer: User, account: Account) -> list[InternalRequest]:
    return list(
        db.session.scalars(
            sa.select(InternalRequest)
            .where(
                InternalRequest.account_id == account.id,
                InternalRequest.status.in_(sorted(OPEN_STATUSES)),
                scope.visible_requests(viewer),
            )
            .order_by(InternalRequest.needed_by, InternalRequest.id)
        )
    )


def build(
    account: Account,
    contact_ids: list[int],
    *,
    viewer: User,
    now: datetime,
    on: date | None = None,
) -> Briefing:
    """The briefing for a visit `on` a day (today when None) of these contacts of `account`.
    Raises ValidationFailed (contact_ids) when one is not a current contact of the account."""
    contacts = _attendees(account, contact_ids)
    last = _last_interactions(contact_ids, now)
    ties = live_ties(account.id, now=now)
    people = _people_with_background()
    attendees = [
        Attendee(
            contact=c,
            last_interactions=last.get(c.id, []),
            rapport=[Rapport(u, s) for u, s in ties.get(c.id, []) if u.active],
            shared_background=shared_background(c, people),
        )
        for c in contacts
    ]
    return Briefing(
        account=account,
        on=on or clock.today(now),
        attendees=attendees,
        open_opportunities=_open_opportunities(viewer, account),
        open_expectations=expectations.open_for_account(account.id),
        open_requests=_open_requests(viewer, account),
        spend_this_year=spend.spent_this_year(account.id, now=now),
    )
