"""The feed (`/calendar/<token>.ics`: no login, the token is the key), making and turning off
the address on "Your account", and one next step as an .ics file from the interaction page."""

from typing import Any

from flask import Blueprint, Response, redirect, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.auth.forms import PasswordChangeForm
from salesflow.auth.models import User
from salesflow.calendar import ics, services
from salesflow.errors import NotFound
from salesflow.forms import ButtonForm, press
from salesflow.interactions.models import Interaction
from salesflow.interactions.queries import is_open_step

bp = Blueprint("calendar", __name__)
ICS = "text/calendar"


def feed_url(token: str) -> str:
    """The address a calendar subscribes to, on the host this request came in on."""
    return url_for("calendar.feed", token=token, _external=True)


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The feed of the user whose address this is: 404 for an unknown, replaced or turned-off
    token, and for a deactivated user. In the user's language."""
    from salesflow import SUPPORTED_LOCALES, select_locale

    user = services.user_for_token(token)
    if user is None:
        raise NotFound()
    with force_locale(SUPPORTED_LOCALES.get(user.locale or "") or select_locale()):
        body = ics.feed(user)
    # Whoever holds the address sees the steps: no shared cache may keep a copy.
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": 'inline; filename="salesflow.ics"',
    }
    return Response(body, mimetype=ICS, headers=headers)


def account_section(user: User, url: str | None = None) -> dict[str, Any]:
    """What the "Your calendar" section of the account page shows: the new address right after it
    was made (never again: only its hash is kept), else when the current one was made."""
    current = services.feed_of(user)
    return {
        "url": url,
        "webcal": "webcal" + url[url.index(":") :] if url else None,
        "created_at": current.created_at if current else None,
        "form": ButtonForm(),
    }


@bp.post("/me/calendar")
@login_required
def create():
    """Make a new calendar address (the old one stops working) and show it once."""
    from salesflow.auth.views import _account_page

    if not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    user = current_user._get_current_object()
    token = services.create_feed(user, actor=user, now=clock.now())
    return _account_page(PasswordChangeForm(), calendar_url=feed_url(token))


@bp.post("/me/calendar/revoke")
@login_required
def revoke():
    user = current_user._get_current_object()
    return press(
        lambda: services.revoke_feed(user, actor=user, now=clock.now()),
        back=url_for("auth.account", _anchor="calendar"),
        done=_("Your calendar address is off: calendars get no more updates."),
    )


@bp.app_template_global()
def next_step_ics_url(interaction: Interaction) -> str | None:
    """The .ics download of the interaction's next step, when it is open."""
    if not is_open_step(interaction):
        return None
    return url_for("calendar.next_step", interaction_id=interaction.id)


@bp.get("/interactions/<int:interaction_id>/next-step.ics")
@login_required
def next_step(interaction_id: int):
    """One open next step as an .ics file to add to any calendar; 404 when there is none."""
    interaction = scope.get_interaction(current_user, interaction_id)
    if not is_open_step(interaction):
        raise NotFound()
    body = ics.calendar([ics.step_of(interaction)])
    headers = {"Content-Disposition": f'attachment; filename="next-step-{interaction.id}.ics"'}
    return Response(body, mimetype=ICS, headers=headers)
