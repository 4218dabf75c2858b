"""The visit briefing page's view-model: the chooser (the account's current contacts and our
people on its account team, those picked ticked, the visit's day) and, once contacts are chosen,
the briefing itself with our people named, the labels read and the quick log's link pre-filled
with the attendees. Templates only render what this computed (STYLE.md rule 15)."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from salesflow import clock
from salesflow.accounts.models import Account, AccountMember
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import briefing as service
from salesflow.ties import people
from salesflow.validation import parse_day, parse_id


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    detail: str | None
    checked: bool


@dataclass
class BriefingPage:
    account: Account
    on: date
    contacts: list[Choice]
    ours: list[Choice]
    problems: dict[str, list[str]] = field(default_factory=dict)
    briefing: service.Briefing | None = None
    names: dict[int, people.Person] = field(default_factory=dict)
    our_attendees: list[people.Person] = field(default_factory=list)
    log_url: str | None = None
    shared: dict[int, list[str]] = field(default_factory=dict)  # per attendee, in words

    @property
    def status(self) -> int:
        return 422 if self.problems else 200


def _team_people(account: Account) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(AccountMember, AccountMember.user_id == User.id)
            .where(AccountMember.account_id == account.id, User.active)
            .distinct()
            .order_by(User.name, User.id)
        )
    )


def _current_contacts(account: Account) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(
                Contact.account_id == account.id, Contact.deleted_at.is_(None), Contact.is_current
            )
            .order_by(Contact.name, Contact.id)
        )
    )


def _our_ids(args: MultiDict, viewer: User, known: set[int]) -> list[int]:
    picked = [parse_id(v) for v in args.getlist("participant_ids")]
    ids = [i for i in picked if i in known]
    return ids or [viewer.id]


def _visit_day(args: MultiDict, now: datetime, problems: dict[str, list[str]]) -> date:
    try:
        return parse_day(args.get("on")) or clock.today(now)
    except ValueError as error:
        problems["on"] = [str(error)]
        return clock.today(now)


def _shared_words(attendee: service.Attendee, names: dict[int, people.Person]) -> list[str]:
    """ "Li Ming (same hometown)", "Zhao Lei (same school: 清华大学)"."""
    words = []
    for s in attendee.shared_background:
        why = (
            _("same hometown")
            if s.field == "hometown"
            else _("same school: %(school)s", school=s.value)
        )
        words.append(f"{names[s.user.id].label} ({why})")
    return words


def _log_url(account: Account, contact_ids: list[int], our_ids: list[int], back: str) -> str:
    return url_for(
        "interactions.new",
        account_id=account.id,
        kind="visit",
        contact_ids=contact_ids,
        participant_ids=our_ids,
        next=back,
    )


def build(
    account: Account, viewer: User, args: MultiDict, now: datetime, back: str
) -> BriefingPage:
    """The page for the query `args` (contact_ids, participant_ids, on): the chooser alone until
    contacts are chosen; a problem with them or the day is shown on the chooser (422)."""
    problems: dict[str, list[str]] = {}
    on = _visit_day(args, now, problems)
    contacts, team = _current_contacts(account), _team_people(account)
    our = _our_ids(args, viewer, {u.id for u in team} | {viewer.id})
    raw = args.getlist("contact_ids")
    chosen: list[int] = []
    found = None
    if raw:
        try:
            chosen = service.parse_contact_ids(raw)
            if not problems:
                found = service.build(account, chosen, viewer=viewer, now=now, on=on)
        except ValidationFailed as error:
            problems.update(error.fields)
    in_team = {u.id for u in team}
    listed = team + ([viewer] if viewer.id not in in_team else [])
    page = BriefingPage(
        account=account,
        on=on,
        contacts=[Choice(c.id, c.name, c.title, c.id in chosen) for c in contacts],
        ours=[Choice(p.id, p.label, None, p.id in our) for p in people.of(listed)],
        problems=problems,
        briefing=found,
    )
    if found is not None:
        shown = {r.user.id for a in found.attendees for r in a.rapport}
        shown |= {s.user.id for a in found.attendees for s in a.shared_background}
        page.names = people.named(shown | set(our))
        page.our_attendees = [page.names[i] for i in our if i in page.names]
        page.log_url = _log_url(account, chosen, our, back)
        page.shared = {a.contact.id: _shared_words(a, page.names) for a in found.attendees}
    return page
