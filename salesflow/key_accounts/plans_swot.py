"""What the data already says for a plan's relationship SWOT (issue 17): a bus factor of 1 and a
decision maker nobody of ours holds are weaknesses; a champion not met for CHAMPION_DAYS is a
threat. Suggestions in the reader's language, each naming the people; a few queries per account."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from salesflow.auth.models import User
from salesflow.contacts.models import Attitude, Contact, DecisionRole
from salesflow.dependency import metrics, queries
from salesflow.extensions import db
from salesflow.interactions.models import Interaction, interaction_attendees

CHAMPION_DAYS = 90


@dataclass
class Suggestions:
    weaknesses: list[str] = field(default_factory=list)
    threats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"weaknesses": self.weaknesses, "threats": self.threats}


def _names(model, ids: set) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())


def _champions_not_met(account_id: int, now: datetime) -> list[tuple[str, datetime | None]]:
    """Current champions of the account whose last contact with us is CHAMPION_DAYS or more
    ago (or never), with that moment."""
    last = (
        sa.select(sa.func.max(Interaction.occurred_at))
        .join(interaction_attendees, interaction_attendees.c.interaction_id == Interaction.id)
        .where(
            interaction_attendees.c.contact_id == Contact.id,
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at <= now,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Contact.name, last)
        .where(
            Contact.account_id == account_id,
            Contact.attitude == Attitude.champion,
            Contact.deleted_at.is_(None),
            Contact.left_on.is_(None),
        )
        .order_by(Contact.name, Contact.id)
    ).all()
    limit = now - timedelta(days=CHAMPION_DAYS)
    return [(name, at) for name, at in rows if at is None or at <= limit]


def suggest(account_id: int, now: datetime, inp: metrics.AccountInput | None = None) -> Suggestions:
    """The SWOT lines the account's data suggests as of `now` (from its contacts and live ties
    `inp`, read here unless given)."""
    out = Suggestions()
    if inp is None:
        inp = queries.account_inputs({account_id}, now=now).get(account_id)
    if inp is None:
        return out
    figures = metrics.account_metrics(inp)
    uncovered = set(figures.uncovered_key_contacts)
    makers = {
        c.id for c in inp.contacts if c.decision_role == DecisionRole.decision_maker
    } & uncovered
    contact_names = _names(Contact, makers)
    if figures.bus_factor == 1 and figures.holder_id is not None:
        holder = _names(User, {figures.holder_id}).get(figures.holder_id, "")
        out.weaknesses.append(
            _(
                "Bus factor 1: if %(name)s left, half of the key relationships would have "
                "no live tie.",
                name=holder,
            )
        )
    for cid in sorted(makers, key=lambda c: (contact_names.get(c, ""), c)):
        out.weaknesses.append(
            _("Decision maker %(name)s: nobody of ours holds a live tie.", name=contact_names[cid])
        )
    for name, at in _champions_not_met(account_id, now):
        if at is None:
            out.threats.append(_("Champion %(name)s: never met.", name=name))
        else:
            days = (now - at).days
            out.threats.append(
                _("Champion %(name)s: not met for %(days)d days.", name=name, days=days)
            )
    return out
