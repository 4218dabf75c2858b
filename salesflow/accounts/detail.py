"""What the account page shows: the account team seat by seat (an empty AR, SR or FR seat
flagged), the deals with their stage, the decision chain, the contact history and the account's
history with the people and teams it names, and what the reader may do — computed here, in a few
queries, so the template renders."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember, TeamRole
from salesflow.audit import words
from salesflow.auth.models import User
from salesflow.contacts.queries import decision_chain
from salesflow.extensions import db
from salesflow.interactions import timeline
from salesflow.key_accounts import expectations_pages, layers, spend_pages, tiering_pages
from salesflow.merges import chooser
from salesflow.merges.models import MergeKind
from salesflow.opportunities.models import Opportunity, Status
from salesflow.opportunities.queries import stage_of
from salesflow.playbooks.schema import Stage
from salesflow.requests import pages as request_pages

DEALS_SHOWN = 10
# The iron triangle's seats on the account team: the page flags each one left empty.
TRIANGLE = (TeamRole.AR, TeamRole.SR, TeamRole.FR)


@dataclass(frozen=True)
class Seat:
    role: TeamRole
    people: list[User]
    triangle: bool  # AR, SR or FR

    @property
    def empty(self) -> bool:
        """A triangle seat nobody holds."""
        return self.triangle and not self.people


@dataclass(frozen=True)
class DealLine:
    deal: Opportunity
    stage: Stage  # in its playbook version


@dataclass
class AccountPage:
    account: Account
    parent: Account | None  # only if the reader may see it
    seats: list[Seat]
    deals: list[DealLine]
    more_deals: bool
    chain: Any  # contacts.queries.decision_chain
    timeline: timeline.Timeline  # a page of it
    history: list[words.HistoryRow]  # in words, each change naming its deal or contact
    can_delete: bool
    can_set_team: bool
    can_import_contacts: bool
    merge_panel: Any = None
    duplicate_contacts: int = 0
    requests: Any = None  # requests.pages.OpenRequests: open requests about it, and asking
    key_layers: Any = None  # key_accounts.layers.Layers: key, broad, organisational relationships
    tiering: Any = None  # key_accounts.tiering_pages.Panel: scores, suggested tier, group
    expectations: Any = None  # key_accounts.expectations_pages.Panel: open ones, satisfaction
    spend: Any = None  # key_accounts.spend_pages.Panel: this year's budget and spend, the group's
    can_brief: bool = False  # a visit briefing can be prepared (not for a deleted account)


def _seats(account: Account) -> list[Seat]:
    members = db.session.scalars(
        sa.select(AccountMember)
        .where(AccountMember.account_id == account.id)
        .options(so.joinedload(AccountMember.user))
        .order_by(AccountMember.id)
    ).all()
    return [
        Seat(role, [m.user for m in members if m.role == role], role in TRIANGLE)
        for role in TeamRole
    ]


def _parent(user: User, account: Account) -> Account | None:
    """The parent account, only if the user may see it (a name outside scope is not shown)."""
    if account.parent_id is None:
        return None
    return db.session.scalar(
        sa.select(Account).where(Account.id == account.parent_id, scope.visible_accounts(user))
    )


def _deals(account: Account) -> list[Opportunity]:
    """The account's deals, open ones first, newest first; one more than shown tells if there
    are more."""
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(Opportunity.account_id == account.id, Opportunity.deleted_at.is_(None))
            .options(so.joinedload(Opportunity.playbook_version))
            .order_by((Opportunity.status == Status.open).desc(), Opportunity.id.desc())
            .limit(DEALS_SHOWN + 1)
        )
    )


def build(account: Account, user: User, now: datetime, *, before: int | None = None) -> AccountPage:
    """Everything the account page shows, as `user` may see it, as of `now` (the contact history
    from the newest, or older than interaction `before`)."""
    deals = _deals(account)
    return AccountPage(
        account=account,
        parent=_parent(user, account),
        seats=_seats(account),
        deals=[DealLine(d, stage_of(d)) for d in deals[:DEALS_SHOWN]],
        more_deals=len(deals) > DEALS_SHOWN,
        chain=decision_chain(account.id, now=now),
        timeline=timeline.of(user, now=now, before=before, account_id=account.id),
        history=words.account_history(account.id, user),
        can_delete=scope.can_delete(user, account),
        can_set_team=scope.can_set_account_team(user, account),
        can_import_contacts=scope.can_import_into(user, account),
        merge_panel=chooser.panel(user, MergeKind.accounts, account.id, now),
        duplicate_contacts=chooser.contact_hint(user, account),
        requests=request_pages.for_account(user, account, now, can_ask=not account.is_deleted),
        key_layers=layers.for_accounts([account.id], now=now).get(account.id),
        tiering=tiering_pages.panel(user, account, now),
        expectations=expectations_pages.panel(account, now),
        spend=spend_pages.panel(user, account, now),
        can_brief=not account.is_deleted,
    )
