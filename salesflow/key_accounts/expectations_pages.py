"""What the expectation pages show: an account's register (its expectations with their closing
actions, its perception records, its satisfaction trend, the forms), the panel of the account
page, and the team view of satisfaction — computed here so the templates only render."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.forms import DateField, fits
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import expectations as register
from salesflow.key_accounts import expectations_satisfaction as satisfaction
from salesflow.key_accounts.expectations_models import (
    AccountExpectation,
    ExpectationCategory,
    ExpectationStatus,
    OwnerRole,
    PerceptionRecord,
    PerceptionSource,
)
from salesflow.requests.models import InternalRequest
from salesflow.requests.models import Status as RequestStatus
from salesflow.teams.models import Team
from salesflow.validation import parse_id

ACTIONS_SHOWN = 30  # the latest done next steps and done requests offered to close with
PERCEPTIONS_SHOWN = 20
PANEL_OPEN_SHOWN = 5

WORDS: dict[str, Any] = {
    "product": _l("Product"),
    "delivery": _l("Delivery"),
    "service": _l("Service"),
    "price": _l("Price and terms"),
    "relationship": _l("Relationship"),
    "other": _l("Other"),
    "open": _l("Not yet met"),
    "met": _l("Met"),
    "missed": _l("Missed"),
    "withdrawn": _l("Withdrawn"),
    "survey": _l("Survey"),
    "meeting": _l("Meeting"),
    "complaint": _l("Complaint"),
    "AR": _l("AR · account responsible"),
    "SR": _l("SR · solution responsible"),
    "FR": _l("FR · fulfilment responsible"),
}


WORDED = ("category", "owner_role", "status", "source")  # fields whose values are WORDS
# The audit trail's labels of the register's fields (audit.words reads them by table name).
AUDIT_LABELS: dict[str, dict[str, Any]] = {
    "account_expectations": {
        "statement": _l("What the customer expects"),
        "category": _l("Category"),
        "owner_role": _l("Who answers for it"),
        "due": _l("Due"),
        "status": _l("Status"),
        "closed_at": _l("Closed"),
        "interaction_id": _l("Met by the next step of"),
        "request_id": _l("Met by the request"),
    },
    "perception_records": {
        "perceived": _l("Perceived (1–5)"),
        "expected": _l("Expected (1–5)"),
        "source": _l("Source"),
        "contact_id": _l("Whose"),
    },
}


def word(value: Any) -> str:
    """The reader's word for one of the register's values (STYLE.md rule 16)."""
    key = getattr(value, "value", value)
    return str(WORDS.get(key, key))


def _choices(kind: type, blank: Any = None) -> list[SelectChoice]:
    options = [SelectChoice(m.value, WORDS[m.value]) for m in kind]
    return ([SelectChoice("", blank)] if blank is not None else []) + options


SCORE_CHOICES = [SelectChoice("", _l("Choose…"))] + [
    SelectChoice(str(n), str(n)) for n in range(1, 6)
]


class ExpectationForm(FlaskForm):
    """A new expectation of the customer."""

    statement = TextAreaField(
        _l("What the customer expects"), validators=[fits(AccountExpectation.statement)]
    )
    category = SelectField(
        _l("Category"), choices=_choices(ExpectationCategory, _l("Choose…")), validate_choice=False
    )
    owner_role = SelectField(
        _l("Who answers for it"), choices=_choices(OwnerRole, _l("Choose…")), validate_choice=False
    )
    due = DateField(_l("Due"), validators=[Optional()])

    def service_data(self) -> dict[str, Any]:
        return {
            "statement": self.statement.data,
            "category": self.category.data,
            "owner_role": self.owner_role.data,
            "due": self.due.data,
        }


class CloseForm(FlaskForm):
    """Close one expectation: met (with the action done that met it), missed or withdrawn."""

    status = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(s.value, WORDS[s.value]) for s in register.CLOSINGS],
        validate_choice=False,
    )
    action = SelectField(_l("Met by"), validate_choice=False)
    version = HiddenField()
    next = HiddenField()

    def service_data(self) -> dict[str, Any]:
        kind, _sep, raw = (self.action.data or "").partition(":")
        found = parse_id(raw) or raw or None  # a tampered value is the service's to refuse
        return {
            "status": self.status.data,
            "interaction_id": found if kind == "step" else None,
            "request_id": found if kind == "request" else None,
            "version": parse_id(self.version.data),
        }


class PerceptionForm(FlaskForm):
    """The customer's perceived against expected score, from a survey, a meeting or a complaint."""

    perceived = SelectField(_l("Perceived (1–5)"), choices=SCORE_CHOICES, validate_choice=False)
    expected = SelectField(_l("Expected (1–5)"), choices=SCORE_CHOICES, validate_choice=False)
    source = SelectField(
        _l("Source"), choices=_choices(PerceptionSource, _l("Choose…")), validate_choice=False
    )
    contact_id = SelectField(_l("Whose"), validate_choice=False)

    def service_data(self) -> dict[str, Any]:
        raw = self.contact_id.data or ""
        return {
            "perceived": self.perceived.data,
            "expected": self.expected.data,
            "source": self.source.data,
            "contact_id": parse_id(raw) or raw or None,
        }


def get_expectation(account: Account, expectation_id: int) -> AccountExpectation:
    """One expectation of the account (already loaded through the scope), else NotFound."""
    found = db.session.get(AccountExpectation, expectation_id)
    if found is None or found.account_id != account.id:
        raise NotFound()
    return found


@dataclass(frozen=True)
class Line:
    expectation: AccountExpectation
    category: str
    owner_role: str
    status: str
    overdue: bool
    met_by: str | None  # the closing action's words: the next step, or the request's title
    form: CloseForm | None  # for an open one the reader may close


@dataclass(frozen=True)
class PerceptionLine:
    record: PerceptionRecord
    source: str
    gap: int
    contact: str | None


@dataclass(frozen=True)
class Register:
    account: Account
    lines: list[Line]
    open_count: int
    perceptions: list[PerceptionLine]
    trend: satisfaction.Trend
    can_write: bool
    expectation_form: ExpectationForm
    perception_form: PerceptionForm
    can_see_teams: bool  # the team view of satisfaction (directors, leadership, admins)


def _steps(account_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Interaction.id, Interaction.next_step)
        .where(
            Interaction.account_id == account_id,
            Interaction.deleted_at.is_(None),
            Interaction.next_step.is_not(None),
            Interaction.next_step_done_at.is_not(None),
        )
        .order_by(Interaction.next_step_done_at.desc(), Interaction.id.desc())
        .limit(ACTIONS_SHOWN)
    ).all()
    return [(i, s) for i, s in rows]


def _requests(user: User, account_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(InternalRequest.id, InternalRequest.title)
        .where(
            InternalRequest.account_id == account_id,
            InternalRequest.status == RequestStatus.done,
            scope.visible_requests(user),
        )
        .order_by(InternalRequest.done_at.desc(), InternalRequest.id.desc())
        .limit(ACTIONS_SHOWN)
    ).all()
    return [(i, t) for i, t in rows]


def _met_by(lines: list[AccountExpectation]) -> dict[str, dict[int, str]]:
    """The words of every closing action of the register, in two queries."""
    steps = {e.interaction_id for e in lines if e.interaction_id}
    requests = {e.request_id for e in lines if e.request_id}
    found: dict[str, dict[int, str]] = {"step": {}, "request": {}}
    if steps:
        found["step"] = dict(
            db.session.execute(
                sa.select(Interaction.id, Interaction.next_step).where(Interaction.id.in_(steps))
            ).all()
        )
    if requests:
        found["request"] = dict(
            db.session.execute(
                sa.select(InternalRequest.id, InternalRequest.title).where(
                    InternalRequest.id.in_(requests)
                )
            ).all()
        )
    return found


def _action_choices(user: User, account_id: int) -> list[SelectChoice]:
    choices = [SelectChoice("", _l("No action (missed or withdrawn)"))]
    choices += [
        SelectChoice(f"step:{i}", _l("Next step: %(s)s", s=s)) for i, s in _steps(account_id)
    ]
    choices += [
        SelectChoice(f"request:{i}", _l("Request: %(s)s", s=t))
        for i, t in _requests(user, account_id)
    ]
    return choices


def _lines(user: User, account: Account, can_write: bool, today: date) -> list[Line]:
    found = register.expectations_of([account.id]).get(account.id, [])
    met = _met_by(found)
    actions = _action_choices(user, account.id) if can_write else []
    lines = []
    for e in found:
        form = None
        if can_write and e.status == ExpectationStatus.open:
            form = CloseForm(formdata=None, version=e.version, prefix=f"close-{e.id}")
            form.action.choices = actions
        words = met["step"].get(e.interaction_id) or met["request"].get(e.request_id)
        lines.append(
            Line(
                e,
                word(e.category),
                word(e.owner_role),
                word(e.status),
                register.is_overdue(e, today),
                words,
                form,
            )
        )
    return lines


def _contacts(account_id: int) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Contact.id, Contact.name)
        .where(Contact.account_id == account_id, Contact.deleted_at.is_(None))
        .order_by(Contact.name, Contact.id)
    ).all()
    return [SelectChoice("", _l("The customer as a whole"))] + [
        SelectChoice(str(i), n) for i, n in rows
    ]


def _perceptions(account_id: int) -> list[PerceptionLine]:
    records = db.session.scalars(
        sa.select(PerceptionRecord)
        .where(PerceptionRecord.account_id == account_id)
        .options(so.joinedload(PerceptionRecord.contact))
        .order_by(PerceptionRecord.at.desc(), PerceptionRecord.id.desc())
        .limit(PERCEPTIONS_SHOWN)
    ).all()
    return [
        PerceptionLine(r, word(r.source), r.gap, r.contact.name if r.contact else None)
        for r in records
    ]


def build(
    user: User,
    account: Account,
    now: datetime,
    *,
    expectation_form: ExpectationForm | None = None,
    perception_form: PerceptionForm | None = None,
) -> Register:
    """The register page of one account the reader sees (forms re-shown with their errors)."""
    can_write = scope.can_edit_account(user, account)
    perception_form = perception_form or PerceptionForm(formdata=None)
    perception_form.contact_id.choices = _contacts(account.id) if can_write else []
    lines = _lines(user, account, can_write, clock.today(now))
    trend = satisfaction.for_accounts([account.id], now).get(account.id) or satisfaction.empty(now)
    return Register(
        account=account,
        lines=lines,
        open_count=sum(1 for line in lines if line.expectation.status == ExpectationStatus.open),
        perceptions=_perceptions(account.id),
        trend=trend,
        can_write=can_write,
        expectation_form=expectation_form or ExpectationForm(formdata=None),
        perception_form=perception_form,
        can_see_teams=scope.can_review_pipeline(user),
    )


@dataclass(frozen=True)
class Panel:
    account: Account
    open_lines: list[Line]  # the soonest due open ones
    open_count: int
    overdue_count: int
    trend: satisfaction.Trend


def panel(account: Account, now: datetime) -> Panel | None:
    """The account page's panel: the open expectations and the satisfaction trend (3 queries)."""
    if account.is_deleted:
        return None
    today = clock.today(now)
    found = register.open_for_account(account.id)
    lines = [
        Line(
            e,
            word(e.category),
            word(e.owner_role),
            word(e.status),
            register.is_overdue(e, today),
            None,
            None,
        )
        for e in found
    ]
    trend = satisfaction.for_accounts([account.id], now).get(account.id) or satisfaction.empty(now)
    return Panel(
        account,
        lines[:PANEL_OPEN_SHOWN],
        len(lines),
        sum(1 for line in lines if line.overdue),
        trend,
    )


@dataclass(frozen=True)
class TeamLine:
    name: str  # the team's name, or "No team"
    trend: satisfaction.Trend


@dataclass(frozen=True)
class TeamView:
    quarters: list[date]
    lines: list[TeamLine]  # by team name
    below: list[tuple[Account, satisfaction.Trend]]  # accounts below expectations, worst first


BELOW_SHOWN = 50


def team_view(user: User, now: datetime) -> TeamView:
    """Satisfaction per team over the accounts the reader sees, and the accounts whose customers
    perceive less than they expected — four queries however many accounts and records."""
    visible = scope.visible_accounts(user)
    by_team = satisfaction.for_teams(visible, now)
    names = dict(
        db.session.execute(
            sa.select(Team.id, Team.name).where(Team.id.in_([k for k in by_team if k]))
        ).all()
    )
    lines = sorted(
        (TeamLine(names.get(k) or str(_l("No team")), t) for k, t in by_team.items()),
        key=lambda line: line.name,
    )
    worst = satisfaction.below(visible, now, BELOW_SHOWN)
    accounts = {
        a.id: a for a in db.session.scalars(sa.select(Account).where(Account.id.in_(list(worst))))
    }
    return TeamView(
        quarters=satisfaction.quarters(clock.today(now)),
        lines=lines,
        below=[(accounts[aid], t) for aid, t in worst.items() if aid in accounts],
    )
