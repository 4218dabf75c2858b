"""The contact history as the pages show it (account, contact, deal and interaction pages, My
day): each interaction with its next step's state decided here (Interaction.step_overdue on the
company's day), so the timeline partial only renders. The account, contact and deal pages show
it a page at a time: the newest PAGE, then "Older" for the next PAGE (`?before=<id>`, the last
entry shown; a bad value is ignored and the page starts at the newest)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import request, url_for

from salesflow import clock
from salesflow.auth.models import User
from salesflow.interactions import queries
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import spend_caps
from salesflow.validation import parse_id

PAGE = 30
ANCHOR = "timeline-entries"  # the list's id in the partial: a page link lands on it


@dataclass(frozen=True)
class Entry:
    item: Interaction
    step_overdue: bool  # an open next step due before the company's today
    # the attendees' shares of its cost above the per-person cap of its spend kind (issue 17)
    cap_flags: tuple[spend_caps.Flag, ...] = ()


class Timeline(list[Entry]):
    """One page of a timeline, newest first, with the links to the next older page and back to
    the newest (None where there is none)."""

    def __init__(
        self, entries: list[Entry], *, older_url: str | None = None, newest_url: str | None = None
    ):
        super().__init__(entries)
        self.older_url = older_url
        self.newest_url = newest_url


def entries(interactions: Iterable[Interaction], now: datetime) -> list[Entry]:
    """Loaded interactions as timeline entries, as of `now`, with their spend caps' flags: one
    query for them all, none when none has a cost or no cap is set."""
    today = clock.today(now)
    items = list(interactions)
    flags = spend_caps.flags(i.id for i in items if i.cost is not None)
    return [Entry(i, i.step_overdue(today), tuple(flags.get(i.id, ()))) for i in items]


def before_arg() -> int | None:
    """The page's `before` parameter: an interaction id, else None (the newest page)."""
    return parse_id(request.args.get("before"))


def of(user: User, *, now: datetime, before: int | None = None, **where: int) -> Timeline:
    """A page of the timeline `user` may see (interactions.queries.timeline: account_id,
    contact_id, opportunity_id), older than interaction `before`, as entries as of `now`; the
    links stay on the current page (its endpoint and path)."""
    items = queries.timeline(user, before=before, limit=PAGE + 1, **where)
    page = entries(items[:PAGE], now)
    here = request.endpoint or ""
    args = request.view_args or {}
    older = None
    if len(items) > PAGE:
        older = url_for(here, **args, before=items[PAGE - 1].id, _anchor=ANCHOR)
    return Timeline(
        page,
        older_url=older,
        newest_url=None if before is None else url_for(here, **args, _anchor=ANCHOR),
    )
