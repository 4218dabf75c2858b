"""Forms for interactions: shape only; the rules live in interactions.services.

Field names are a contract (browser tests, benchmark): account_id, kind, occurred_at, contact_ids,
participant_ids, summary, outcome, next_step, next_step_due, cost, spend_kind, spend_contact and
spend_amount (one of each per customer attendee, in order), csrf_token.
"""

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from salesflow import clock
from salesflow.forms import STRIP, DateField, DateTimeLocalField, fits
from salesflow.interactions.models import Interaction, Kind
from salesflow.key_accounts import spend_kinds
from salesflow.key_accounts.expectations_quicklog import PerceptionFields
from salesflow.labels import choices
from salesflow.validation import coerce_id, coerce_ids, parse_id

FIELD_LABELS = {
    "account_id": _l("Account"),
    "kind": _l("Kind"),
    "occurred_at": _l("When"),
    "contact_ids": _l("Their people"),
    "participant_ids": _l("Our people"),
    "summary": _l("What happened"),
    "outcome": _l("Outcome"),
    "next_step": _l("Next step"),
    "next_step_due": _l("Due"),
    "cost": _l("Cost"),
    "spend_kind": _l("Spent on"),
    "spend": _l("Shares of the cost"),
    "next_step_done_at": _l("Next step done"),
    "deleted_at": _l("Deleted"),
    "opportunity_id": _l("Opportunity"),
}

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def to_local(value: datetime) -> datetime:
    """A stored UTC time as the naive wall-clock time a datetime-local input shows."""
    return value.astimezone(clock.zone()).replace(tzinfo=None, second=0, microsecond=0)


def from_local(value: datetime | None) -> datetime | None:
    """A datetime-local input's naive wall-clock time as an aware UTC time."""
    return None if value is None else value.replace(tzinfo=clock.zone()).astimezone(UTC)


class InteractionForm(PerceptionFields, FlaskForm):
    """The quick log and the edit form. Contacts and participants are checkboxes rendered by the
    template (with titles and badges); their choices are not checked here but by the service."""

    account_id = HiddenField()
    next = HiddenField()  # where to go after saving (a local path), e.g. back to the deal
    opportunity_id = SelectField(
        FIELD_LABELS["opportunity_id"], coerce=coerce_id, validate_choice=False
    )
    kind = SelectField(FIELD_LABELS["kind"], choices=choices(Kind), default=Kind.visit.value)
    occurred_at = DateTimeLocalField(FIELD_LABELS["occurred_at"], format=LOCAL_FORMATS)
    contact_ids = SelectMultipleField(
        FIELD_LABELS["contact_ids"], coerce=coerce_ids, validate_choice=False
    )
    participant_ids = SelectMultipleField(
        FIELD_LABELS["participant_ids"], coerce=coerce_ids, validate_choice=False
    )
    summary = TextAreaField(
        FIELD_LABELS["summary"],
        validators=[fits(Interaction.summary)],
        filters=STRIP,
        render_kw={"rows": 3},
    )
    outcome = TextAreaField(
        FIELD_LABELS["outcome"],
        validators=[fits(Interaction.outcome)],
        filters=STRIP,
        render_kw={"rows": 2},
    )
    next_step = StringField(
        FIELD_LABELS["next_step"], validators=[fits(Interaction.next_step)], filters=STRIP
    )
    next_step_due = DateField(FIELD_LABELS["next_step_due"], validators=[Optional()])
    cost = DecimalField(FIELD_LABELS["cost"], validators=[Optional()], places=None)
    spend_kind = SelectField(
        FIELD_LABELS["spend_kind"], choices=spend_kinds.form_choices(), validate_choice=False
    )
    # The amounts per customer attendee (optional): one contact id and one amount per row of
    # "their people", in the page's order; rendered by the template.
    spend_contact = SelectMultipleField(coerce=str, validate_choice=False)
    spend_amount = SelectMultipleField(coerce=str, validate_choice=False)
    version = HiddenField()

    def fill(self, interaction: Interaction) -> None:
        """Show a stored interaction (GET of the edit page)."""
        self.kind.data = interaction.kind.value
        self.opportunity_id.data = interaction.opportunity_id
        self.occurred_at.data = to_local(interaction.occurred_at)
        self.contact_ids.data = [c.id for c in interaction.attendees]
        self.participant_ids.data = [u.id for u in interaction.participants]
        for name in ("summary", "outcome", "next_step", "next_step_due", "cost"):
            getattr(self, name).data = getattr(interaction, name)
        self.spend_kind.data = interaction.spend_kind or ""
        self.spend_contact.data = [str(s.contact_id) for s in interaction.spend_shares]
        self.spend_amount.data = [str(s.amount) for s in interaction.spend_shares]
        self.version.data = str(interaction.version)

    def spend_given(self) -> dict[str, str]:
        """{contact id: amount} as typed, the rows left empty left out."""
        pairs = zip(self.spend_contact.data or [], self.spend_amount.data or [], strict=False)
        return {c: a.strip() for c, a in pairs if a.strip()}

    def service_data(self) -> dict[str, Any]:
        """The fields as the service expects them (UTC time, id lists, empty as not set)."""
        data = {
            "opportunity_id": self.opportunity_id.data,
            "kind": self.kind.data,
            "occurred_at": from_local(self.occurred_at.data),
            "contact_ids": list(self.contact_ids.data or []),
            "participant_ids": list(self.participant_ids.data or []),
            "summary": self.summary.data,
            "outcome": self.outcome.data,
            "next_step": self.next_step.data,
            "next_step_due": self.next_step_due.data,
            "cost": self.cost.data,
            "spend_kind": self.spend_kind.data,
            "spend": [
                {"contact_id": parse_id(c), "amount": a} for c, a in self.spend_given().items()
            ],
        }
        data["version"] = parse_id(self.version.data)  # required when changing, not logging
        return data


class RescheduleForm(FlaskForm):
    """Move a next step to another day (My day's "snooze to…"): the day, where to go back to and
    the version the page showed."""

    due = DateField(_l("Snooze to"), validators=[Optional()])
    next = HiddenField()
    version = HiddenField()
