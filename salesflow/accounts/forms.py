"""Forms for accounts: shape only; the rules live in accounts.services."""

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
from wtforms.validators import DataRequired, NumberRange, Optional

from salesflow.accounts.models import Account, TeamRole, Tier
from salesflow.forms import STRIP, fits
from salesflow.labels import choices
from salesflow.validation import MAX_ID, coerce_id, parse_id

FIELD_LABELS = {
    "name": _l("Name"),
    "industry": _l("Industry"),
    "region": _l("Region"),
    "team_id": _l("Team"),
    "tier": _l("Tier"),
    "parent_id": _l("Parent account"),
    "address": _l("Address"),
    "website": _l("Website"),
    "notes": _l("Notes"),
    "team": _l("Account team"),
    "deleted_at": _l("Deleted"),
}


class AccountForm(FlaskForm):
    name = StringField(
        FIELD_LABELS["name"], validators=[DataRequired(), fits(Account.name)], filters=STRIP
    )
    team_id = SelectField(FIELD_LABELS["team_id"], coerce=coerce_id, validate_choice=False)
    tier = SelectField(FIELD_LABELS["tier"], choices=choices(Tier), default="C")
    industry = StringField(
        FIELD_LABELS["industry"], validators=[fits(Account.industry)], filters=STRIP
    )
    region = StringField(FIELD_LABELS["region"], validators=[fits(Account.region)], filters=STRIP)
    parent_id = IntegerField(
        FIELD_LABELS["parent_id"],
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
        description=_l("The number of the parent account (in its page address), if any."),
    )
    address = StringField(
        FIELD_LABELS["address"], validators=[fits(Account.address)], filters=STRIP
    )
    website = StringField(
        FIELD_LABELS["website"], validators=[fits(Account.website)], filters=STRIP
    )
    notes = TextAreaField(FIELD_LABELS["notes"], validators=[Optional(), fits(Account.notes)])
    version = HiddenField()
    # What people edit on an account: what the form sends and what a stale save compares.
    EDITABLE = (
        "name",
        "team_id",
        "tier",
        "industry",
        "region",
        "parent_id",
        "address",
        "website",
        "notes",
    )

    def service_data(self) -> dict[str, Any]:
        data = {name: self[name].data for name in self.EDITABLE}
        data["version"] = parse_id(self.version.data)
        return data


class MemberForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    user_id = SelectField(_l("Person"), coerce=coerce_id, validate_choice=False)
    role = SelectField(_l("Role"), choices=choices(TeamRole, blank="—"), validate_choice=False)


class TeamForm(FlaskForm):
    members = FieldList(FormField(MemberForm), min_entries=0, max_entries=200)

    def service_data(self) -> list[dict[str, Any]]:
        """Every row with a person or a role (a half-filled row is refused, not dropped)."""
        return [
            {"user_id": row.user_id.data, "role": row.role.data or None}
            for row in self.members
            if row.user_id.data or row.role.data
        ]


def user_choices(users: list[Any]) -> list[SelectChoice]:
    """People for the account team's rows; leavers still on the team are marked."""
    inactive = _l("inactive")
    return [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), u.name if u.active else f"{u.name} ({inactive})") for u in users
    ]
