"""What deactivating a person did, said to the admin who did it: their sessions ended, their API
tokens revoked (how many), their calendar address stopped, and the accounts they still hold
(handovers.queries.accounts_of: account team, a role on an open deal, a live tie) with a link to
plan the handover."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from salesflow import scope
from salesflow.auth.models import ApiToken, User
from salesflow.extensions import db
from salesflow.handovers.queries import accounts_of


@dataclass(frozen=True)
class Departure:
    name: str
    tokens_revoked: int
    accounts_held: int
    handover_url: str | None  # None: nothing to hand over, or the admin may not plan it


def departure(user: User, *, actor: User, now: datetime) -> Departure:
    """Read just after `user` was deactivated at `now` (update_user revokes tokens at `now`)."""
    revoked = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at == now)
    )
    held = len(accounts_of(user.id, actor=actor, now=now))
    url = None
    if held and scope.can_plan_handovers(actor):
        url = url_for("handovers.new", from_user_id=user.id)
    return Departure(user.name, int(revoked or 0), held, url)


def message(done: Departure) -> Markup:
    """The flash after a deactivation, with the *Plan the handover* link when there is one."""
    parts = [
        _("%(name)s is deactivated: their sessions have ended", name=done.name),
        ngettext(
            "%(num)d API token was revoked", "%(num)d API tokens were revoked", done.tokens_revoked
        ),
        _("their calendar address no longer works."),
    ]
    said = escape("; ".join(parts[:2]) + "; " + parts[2])
    if not done.accounts_held:
        return Markup("{} {}").format(said, _("They hold no accounts."))
    held = ngettext(
        "They still hold %(num)d account.", "They still hold %(num)d accounts.", done.accounts_held
    )
    if done.handover_url is None:
        return Markup("{} {}").format(said, held)
    return Markup('{} {} <a href="{}" class="alert-link" id="plan-handover">{}</a>').format(
        said, held, done.handover_url, _("Plan the handover")
    )
