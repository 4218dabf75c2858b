"""The deal page's buying-roles panel: the contacts involved in the deal with their role in it,
whether the deal is single-threaded, and the small form to add, change or remove a contact."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from salesflow import scope
from salesflow.auth.models import User
from salesflow.contacts.models import Contact, DecisionRole
from salesflow.extensions import db
from salesflow.key_accounts import deal_roles
from salesflow.labels import choices, label
from salesflow.opportunities.models import Opportunity
from salesflow.validation import parse_id


class DealContactForm(FlaskForm):
    """A contact of the account and their role in this deal (or its removal)."""

    contact_id = SelectField(_l("Contact"), validate_choice=False)
    role = SelectField(
        _l("Role in this deal"), choices=choices(DecisionRole), validate_choice=False
    )
    remove = HiddenField()
    version = HiddenField()
    next = HiddenField()

    def service_data(self) -> dict[str, Any]:
        return {
            "contact_id": parse_id(self.contact_id.data),
            "role": self.role.data,
            "remove": self.remove.data == "1",
            "version": parse_id(self.version.data),
        }


@dataclass(frozen=True)
class Line:
    contact: Contact
    role: str  # the role's label, in the reader's language
    account_role: str | None  # the account-level role's label, when the deal's differs
    explicit: bool
    options: tuple[tuple[str, str, bool], ...]  # (role, its label, the one it has) to change it


@dataclass
class Panel:
    lines: list[Line]
    single_threaded: bool
    can_edit: bool
    version: int
    form: DealContactForm | None = None


def _line(item: deal_roles.DealContact) -> Line:
    differs = item.role != item.contact.decision_role
    return Line(
        contact=item.contact,
        role=label(item.role),
        account_role=label(item.contact.decision_role) if differs else None,
        explicit=item.explicit,
        options=tuple((r.value, label(r), r == item.role) for r in DecisionRole),
    )


def panel(opportunity: Opportunity, user: User, now: datetime) -> Panel:
    """What the deal page shows of its buying roles, in a fixed number of queries."""
    lines = [_line(item) for item in deal_roles.deal_contacts(opportunity)]
    found = Panel(
        lines=lines,
        single_threaded=opportunity.id in deal_roles.single_threaded([opportunity.id], now=now),
        can_edit=scope.can_set_roles(user, opportunity),
        version=opportunity.version,
    )
    if found.can_edit:
        found.form = DealContactForm(formdata=None)
        found.form.version.data = str(opportunity.version)
        contacts = db.session.execute(
            sa.select(Contact.id, Contact.name)
            .where(Contact.account_id == opportunity.account_id, Contact.is_current)
            .order_by(Contact.name, Contact.id)
        )
        found.form.contact_id.choices = [SelectChoice(str(cid), name) for cid, name in contacts]
    return found
