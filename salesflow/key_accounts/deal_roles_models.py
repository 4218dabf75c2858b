"""The customer contacts involved in a deal, each with their decision role in this deal (issue 17:
roles on a contact are for the whole account; a deal may see the same person differently)."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.contacts.models import DecisionRole
from salesflow.db import str_enum
from salesflow.extensions import db


class OpportunityContact(db.Model):
    """A contact involved in a deal and their decision role in it."""

    __tablename__ = "opportunity_contacts"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "contact_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    opportunity_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("opportunities.id"))
    contact_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("contacts.id"), index=True)
    role: so.Mapped[DecisionRole] = so.mapped_column(str_enum(DecisionRole))
