"""POST /me/calendar: a new secret calendar address (API.md, "Data in and out"); DELETE turns it
off. The feed itself is GET /calendar/<token>.ics, outside /api/v1 (calendar/views.py)."""

from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import bp, caller, token_auth
from salesflow.calendar import services
from salesflow.calendar.views import feed_url

UNAUTHORIZED = "Missing, unknown, expired or revoked bearer token"


class CalendarOut(BaseModel):
    url: str = Field(description="The feed's secret address, shown only in this answer")


@bp.post("/me/calendar")
@bp.auth_required(token_auth)
@bp.output(CalendarOut, status_code=201)
@bp.doc(
    summary="A new secret calendar address of your open next steps",
    description="An iCalendar feed (all-day events on the due dates) for Outlook, Apple Calendar "
    "or Google Calendar to subscribe to; it asks to be fetched hourly (Google refreshes only "
    "every 8 to 24 hours). Only a hash of the token is kept: the address is in this answer "
    "alone. A new one replaces the old, which then answers 404; so does it once you are "
    "deactivated.",
    responses={401: UNAUTHORIZED},
)
def create_calendar():
    user = caller()
    token = services.create_feed(user, actor=user, now=clock.now())
    return {"url": feed_url(token)}, 201


@bp.delete("/me/calendar")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Turn your calendar address off (it then answers 404)", responses={401: UNAUTHORIZED}
)
def delete_calendar():
    user = caller()
    services.revoke_feed(user, actor=user, now=clock.now())
    return "", 204
