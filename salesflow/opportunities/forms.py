"""Forms for opportunities: shape only; the rules live in opportunities.services and moves."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from salesflow.forms import STRIP, DateField, fits
from salesflow.labels import LABELS, choices
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Opportunity,
    StageChange,
    TriangleRole,
)
from salesflow.validation import coerce_id, parse_id

FIELD_LABELS = {
    "name": _l("Name"),
    "account_id": _l("Account"),
    "playbook": _l("Playbook"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "expected_close": _l("Expected close"),
    "customer_need": _l("Customer need"),
    "competitors": _l("Competitors"),
    "stage_key": _l("Stage"),
    "status": _l("Status"),
    "close_reason": _l("Reason"),
    "loss_reason": _l("Loss reason"),
    "roles": _l("Iron triangle"),
    "deleted_at": _l("Deleted"),
}


class OpportunityForm(FlaskForm):
    name = StringField(FIELD_LABELS["name"], validators=[fits(Opportunity.name)], filters=STRIP)
    playbook = SelectField(FIELD_LABELS["playbook"], validate_choice=False)
    amount = DecimalField(FIELD_LABELS["amount"], validators=[Optional()], places=None)
    currency = StringField(FIELD_LABELS["currency"], filters=STRIP)  # the service checks it
    expected_close = DateField(FIELD_LABELS["expected_close"], validators=[Optional()])
    customer_need = TextAreaField(
        FIELD_LABELS["customer_need"],
        validators=[fits(Opportunity.customer_need)],
        filters=STRIP,
        render_kw={"rows": 3},
        description=_l(
            "The business problem in the customer's words, and why it must be solved now."
        ),
    )
    competitors = StringField(
        FIELD_LABELS["competitors"], validators=[fits(Opportunity.competitors)], filters=STRIP
    )
    version = HiddenField()
    # a new deal's iron triangle, offered as the account team has it (edited later on its page)
    ar_id = SelectField(LABELS["AR"], coerce=coerce_id, validate_choice=False)
    sr_id = SelectField(LABELS["SR"], coerce=coerce_id, validate_choice=False)
    fr_id = SelectField(LABELS["FR"], coerce=coerce_id, validate_choice=False)
    SEATS = {"AR": "ar_id", "SR": "sr_id", "FR": "fr_id"}

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        names = ("name", "amount", "currency", "expected_close", "customer_need", "competitors")
        data = {name: self[name].data for name in names}
        if creating:
            data["playbook"] = self.playbook.data
            if any(self[name].raw_data for name in self.SEATS.values()):
                data["roles"] = [  # else the account team's (services.account_triangle)
                    {"user_id": self[name].data, "role": role}
                    for role, name in self.SEATS.items()
                    if self[name].data is not None
                ]
        else:
            data["version"] = parse_id(self.version.data)
        return data


class SeatForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    role = HiddenField()
    user_id = SelectField(_l("Person"), coerce=coerce_id, validate_choice=False)


class RolesForm(FlaskForm):
    seats = FieldList(FormField(SeatForm), min_entries=0, max_entries=3)

    def service_data(self) -> list[dict[str, Any]]:
        return [
            {"user_id": seat.user_id.data, "role": seat.role.data}
            for seat in self.seats
            if seat.user_id.data is not None
        ]


class MoveForm(FlaskForm):
    """Advance, back, close, reopen: one small form; the service says what each needs."""

    version = HiddenField()
    to_stage = HiddenField()
    reason = StringField(_l("Reason"), validators=[fits(StageChange.reason)], filters=STRIP)
    note = StringField(_l("Note"), validators=[fits(Opportunity.close_reason)], filters=STRIP)
    override_reason = StringField(
        _l("Override reason"),
        validators=[fits(StageChange.reason)],
        filters=STRIP,
        description=_l("Directors only: why the deal may go on with unmet criteria."),
    )

    def service_data(self) -> dict[str, Any]:
        return {
            "version": parse_id(self.version.data),
            "to_stage": self.to_stage.data or None,
            "reason": self.reason.data or None,
            "override_reason": self.override_reason.data or None,
            "note": self.note.data or None,
        }


class TickForm(FlaskForm):
    item = HiddenField()
    evidence = TextAreaField(
        _l("Evidence"),
        validators=[fits(ChecklistTick.evidence)],
        filters=STRIP,
        render_kw={"rows": 2},
    )


class ApprovalForm(FlaskForm):
    gate = HiddenField()
    decision = HiddenField()
    comment = StringField(_l("Comment"), validators=[fits(Approval.comment)], filters=STRIP)


def role_choices() -> list[Any]:
    return choices(TriangleRole)
