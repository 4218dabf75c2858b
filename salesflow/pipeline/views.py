"""The pipeline review page (directors: their team; leadership: every team), filtered by team,
rep, playbook and period, and behind every number the deals it counts."""

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden, NotFound
from salesflow.formatting import format_month
from salesflow.key_accounts import deal_roles
from salesflow.opportunities import decisions, queries
from salesflow.opportunities.forms import MoveForm
from salesflow.opportunities.views import _filter_options, _id, filters_from_args
from salesflow.pipeline import charts, figures
from salesflow.pipeline import review as review_lists
from salesflow.pipeline.cli import rebuild_moves
from salesflow.playbooks.schema import text
from salesflow.requests import report as request_report
from salesflow.validation import parse_day

bp = Blueprint("pipeline", __name__)
bp.cli.add_command(rebuild_moves)  # flask pipeline rebuild-moves


def _day(name: str, problems: list[str]) -> date | None:
    try:
        return parse_day(request.args.get(name))
    except ValueError as problem:
        problems.append(str(problem))
        return None


def _filters(options: dict[str, Any], problems: list[str], *, allowed=None) -> figures.Filters:
    """The review's filters from the query string; a bad period is a problem to show (422),
    other bad values are ignored. Forbidden unless `allowed` (default: the reviewers)."""
    if not (scope.can_review_pipeline(current_user) if allowed is None else allowed):
        raise Forbidden()
    start, end = _day("from", problems), _day("to", problems)
    if start and end and start > end:
        problems.append(_("The period must start before it ends."))
    playbook = request.args.get("playbook")
    return figures.Filters(
        team_id=_id("team_id"),
        user_id=_id("user_id"),
        start=start,
        end=end,
        playbook=playbook if playbook in options["playbook_keys"] else None,
    )


@bp.route("/pipeline/review")
@login_required
def review():
    problems: list[str] = []
    options = _filter_options()
    filters = _filters(options, problems)
    now = clock.now()
    context: dict[str, Any] = {}
    if not problems:
        stages = figures.funnel(current_user, filters, now=now)
        moves = figures.period_moves(current_user, filters, now=now)  # read by two figures
        context = {
            "stages": stages,
            "breaches": figures.breaches(current_user, filters, now=now, limit=BREACHES_SHOWN),
            "compliance": figures.gate_compliance(current_user, filters, now=now, moves=moves),
            "period": _days(filters, now),
            "funnel_chart": charts.funnel(stages),
            "outcomes": (outcomes := figures.outcomes(current_user, filters, now=now)),
            "loss_reasons": [(key, _loss_name(key), count) for key, count in outcomes.loss_reasons],
            "conversion": figures.conversion(current_user, filters, now=now, moves=moves),
            "triangle_gaps": figures.triangle_gaps(current_user, filters, now=now),
            "chain_gaps": figures.chain_gaps(current_user, filters, now=now),
            "week": figures.movement(current_user, filters, now=now),
        }
        context["decisions"], context["decisions_count"] = queries.decisions_waiting(
            current_user, team_id=filters.team_id, limit=DECISIONS_SHOWN
        )
        context["decisions_more"] = context["decisions_count"] > len(context["decisions"])
        context["breaches_more"] = sum(s.breaches for s in stages) > len(context["breaches"])
        context |= review_lists.lists(
            context["breaches"],
            context["triangle_gaps"],
            context["chain_gaps"],
            context["compliance"],
            now=now,
        )
        months = figures.forecast(current_user, filters, now=now)
        context |= {
            "months": [
                (_month_label(month), _month_url(month), amounts, month == figures.OVERDUE)
                for month, amounts in months
            ],
            "forecast_chart": charts.forecast(months),
        }
        context |= request_report.review_section(
            current_user, filters.team_id, filters.start, filters.end, now=now
        )
    return render_template(
        "pipeline/review.html",
        filters=filters,
        problems=problems,
        args=request.args,
        stage_names=_stage_names(),
        drill=_drill_url,
        **options,
        **context,
    ), (422 if problems else 200)


@bp.route("/pipeline/cards")
@login_required
def board_cards():
    """The next page of one board column's cards (its "show more", loaded in place by htmx),
    under the board's filters; a playbook the board does not offer is 404."""
    key = request.args.get("playbook")
    if key not in queries.playbook_keys(current_user) or not (
        playbook := queries.board_playbook(key)
    ):
        raise NotFound()
    stage = request.args.get("stage", "")[:60]
    now = clock.now()
    cards, cursor = queries.board_cards(
        current_user,
        playbook,
        filters_from_args(),
        stage,
        request.args.get("cursor"),
        now=now,
    )
    list_args = {k: v for k, v in request.args.items() if k not in ("stage", "cursor")}
    return render_template(
        "opportunities/_board_cards.html",
        cards=cards,
        stage_key=stage,
        cursor=cursor,
        back=url_for("opportunities.board", **list_args),
        playbook=playbook,
        stage_keys=[s.key for s in playbook.stages],
        list_args=list_args,
        pending=set(decisions.pending_on([card.deal.id for card in cards])),
        single_threaded=deal_roles.single_threaded([card.deal.id for card in cards], now=now),
        move_form=MoveForm(),
    )


def _month_label(month: str) -> str:
    """A forecast row's name: its month, or overdue, or no date."""
    shown = {figures.OVERDUE: _("Overdue: close date passed"), "": _("no date")}
    return shown.get(month) or format_month(month)


def _month_url(month: str) -> str:
    return _drill_url("overdue") if month == figures.OVERDUE else _drill_url("month", month)


def _drill_url(figure: str, key: str | None = None) -> str:
    """The link from a number of the review to its deals, under the review's filters."""
    args = {k: v for k, v in request.args.items() if k in REVIEW_ARGS and v}
    return url_for(
        "pipeline.deals", figure=figure, **({"key": key} if key is not None else {}), **args
    )


DECISIONS_SHOWN = 50  # the oldest; the page says how many more wait
BREACHES_SHOWN = 50  # the longest in their stage; the rest behind "See them all"
REVIEW_ARGS = ("team_id", "user_id", "playbook", "from", "to")
MOVES_NOTE = _l("A deal that moved more than once is listed once.")
TITLES: dict[str, Any] = {
    "stage": _l("Open deals in %(stage)s"),
    "late": _l("Over the stage time limit"),
    "month": _l("Open deals expected to close in %(month)s"),
    "overdue": _l("Open deals whose expected close date has passed"),
    "won": _l("Won in the period"),
    "lost": _l("Lost in the period"),
    "loss_reason": _l("Lost in the period: %(reason)s"),
    "left": _l("Left %(stage)s in the period"),
    "left_forward": _l("Left %(stage)s forward in the period"),
    "advances": _l("Advanced in the period"),
    "advances_met": _l("Advanced in the period meeting every gate"),
    "overrides": _l("Advanced in the period on an override"),
    "triangle_gaps": _l("Iron-triangle gaps"),
    "chain_gaps": _l("Decision-chain gaps"),
    "week_new": _l("New this week"),
    "week_advanced": _l("Advanced this week"),
    "week_regressed": _l("Moved back this week"),
    "week_won": _l("Won this week"),
    "week_lost": _l("Lost this week"),
    "week_slipped": _l("Close date moved later this week"),
}
MOVES = {
    "left",
    "left_forward",
    "advances",
    "advances_met",
    "overrides",
    "week_advanced",
    "week_regressed",
    "week_won",
    "week_lost",
}
IN_PERIOD = {
    "won",
    "lost",
    "loss_reason",
    "left",
    "left_forward",
    "advances",
    "advances_met",
    "overrides",
}  # the others are the open deals now, or the week's


@bp.route("/pipeline/review/deals")
@login_required
def deals():
    """The deals behind one number of the review, a page at a time."""
    problems: list[str] = []
    options = _filter_options()
    figure, key = request.args.get("figure", ""), request.args.get("key")
    reviewer = scope.can_review_pipeline(current_user)
    allowed = scope.can_see_review_list(current_user, figure, _id("user_id"))
    filters = _filters(options, problems, allowed=allowed)
    if figure not in TITLES:
        raise NotFound()
    now = clock.now()
    rows: list[Any] = []
    next_url = None
    if not problems:
        try:
            query = figures.drill(current_user, filters, figure, key, now=now)
        except LookupError:
            raise NotFound() from None
        sort = request.args.get("sort", "stage_age" if figure == "late" else "close")
        rows, cursor = queries.page(
            query,
            sort=sort,
            descending=request.args.get("dir") == "desc",
            cursor=request.args.get("cursor"),
        )
        if cursor:
            next_url = url_for("pipeline.deals", **{**request.args.to_dict(), "cursor": cursor})
    title = TITLES[figure] % {
        "stage": _stage_title(key),
        "month": format_month(key) if key else _("no date"),
        "reason": _loss_name(key or ""),
    }
    review_args = {k: v for k, v in request.args.items() if k in REVIEW_ARGS and v}
    return render_template(
        "pipeline/deals.html",
        title=title,
        rows=[queries.deal_row(o, now) for o in rows],
        # a lost deal's reason in place of its weighted amount (there is none once lost)
        reasons=review_lists.loss_reasons(rows) if figure in review_lists.LOST_FIGURES else None,
        next_url=next_url,
        problems=problems,
        note=MOVES_NOTE if figure in MOVES else None,
        period=_days(filters, now) if figure in IN_PERIOD and not problems else None,
        week=figures.week_start(now) if figure.startswith("week_") else None,
        back_url=url_for("pipeline.review", **review_args) if reviewer else None,
        may_export=reviewer,
    ), (422 if problems else 200)


def _loss_name(key: str) -> str:
    """A loss reason's name in the reader's language (the key of a reason no playbook names)."""
    from salesflow.playbooks import registry

    name = registry.loss_reason_names().get(key)
    return text(name, get_locale()) if name else key


def _stage_title(key: str | None) -> str:
    playbook, _sep, stage = (key or "").partition(":")
    name = _stage_names().get((playbook, stage))
    return text(name, get_locale()) if name else stage


def _days(filters: figures.Filters, now) -> tuple[date, date]:
    """The period's first and last day, as shown."""
    start, end = figures.period(filters, now)
    return start.date(), (end - timedelta(days=1)).date()


def _stage_names() -> dict[tuple[str, str], Any]:
    from salesflow.playbooks import registry

    return {
        (key, stage.key): stage.name
        for key, playbook in registry.file_playbooks().items()
        for stage in playbook.stages
    }
