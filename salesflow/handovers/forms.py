"""Forms for handovers: shape only; the rules live in handovers.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.validators import Optional

from salesflow.contacts.models import Attitude, Influence
from salesflow.forms import DateField
from salesflow.labels import choices
from salesflow.validation import coerce_id, coerce_ids, parse_id

FIELD_LABELS = {
    "from_user_id": _l("Hands over"),
    "to_user_id": _l("Successor"),
    "account_ids": _l("Accounts"),
    "due_date": _l("Due"),
}


class HandoverForm(FlaskForm):
    """The accounts are checkboxes rendered by the template (the person's accounts); the
    service checks every choice."""

    from_user_id = HiddenField(id="handover-from-user")  # the person picker is #from_user_id
    to_user_id = SelectField(FIELD_LABELS["to_user_id"], coerce=coerce_id, validate_choice=False)
    due_date = DateField(FIELD_LABELS["due_date"], validators=[Optional()])
    account_ids = SelectMultipleField(
        FIELD_LABELS["account_ids"], coerce=coerce_ids, validate_choice=False
    )

    def service_data(self) -> dict[str, Any]:
        return {
            "from_user_id": parse_id(self.from_user_id.data),
            "to_user_id": self.to_user_id.data,
            "due_date": self.due_date.data,
            "account_ids": list(self.account_ids.data or []),
        }


class ConfirmForm(FlaskForm):
    """The successor's "I confirm attitude X and influence Y" for one key contact."""

    attitude = SelectField(_l("Attitude"), choices=choices(Attitude), validate_choice=False)
    influence = SelectField(_l("Influence"), choices=choices(Influence), validate_choice=False)

    def service_data(self) -> dict[str, Any]:
        return {"attitude": self.attitude.data, "influence": self.influence.data}


class PlanJointForm(FlaskForm):
    """The day of a joint contact to come (the service checks it is not in the past)."""

    due = DateField(_l("Day of the joint contact"), validators=[Optional()])

    def service_data(self) -> dict[str, Any]:
        return {"due": self.due.data}
