"""The jobs the scheduler runs, by name (a registry: STYLE.md rule 9). Each job's body lives with
its domain (`<domain>/jobs.py`): it takes the moment it runs for and returns a one-line summary,
and is idempotent for its period (a snapshot replaces the day's, a notification carries a key);
the runner makes each period's run happen once. Adding a job is one function in its domain and
one line here."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from salesflow.auth.jobs import prune_login_throttles
from salesflow.dependency.jobs import dependency_snapshot, idle_key_contacts
from salesflow.handovers.jobs import handover_completions, overdue_handovers
from salesflow.imports.jobs import prune_import_files
from salesflow.interactions.jobs import overdue_next_steps
from salesflow.key_accounts.jobs import plan_objectives_behind
from salesflow.notifications.jobs import send_emails
from salesflow.pipeline.jobs import (
    close_dates_passed,
    pipeline_moves,
    pipeline_snapshot,
    stage_sla_breaches,
    weekly_digest,
)
from salesflow.requests.jobs import decisions_waiting, request_reminders


@dataclass(frozen=True)
class Job:
    name: str
    period: str  # "day", "week" (company calendar, ISO week) or "interval" (EMAIL_EVERY_MINUTES)
    help: str  # a lazy translation
    run: Callable[[datetime], str]


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "dependency_snapshot",
            "day",
            _l("Snapshot every account's dependency figures."),
            dependency_snapshot,
        ),
        Job(
            "pipeline_snapshot",
            "day",
            _l("Snapshot every open opportunity (week's movement)."),
            pipeline_snapshot,
        ),
        Job(
            "pipeline_moves",
            "day",
            _l("Count each day's moves per team and stage up to yesterday (the review)."),
            pipeline_moves,
        ),
        Job(
            "handover_completions",
            "day",
            _l("Tell planners of handovers the data completed."),
            handover_completions,
        ),
        Job(
            "overdue_next_steps",
            "day",
            _l("Remind owners of their overdue next steps."),
            overdue_next_steps,
        ),
        Job(
            "idle_key_contacts",
            "day",
            _l("Tell ARs of A-tier key contacts nobody has met for a while."),
            idle_key_contacts,
        ),
        Job(
            "overdue_handovers",
            "day",
            _l("Remind successors and planners of overdue handovers, weekly."),
            overdue_handovers,
        ),
        Job(
            "close_dates_passed",
            "day",
            _l("Nudge ARs of open deals whose expected close date has passed."),
            close_dates_passed,
        ),
        Job(
            "weekly_digest",
            "week",
            _l("Send each director the week's summary of their team."),
            weekly_digest,
        ),
        Job(
            "send_emails",
            "interval",
            _l("Send the e-mails of the digest and urgent notifications (when SMTP is set)."),
            send_emails,
        ),
        Job(
            "stage_sla_breaches",
            "day",
            _l("Tell ARs and directors of deals past their stage's time limit."),
            stage_sla_breaches,
        ),
        Job(
            "prune_login_throttles",
            "day",
            _l("Forget login counters that have been quiet for a day."),
            prune_login_throttles,
        ),
        Job(
            "request_reminders",
            "day",
            _l("Remind people of the requests asked of them needed tomorrow or overdue."),
            request_reminders,
        ),
        Job(
            "decisions_waiting",
            "week",
            _l("Tell leadership of the decisions waiting too long for their director."),
            decisions_waiting,
        ),
        Job(
            "prune_import_files",
            "day",
            _l("Forget the files of imports left at their dry run for a week."),
            prune_import_files,
        ),
        Job(
            "plan_objectives_behind",
            "week",
            _l("Tell ARs and directors of account-plan objectives falling behind."),
            plan_objectives_behind,
        ),
    )
}
