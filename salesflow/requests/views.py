"""Request pages: the inbox (asked of me / by me), asking a colleague, a request with its history
and the moves the reader may make, rating what was delivered. Each POST checks CSRF through its
small form, calls one service and goes back (forms.press); the unit of work commits."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.forms import ButtonForm, press, save_form
from salesflow.requests import ask_page, pages, services, words
from salesflow.requests import queries as request_queries
from salesflow.requests.forms import AskForm, RateForm, TransitionForm
from salesflow.requests.models import InternalRequest
from salesflow.validation import parse_id

bp = Blueprint("requests", __name__)


@bp.app_context_processor
def menu() -> dict[str, Any]:
    """`requests_waiting()` for the navbar: the requests asked of the reader and still open,
    plus the ratings they owe — asked only when a page shows the menu."""

    def requests_waiting() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return request_queries.waiting_count(current_user)

    return {"requests_waiting": requests_waiting}


@bp.route("/requests")
@login_required
def index():
    page = pages.inbox(
        current_user,
        clock.now(),
        side=request.args.get("side", "mine"),
        status=pages.parse_status(request.args.get("status")),
        cursor=request.args.get("cursor"),
    )
    return render_template("requests/index.html", page=page)


def _ask_page(form: AskForm, account: Any, status: int = 200):
    page = ask_page.build(current_user, account, form, clock.now())
    return render_template("requests/new.html", page=page, form=form, account=account), status


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new():
    account_id = parse_id(request.values.get("account_id"))
    if account_id is None:  # from the inbox: which account is it about?
        q = (request.args.get("q") or "").strip()[:200] or None
        found, more = ask_page.accounts(current_user, q)
        return render_template("requests/choose_account.html", accounts=found, q=q, more=more)
    account = scope.get_account(current_user, account_id)
    form = AskForm()
    if not form.is_submitted():
        ask_page.prefill(form, account, request.args)
        return _ask_page(form, account)
    if not form.validate():
        return _ask_page(form, account, 422)
    data = {**form.service_data(), "account_id": account.id}
    saved, status = save_form(
        form, lambda: services.ask(current_user, now=clock.now(), **data), on_top=("account_id",)
    )
    if saved is None:
        return _ask_page(form, account, status)
    flash(_("Request sent to %(name)s.", name=saved.assignee.name), "success")
    return redirect(url_for("requests.detail", request_id=saved.id), 303)


@bp.route("/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    found = request_queries.get_visible(current_user, request_id)
    page = pages.build(current_user, found, clock.now())
    return render_template("requests/detail.html", page=page, r=found)


def _back(found: InternalRequest, anchor: str = "") -> str:
    return url_for("requests.detail", request_id=found.id) + anchor


@bp.post("/requests/<int:request_id>/transition")
@login_required
def transition(request_id: int):
    found = request_queries.get_visible(current_user, request_id)
    form = TransitionForm()
    return press(
        lambda: services.transition(
            current_user,
            found,
            form.to.data or "",
            form.comment.data,
            parse_id(form.version.data),
            now=clock.now(),
        ),
        back=_back(found),
        refused_back=_back(found, "#moves"),
        done=_moved,
        form=form,
    )


def _moved(changed: InternalRequest) -> str:
    """What a move's button says it did, and who was told."""
    other = changed.requester if changed.assignee_id == current_user.id else changed.assignee
    return _(
        "Saved: %(status)s. %(name)s has been told.",
        status=words.status(changed.status),
        name=other.name,
    )


@bp.post("/requests/<int:request_id>/rating")
@login_required
def rate(request_id: int):
    found = request_queries.get_visible(current_user, request_id)
    form = RateForm()
    return press(
        lambda: services.rate(
            current_user, found, form.rating_value(), form.comment.data, now=clock.now()
        ),
        back=_back(found),
        refused_back=_back(found, "#rating"),
        done=_("Thank you: your rating was saved."),
        form=form,
    )


@bp.post("/requests/<int:request_id>/rating/dismiss")
@login_required
def dismiss_rating(request_id: int):
    found = request_queries.get_visible(current_user, request_id)
    return press(
        lambda: services.dismiss_rating(current_user, found, now=clock.now()),
        back=_back(found),
        done=_("You will not be asked to rate it again."),
        form=ButtonForm(),
    )
