"""My day as the page shows it: today's next steps first, then the next seven days, then the
overdue ones newest first (a few shown, the rest behind "show all" with their count); each step
with the way back to its row and the days it may be snoozed to; then my recent contacts. The
template renders what is decided here (the days, the sections, which row is overdue)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from salesflow import clock
from salesflow.auth.models import User
from salesflow.handovers.detail import Received
from salesflow.handovers.detail import for_my_day as received_handovers
from salesflow.interactions import queries, timeline
from salesflow.interactions.models import Interaction
from salesflow.opportunities.decisions import PendingDecision, pending_decisions
from salesflow.requests import pages as request_pages

# Overdue steps shown before "show all": enough to act on, few enough to keep today in sight.
OVERDUE_SHOWN = 5


@dataclass(frozen=True)
class Snooze:
    """A day a next step may be moved to with one tap."""

    label: Any  # a lazy string, said in the reader's language
    day: date


@dataclass(frozen=True)
class Step:
    """One open next step as a row of My day (also the row htmx swaps after Done or Reschedule)."""

    item: Interaction
    overdue: bool
    back: str  # My day at this row: where the forms return without JavaScript
    snooze: tuple[Snooze, ...]
    first_day: date  # the earliest day a picked date may be (today)
    done: bool = False
    note: str | None = None  # what just happened to it, said in the row
    problem: str | None = None  # why the last action was refused


@dataclass(frozen=True)
class Sections:
    today: list[Interaction]
    upcoming: list[Interaction]
    overdue: list[Interaction]


@dataclass
class Page:
    today: list[Step]
    upcoming: list[Step]
    overdue: list[Step]  # the newest few
    overdue_more: list[Step]  # the rest, behind "show all"
    overdue_count: int
    recent: list[timeline.Entry] = field(default_factory=list)
    decisions: list[PendingDecision] = field(default_factory=list)  # asked of me, not answered
    handovers: list[Received] = field(default_factory=list)  # accounts I take over
    requests: Any = None  # requests.pages.Waiting: asked of me and open, and mine to rate

    @property
    def has_steps(self) -> bool:
        return bool(self.today or self.upcoming or self.overdue)


def arrange(steps: Iterable[Interaction], today: date) -> Sections:
    """Open next steps into today's (due today), the coming ones (by day, soonest first) and the
    overdue ones (Interaction.step_overdue: newest first, as the oldest are the least likely to
    still matter). Within a day, the order they were logged in."""
    mine = sorted(steps, key=lambda i: (i.next_step_due, i.id))
    return Sections(
        today=[i for i in mine if i.next_step_due == today],
        upcoming=[i for i in mine if i.next_step_due > today],
        overdue=sorted(
            (i for i in mine if i.step_overdue(today)),
            key=lambda i: (i.next_step_due, i.id),
            reverse=True,
        ),
    )


def snooze_days(today: date) -> tuple[Snooze, ...]:
    """Tomorrow and next Monday (the first Monday after today; once when they are one day)."""
    tomorrow = today + timedelta(days=1)
    monday = today + timedelta(days=7 - today.weekday())
    days = [Snooze(_l("Tomorrow"), tomorrow)]
    if monday != tomorrow:
        days.append(Snooze(_l("Next Monday"), monday))
    return tuple(days)


def step(
    interaction: Interaction,
    now: datetime,
    *,
    done: bool = False,
    note: str | None = None,
    problem: str | None = None,
) -> Step:
    """One row, as of `now` (after Done or Reschedule, with what happened to it)."""
    today = clock.today(now)
    anchor = f"step-{interaction.id}"
    return Step(
        item=interaction,
        overdue=interaction.step_overdue(today),
        back=url_for("interactions.my_day", _anchor=anchor),
        snooze=snooze_days(today),
        first_day=today,
        done=done,
        note=note,
        problem=problem,
    )


def build(user: User, now: datetime) -> Page:
    """My day for `user` as of `now`."""
    today = clock.today(now)
    found = queries.open_steps(user, today=today)
    sections = arrange(found.steps, today)
    rows = {i.id: step(i, now) for i in found.steps}
    overdue = [rows[i.id] for i in sections.overdue]
    return Page(
        today=[rows[i.id] for i in sections.today],
        upcoming=[rows[i.id] for i in sections.upcoming],
        overdue=overdue[:OVERDUE_SHOWN],
        overdue_more=overdue[OVERDUE_SHOWN:],
        overdue_count=found.overdue_count,
        recent=timeline.entries(queries.recent_contacts(user, now=now), now),
        decisions=pending_decisions(user),
        handovers=received_handovers(user, now),
        requests=request_pages.waiting(user, now, decisions=False),  # decisions: their own part
    )
