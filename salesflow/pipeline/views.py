"""The pipeline review page (directors: their team; leadership: every team). So far: the funnel
per stage with its chart, the SLA breaches each linking to its deal, and gate compliance with the
overrides; filters for team, rep, playbook and period."""

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock
from salesflow.auth import scope
from salesflow.errors import Forbidden
from salesflow.opportunities.views import _filter_options
from salesflow.pipeline import charts, figures

bp = Blueprint("pipeline", __name__)


def _id(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


def _day(name: str, problems: list[str]) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(_("Enter the date as YYYY-MM-DD."))
        return None


@bp.route("/pipeline/review")
@login_required
def review():
    if not scope.can_review_pipeline(current_user):
        raise Forbidden()
    problems: list[str] = []
    start, end = _day("from", problems), _day("to", problems)
    if start and end and start > end:
        problems.append(_("The period must start before it ends."))
    options = _filter_options()
    playbook = request.args.get("playbook")
    filters = figures.Filters(
        team_id=_id("team_id"), user_id=_id("user_id"), start=start, end=end,
        playbook=playbook if playbook in options["playbook_keys"] else None,
    )  # fmt: skip
    now = clock.now()
    context: dict[str, Any] = {}
    if not problems:
        stages = figures.funnel(current_user, filters, now=now)
        context = {
            "stages": stages, "breaches": figures.breaches(current_user, filters, now=now),
            "compliance": figures.gate_compliance(current_user, filters, now=now),
            "period": _days(filters, now), "funnel_chart": charts.funnel(stages),
            "outcomes": figures.outcomes(current_user, filters, now=now),
            "conversion": figures.conversion(current_user, filters, now=now),
            "triangle_gaps": figures.triangle_gaps(current_user, filters, now=now),
            "chain_gaps": figures.chain_gaps(current_user, filters, now=now),
            "week": figures.movement(current_user, filters, now=now),
        }  # fmt: skip
        months = figures.forecast(current_user, filters, now=now)
        context |= {"months": months, "forecast_chart": charts.forecast(months)
        }  # fmt: skip
    return render_template(
        "pipeline/review.html", filters=filters, problems=problems, args=request.args,
        stage_names=_stage_names(), **options, **context,
    ), (422 if problems else 200)  # fmt: skip


def _days(filters: figures.Filters, now) -> tuple[date, date]:
    """The period's first and last day, as shown."""
    start, end = figures.period(filters, now)
    return start.date(), (end - timedelta(days=1)).date()


def _stage_names() -> dict[tuple[str, str], Any]:
    from salesflow.playbooks import registry

    return {(key, stage.key): stage.name for key, playbook in registry.file_playbooks().items()
            for stage in playbook.stages}  # fmt: skip
