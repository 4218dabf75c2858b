"""Forms for handovers: shape only; the rules live in handovers.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField
from wtforms.validators import Optional

from salesflow.accounts.forms import _int_or_none
from salesflow.contacts.models import Attitude, Influence
from salesflow.labels import choices

FIELD_LABELS = {
    "from_user_id": _l("Hands over"),
    "to_user_id": _l("Successor"),
    "account_ids": _l("Accounts"),
    "due_date": _l("Due"),
}


def _ids(values: Any) -> list[int]:
    return [v for v in (_int_or_none(x) for x in values or []) if v is not None]


class HandoverForm(FlaskForm):
    """The accounts are checkboxes rendered by the template (the person's accounts); the
    service checks every choice."""

    from_user_id = HiddenField()
    to_user_id = SelectField(FIELD_LABELS["to_user_id"], coerce=_int_or_none,
                             validate_choice=False)  # fmt: skip
    due_date = DateField(FIELD_LABELS["due_date"], validators=[Optional()])
    account_ids = SelectMultipleField(FIELD_LABELS["account_ids"], coerce=str,
                                      validate_choice=False)  # fmt: skip

    def service_data(self) -> dict[str, Any]:
        return {
            "from_user_id": _int_or_none(self.from_user_id.data),
            "to_user_id": self.to_user_id.data,
            "due_date": self.due_date.data,
            "account_ids": _ids(self.account_ids.data),
        }


class ConfirmForm(FlaskForm):
    """The successor's "I confirm attitude X and influence Y" for one key contact."""

    attitude = SelectField(_l("Attitude"), choices=choices(Attitude), validate_choice=False)
    influence = SelectField(_l("Influence"), choices=choices(Influence), validate_choice=False)

    def service_data(self) -> dict[str, Any]:
        return {"attitude": self.attitude.data, "influence": self.influence.data}


class ButtonForm(FlaskForm):
    """A POST-only button (transfer the roles): the CSRF token only."""
