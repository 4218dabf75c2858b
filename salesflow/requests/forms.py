"""Forms for requests between our people: shape only; the rules (lead time, rush, who may move a
request where, rating once) live in requests.services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from salesflow.forms import STRIP, ButtonForm, DateField, fits
from salesflow.requests.models import InternalRequest
from salesflow.validation import coerce_id, parse_id

FIELD_LABELS = {
    "kind": _l("What you need"),
    "title": _l("Subject"),
    "details": _l("Details"),
    "account_id": _l("Account"),
    "opportunity_id": _l("Opportunity"),
    "assignee_id": _l("Whom to ask"),
    "needed_by": _l("Needed by"),
    "rush_reason": _l("Why so soon (rush reason)"),
    "comment": _l("Comment"),
    "rating": _l("Rating"),
    "rating_comment": _l("Comment (optional)"),
}


class AskForm(FlaskForm):
    """Asking a colleague: the account comes from the page the form was opened from (the
    service checks it is visible); the choices are filled by requests.pages."""

    account_id = HiddenField()
    kind = SelectField(FIELD_LABELS["kind"], validate_choice=False)
    title = StringField(
        FIELD_LABELS["title"], validators=[fits(InternalRequest.title)], filters=STRIP
    )
    opportunity_id = SelectField(
        FIELD_LABELS["opportunity_id"], coerce=coerce_id, validate_choice=False
    )
    assignee_id = SelectField(FIELD_LABELS["assignee_id"], coerce=coerce_id, validate_choice=False)
    needed_by = DateField(FIELD_LABELS["needed_by"], validators=[Optional()])
    details = TextAreaField(
        FIELD_LABELS["details"],
        validators=[fits(InternalRequest.details)],
        filters=STRIP,
        render_kw={"rows": 4},
    )
    rush_reason = TextAreaField(
        FIELD_LABELS["rush_reason"],
        validators=[fits(InternalRequest.rush_reason)],
        filters=STRIP,
        render_kw={"rows": 2},
        description=_l("Only when you need it sooner than the minimum lead time."),
    )

    def service_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data or "",
            "title": self.title.data,
            "details": self.details.data,
            "account_id": parse_id(self.account_id.data),
            "opportunity_id": self.opportunity_id.data,
            "assignee_id": self.assignee_id.data,
            "needed_by": self.needed_by.data,
            "rush_reason": self.rush_reason.data,
        }


class TransitionForm(ButtonForm):
    """One move of a request (`to`: the status), with its reason or what was delivered, and the
    version the page showed."""

    to = HiddenField()
    comment = TextAreaField(
        FIELD_LABELS["comment"],
        validators=[fits(InternalRequest.delivered)],
        filters=STRIP,
        render_kw={"rows": 2},
    )


class RateForm(ButtonForm):
    """The requester's rating, 1 to 5, with an optional comment."""

    rating = RadioField(
        FIELD_LABELS["rating"],
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validate_choice=False,
    )
    comment = TextAreaField(
        FIELD_LABELS["rating_comment"],
        validators=[fits(InternalRequest.rating_comment)],
        filters=STRIP,
        render_kw={"rows": 2},
    )

    def rating_value(self) -> int | None:
        """The chosen rating as a number (the service refuses anything but 1–5)."""
        return parse_id(self.rating.data)
