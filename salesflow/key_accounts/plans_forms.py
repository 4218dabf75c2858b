"""The account plan's form: shape only; the rules live in key_accounts.plans_services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from salesflow.forms import DateField, fits
from salesflow.key_accounts.plans_models import TEXTS, AccountPlan, ObjectiveKind
from salesflow.key_accounts.plans_progress import TARGETS
from salesflow.labels import label
from salesflow.validation import coerce_id, parse_id

TEXT_LABELS = {
    "vision": _l("Vision"),
    "priorities": _l("Priorities"),
    "strengths": _l("Relationship strengths"),
    "weaknesses": _l("Relationship weaknesses"),
    "opportunities": _l("Relationship opportunities"),
    "threats": _l("Relationship threats"),
}
OBJECTIVES_LABEL = _l("Relationship objectives")
# The audit trail's labels of a plan's fields (audit.words reads them by table name).
AUDIT_LABELS: dict[str, dict[str, Any]] = {
    "account_plans": {**TEXT_LABELS, "objectives": OBJECTIVES_LABEL, "year": _l("Year")}
}
KIND_LABELS = {
    ObjectiveKind.contact_attitude: _l("A contact at an attitude or better"),
    ObjectiveKind.decision_makers_held: _l("Every decision maker held by our people"),
    ObjectiveKind.executive_exchange: _l("An executive-level exchange every quarter"),
}
EXTRA_ROWS = 3


class ObjectiveForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    kind = SelectField(
        _l("Measured by"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
        validate_choice=False,
    )
    title = StringField(_l("Objective"))
    due = DateField(_l("Due"), validators=[Optional()])
    contact_id = SelectField(_l("Contact"), coerce=coerce_id, validate_choice=False)
    attitude = SelectField(
        _l("At least"),
        choices=[SelectChoice("", "—")] + [SelectChoice(a.value, label(a)) for a in TARGETS],
        validate_choice=False,
    )
    people = IntegerField(
        _l("Held by at least"), validators=[Optional(), NumberRange(min=1, max=10)]
    )

    def params(self) -> dict[str, Any]:
        if self.kind.data == ObjectiveKind.contact_attitude:
            return {"contact_id": self.contact_id.data, "attitude": self.attitude.data or None}
        if self.kind.data == ObjectiveKind.decision_makers_held:
            return {"people": self.people.data}
        return {}


class PlanForm(FlaskForm):
    vision = TextAreaField(TEXT_LABELS["vision"], validators=[fits(AccountPlan.vision)])
    priorities = TextAreaField(TEXT_LABELS["priorities"], validators=[fits(AccountPlan.priorities)])
    strengths = TextAreaField(TEXT_LABELS["strengths"], validators=[fits(AccountPlan.strengths)])
    weaknesses = TextAreaField(TEXT_LABELS["weaknesses"], validators=[fits(AccountPlan.weaknesses)])
    opportunities = TextAreaField(
        TEXT_LABELS["opportunities"], validators=[fits(AccountPlan.opportunities)]
    )
    threats = TextAreaField(TEXT_LABELS["threats"], validators=[fits(AccountPlan.threats)])
    objectives = FieldList(FormField(ObjectiveForm), min_entries=0, max_entries=40)
    version = HiddenField()

    def rows(self) -> list[int]:
        """The indexes of the rows filled in (an empty row is left out; a half-filled one is
        sent, to be refused)."""
        return [
            i
            for i, row in enumerate(self.objectives)
            if row.kind.data or (row.title.data or "").strip() or row.due.data
        ]

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: self[name].data for name in TEXTS}
        data["version"] = parse_id(self.version.data)
        data["objectives"] = [
            {
                "kind": self.objectives[i].kind.data or None,
                "title": self.objectives[i].title.data,
                "due": self.objectives[i].due.data,
                "params": self.objectives[i].params(),
            }
            for i in self.rows()
        ]
        return data

    def place(self, fields: dict[str, list[str]]) -> None:
        """The service's messages on their fields: `objectives.<n>.<field>` on the n-th row
        sent; anything else without a field above the form."""
        rows = self.rows()
        for name, messages in fields.items():
            head, _, rest = name.partition(".")
            if head == "objectives" and rest:
                n, _, field = rest.partition(".")
                row = self.objectives[rows[int(n)]] if n.isdigit() and int(n) < len(rows) else None
                target = getattr(row, field, None) if row is not None else None
            else:
                target = getattr(self, name, None) if name in TEXTS else None
            if target is None:
                self.form_errors.extend(messages)
            else:
                target.errors = [*target.errors, *messages]
