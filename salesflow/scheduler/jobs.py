"""The jobs the scheduler runs (a registry: STYLE.md rule 9). Each takes the moment it runs for
and returns a one-line summary; each is idempotent for its period (a snapshot replaces the day's,
a notification carries a key), and the runner makes each period's run happen once."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from salesflow.dependency import snapshots as dependency_snapshots
from salesflow.handovers import services as handovers
from salesflow.pipeline import snapshots as pipeline_snapshots


@dataclass(frozen=True)
class Job:
    name: str
    period: str  # "day" or "week": one run per company-calendar day or ISO week
    help: str  # a lazy translation
    run: Callable[[datetime], str]


def _dependency_snapshot(now: datetime) -> str:
    n = dependency_snapshots.take(now=now)
    return ngettext("%(num)d account", "%(num)d accounts", n)


def _pipeline_snapshot(now: datetime) -> str:
    n = pipeline_snapshots.take(now=now)
    return ngettext("%(num)d open opportunity", "%(num)d open opportunities", n)


def _handover_completions(now: datetime) -> str:
    n = handovers.note_completions(now=now)
    return ngettext("%(num)d handover completed", "%(num)d handovers completed", n)


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("dependency_snapshot", "day", _l("Snapshot every account's dependency figures."),
            _dependency_snapshot),
        Job("pipeline_snapshot", "day", _l("Snapshot every open opportunity (week's movement)."),
            _pipeline_snapshot),
        Job("handover_completions", "day", _l("Tell planners of handovers the data completed."),
            _handover_completions),
    )
}  # fmt: skip
