"""Global search: one box in the navbar, accounts and contacts in the caller's scope."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from salesflow.search import queries
from salesflow.validation import parse_id

bp = Blueprint("search", __name__)

PAGE_LIMIT = 50  # "more" of one kind shows longer pages


def _after() -> tuple[str, int] | None:
    """The keyset cursor of a "more" link: the last name and id shown; ignored when malformed."""
    after_id = parse_id(request.args.get("after"))
    after_name = request.args.get("after_name")
    if after_id is None or after_name is None:
        return None
    return after_name[: queries.MAX_QUERY_LENGTH * 3], after_id


@bp.route("/search")
@login_required
def index():
    kind = request.args.get("kind")
    if kind in queries.KINDS:
        results = queries.search(
            current_user,
            request.args.get("q"),
            kinds=(kind,),
            limit=PAGE_LIMIT,
            after=_after(),
        )
    else:
        kind = None
        results = queries.search(current_user, request.args.get("q"))
    return render_template("search/index.html", results=results, kind=kind)
