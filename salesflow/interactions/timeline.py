"""The contact history as the pages show it (account, contact, deal and interaction pages, My
day): each interaction with its next step's state decided here (Interaction.step_overdue on the
company's day), so the timeline partial only renders."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from salesflow import clock
from salesflow.auth.models import User
from salesflow.interactions import queries
from salesflow.interactions.models import Interaction


@dataclass(frozen=True)
class Entry:
    item: Interaction
    step_overdue: bool  # an open next step due before the company's today


def entries(interactions: Iterable[Interaction], now: datetime) -> list[Entry]:
    """Loaded interactions as timeline entries, as of `now`."""
    today = clock.today(now)
    return [Entry(item, item.step_overdue(today)) for item in interactions]


def of(user: User, *, now: datetime, **where: int) -> list[Entry]:
    """The timeline `user` may see (interactions.queries.timeline: account_id, contact_id,
    opportunity_id), as entries as of `now`."""
    return entries(queries.timeline(user, **where), now)
