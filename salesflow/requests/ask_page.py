"""What the form to ask a colleague shows: the kinds with the lead time each needs (and the first
day that needs no rush reason), the account's open deals, the people who may see the account
(only they may be asked), and the form pre-filled from the page it was opened from."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import ngettext
from wtforms import SelectChoice

from salesflow import clock
from salesflow.accounts import queries as account_queries
from salesflow.accounts.models import Account
from salesflow.accounts.queries import AccountFilters
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.opportunities.queries import seat_people
from salesflow.requests import kinds, services
from salesflow.requests.forms import AskForm
from salesflow.validation import parse_id

CHOOSER_SIZE = 20


@dataclass(frozen=True)
class KindLine:
    """A kind the form offers, with its minimum lead time and the first day that respects it."""

    key: str
    label: str
    min_days: int
    earliest: date

    @property
    def choice(self) -> str:
        """The kind as the select offers it, with its lead time when it has one."""
        if not self.min_days:
            return self.label
        days = ngettext("%(num)d working day", "%(num)d working days", self.min_days)
        return f"{self.label} ({days})"


@dataclass
class AskPage:
    account: Account
    kinds: list[KindLine]
    chosen: KindLine | None  # the kind selected now (its lead time is said under the date)
    today: date


def accounts(user: User, q: str | None) -> tuple[list[Account], bool]:
    """The accounts `user` may ask about whose name matches `q` (the first few)."""
    found, more = account_queries.page(
        account_queries.list_query(user, AccountFilters(q=q)), size=CHOOSER_SIZE
    )
    return found, more is not None


def _open_deals(account: Account) -> list[Opportunity]:
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .where(
                Opportunity.account_id == account.id,
                Opportunity.status == Status.open,
                Opportunity.deleted_at.is_(None),
            )
            .order_by(Opportunity.name, Opportunity.id)
        )
    )


def _kind_lines(today: date) -> list[KindLine]:
    return [
        KindLine(
            key,
            kinds.label(key),
            kinds.min_lead_days(key),
            clock.add_working_days(today, kinds.min_lead_days(key)),
        )
        for key in kinds.service_kinds()
    ]


def fill_choices(form: AskForm, user: User, account: Account, lines: list[KindLine]) -> None:
    """The selects' choices: the kinds, the account's open deals, and the people who may see the
    account (the reader left out: nobody asks themselves)."""
    form.kind.choices = [SelectChoice(line.key, line.choice) for line in lines]
    form.opportunity_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(d.id), d.name) for d in _open_deals(account)
    ]
    people = [(i, name) for i, name in seat_people(account) if i != user.id]
    form.assignee_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(i), name) for i, name in people
    ]


def prefill(form: AskForm, account: Account, args: Mapping[str, str]) -> None:
    """From the page the form was opened from (`?kind=&opportunity_id=`): the kind, the deal and
    whom to ask by default (the deal's SR, or FR for a delivery plan)."""
    form.account_id.data = str(account.id)
    kind = args.get("kind")
    form.kind.data = kind if kind in kinds.service_kinds() else kinds.service_kinds()[0]
    deal = None
    if (deal_id := parse_id(args.get("opportunity_id"))) is not None:
        deal = db.session.get(Opportunity, deal_id)
        if deal is None or deal.account_id != account.id or deal.deleted_at is not None:
            deal = None
    form.opportunity_id.data = deal.id if deal else None
    if deal is not None and (default := services.default_assignee(form.kind.data, deal)):
        form.assignee_id.data = default.id


def build(user: User, account: Account, form: AskForm, now: datetime) -> AskPage:
    """The form's page for `user` asking about `account`, as of `now`."""
    today = clock.today(now)
    lines = _kind_lines(today)
    fill_choices(form, user, account, lines)
    chosen = next((line for line in lines if line.key == form.kind.data), None)
    return AskPage(account=account, kinds=lines, chosen=chosen, today=today)
