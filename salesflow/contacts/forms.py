"""Forms for contacts: shape only; the rules live in contacts.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from salesflow.contacts.models import (
    EDITABLE_FIELDS,
    Attitude,
    Contact,
    DecisionRole,
    Influence,
    Level,
)
from salesflow.forms import STRIP, DateField, fits
from salesflow.labels import choices
from salesflow.validation import coerce_id, parse_id

# Labels of the contact's fields, for the form and for the audit history on the contact page.
FIELD_LABELS = {
    "account_id": _l("Account"),
    "name": _l("Name"),
    "title": _l("Title"),
    "department": _l("Department"),
    "level": _l("Level"),
    "reports_to_id": _l("Reports to"),
    "decision_role": _l("Decision role"),
    "influence": _l("Influence"),
    "attitude": _l("Attitude toward us"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "background": _l("Background"),
    "education": _l("Education"),
    "hometown": _l("Hometown"),
    "interests": _l("Interests"),
    "preferences": _l("Preferences"),
    "notes": _l("Do / don't notes"),
    "government_official": _l("Government official"),
    "left_on": _l("Left the customer on"),
    "deleted_at": _l("Deleted"),
}


def _text(name: str, **kwargs: Any) -> StringField:
    return StringField(
        FIELD_LABELS[name], validators=[fits(getattr(Contact, name))], filters=STRIP, **kwargs
    )


def _long_text(name: str, description: Any = None) -> TextAreaField:
    return TextAreaField(
        FIELD_LABELS[name],
        validators=[fits(getattr(Contact, name))],
        filters=STRIP,
        description=description,
        render_kw={"rows": 3},
    )


class ContactForm(FlaskForm):
    name = _text("name", render_kw={"autocomplete": "off"})
    title = _text("title")
    department = _text("department")
    level = SelectField(FIELD_LABELS["level"], choices=choices(Level, blank=_l("Not set")))
    reports_to_id = SelectField(FIELD_LABELS["reports_to_id"], coerce=coerce_id)
    decision_role = SelectField(
        FIELD_LABELS["decision_role"],
        choices=choices(DecisionRole),
        default=DecisionRole.unknown.value,
    )
    influence = SelectField(
        FIELD_LABELS["influence"], choices=choices(Influence), default=Influence.medium.value
    )
    attitude = SelectField(
        FIELD_LABELS["attitude"], choices=choices(Attitude), default=Attitude.unknown.value
    )
    email = EmailField(FIELD_LABELS["email"], validators=[fits(Contact.email)], filters=STRIP)
    phone = TelField(FIELD_LABELS["phone"], validators=[fits(Contact.phone)], filters=STRIP)
    background = _long_text("background", _l("Career, past projects, position in the company."))
    education = _text("education")
    hometown = _text("hometown")
    interests = _long_text("interests", _l("Hobbies, sports, what they like to talk about."))
    preferences = _long_text("preferences", _l("Food, drink, schedule, how they like to meet."))
    notes = _long_text("notes", _l("What to do and what to avoid at a reception."))
    government_official = BooleanField(FIELD_LABELS["government_official"])
    left_on = DateField(FIELD_LABELS["left_on"], validators=[Optional()])
    version = HiddenField()

    def set_reports_to_choices(self, candidates: list[Contact], current: Contact | None) -> None:
        """The account's current contacts; a manager who has since left stays selectable so
        saving the form unchanged keeps the history."""
        options = [SelectChoice("", _l("Nobody (top of the chart)"))]
        options += [SelectChoice(c.id, _choice_label(c)) for c in candidates]
        if current is not None and current.reports_to is not None:
            boss = current.reports_to
            if all(c.id != boss.id for c in candidates):
                options.append(SelectChoice(boss.id, f"{_choice_label(boss)} · {_l('former')}"))
        self.reports_to_id.choices = options

    def service_data(self) -> dict[str, Any]:
        """The fields as the service expects them (empty strings are "not set")."""
        data = {name: getattr(self, name).data for name in EDITABLE_FIELDS}
        data["government_official"] = bool(self.government_official.data)
        data["version"] = parse_id(self.version.data)
        return data


def _choice_label(contact: Contact) -> str:
    return f"{contact.name} · {contact.title}" if contact.title else contact.name


class LeaveForm(FlaskForm):
    """Mark a contact as having left the customer, on a date (today unless changed)."""

    left_on = DateField(
        FIELD_LABELS["left_on"],
        validators=[InputRequired(message=_l("Enter the day they left."))],
    )
    version = HiddenField()
