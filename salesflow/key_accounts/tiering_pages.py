"""What the tiering pages show: the tiering panel on the account page (scores, suggested tier,
the director's decision, the history, the group of subsidiaries) and the yearly review of the
accounts whose suggested and actual tier differ — computed here so the templates render."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.forms import fits
from salesflow.key_accounts import hierarchy, tiering
from salesflow.key_accounts.tiering_models import AccountTierChange
from salesflow.validation import parse_id

HISTORY_SHOWN = 10
PAGE_SIZE = 50
# The audit trail's labels (audit.words reads them): a tier decision's fields, and the account's
# yearly potential.
AUDIT_LABELS: dict[str, dict[str, object]] = {
    "account_tier_changes": {
        "from_tier": _l("Tier before"),
        "to_tier": _l("Tier"),
        "suggested": _l("Suggested tier"),
        "reason": _l("Reason"),
    }
}
ACCOUNT_AUDIT_LABELS = {
    "yearly_potential": _l("Yearly potential"),
    "potential_currency": _l("Currency of the yearly potential"),
}


class PotentialForm(FlaskForm):
    """The AR's yearly potential of the account, in a currency."""

    yearly_potential = StringField(_l("Yearly potential"))
    potential_currency = StringField(_l("Currency"))
    version = HiddenField()

    def service_data(self) -> dict[str, object]:
        return {
            "yearly_potential": (self.yearly_potential.data or "").strip() or None,
            "potential_currency": self.potential_currency.data,
            "version": tiering_version(self.version.data),
        }


class DecisionForm(FlaskForm):
    """The director's decision on the suggested tier."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("confirm", _l("Confirm the suggested tier")),
            SelectChoice("keep", _l("Keep the tier")),
        ],
        validate_choice=False,  # the service says what is wrong, with every other problem
    )
    reason = TextAreaField(_l("Reason"), validators=[fits(AccountTierChange.reason)])
    version = HiddenField()
    next = HiddenField()

    def service_data(self) -> dict[str, object]:
        return {
            "decision": self.decision.data,
            "reason": self.reason.data,
            "version": tiering_version(self.version.data),
        }


def tiering_version(raw: str | None) -> int | None:
    """The version the page showed (ASCII digits), else None: the service then asks for it."""
    return parse_id(raw)


@dataclass(frozen=True)
class HistoryLine:
    change: AccountTierChange
    confirmed: bool  # the account took the suggested tier (else it kept its tier)


@dataclass(frozen=True)
class Panel:
    account: Account
    scores: tiering.Scores
    differs: bool  # suggested and actual tiers differ
    history: list[HistoryLine]
    can_decide: bool
    can_set_potential: bool
    group: hierarchy.Group | None  # only for an account with subsidiaries in the group
    group_dependency: hierarchy.GroupDependency | None  # with the group, rolled up
    can_see_dependency: bool  # links the dependency dashboard
    potential_form: PotentialForm
    decision_form: DecisionForm


def _history(account_id: int) -> list[HistoryLine]:
    changes = db.session.scalars(
        sa.select(AccountTierChange)
        .where(AccountTierChange.account_id == account_id)
        .options(so.joinedload(AccountTierChange.actor))
        .order_by(AccountTierChange.at.desc(), AccountTierChange.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    return [HistoryLine(c, c.to_tier == c.suggested and c.from_tier != c.to_tier) for c in changes]


def panel(user: User, account: Account, now: datetime) -> Panel | None:
    """The tiering panel of the account page (None for a deleted account)."""
    if account.is_deleted:
        return None
    scores = tiering.scores_for([account.id], now)[account.id]
    group = hierarchy.for_account(user, account)
    in_group = bool(group.subsidiaries or group.hidden)
    potential_form = PotentialForm(
        formdata=None,
        yearly_potential=account.yearly_potential,
        potential_currency=account.potential_currency,
        version=account.version,
    )
    return Panel(
        account=account,
        scores=scores,
        differs=scores.suggested != account.tier,
        history=_history(account.id),
        can_decide=scope.can_decide_tier(user, account),
        can_set_potential=scope.can_edit_account(user, account),
        group=group if in_group else None,
        group_dependency=hierarchy.group_dependency(account.id, user, now) if in_group else None,
        can_see_dependency=scope.can_see_dependency(user),
        potential_form=potential_form,
        decision_form=DecisionForm(formdata=None, version=account.version),
    )


@dataclass(frozen=True)
class ReviewLine:
    account: Account  # with its team
    scores: tiering.Scores
    can_decide: bool


@dataclass(frozen=True)
class Review:
    lines: list[ReviewLine]  # this page of them, by name
    total: int  # accounts whose suggested and actual tiers differ
    page: int
    pages: int
    decision_form: DecisionForm


def review(user: User, now: datetime, *, page: int = 1) -> Review:
    """The accounts `user` may see whose suggested tier differs from their tier, by name, a page
    at a time: the scores of every visible account in four queries, then one for the page."""
    visible = sa.select(Account.id).where(scope.visible_accounts(user))
    scores = tiering.scores_for(visible, now)
    rows = db.session.execute(
        sa.select(Account.id, Account.tier)
        .where(scope.visible_accounts(user))
        .order_by(Account.name, Account.id)
    ).all()
    differing = [aid for aid, tier in rows if aid in scores and scores[aid].suggested != tier]
    pages = max(1, -(-len(differing) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = differing[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    accounts = db.session.scalars(
        sa.select(Account)
        .where(Account.id.in_(shown))
        .options(so.joinedload(Account.team))
        .order_by(Account.name, Account.id)
    ).all()
    lines = [ReviewLine(a, scores[a.id], scope.can_decide_tier(user, a)) for a in accounts]
    return Review(lines, len(differing), page, pages, DecisionForm(formdata=None))
