"""Duplicate merging pages: the candidates per kind, the side-by-side chooser with its review,
the list of recent merges, and the undo button (directors for their team, admins for all)."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.forms import ButtonForm, press
from salesflow.merges import chooser, queries, redirects, services
from salesflow.merges.chooser import record_url
from salesflow.merges.forms import PREFIX, ChooserForm
from salesflow.merges.kinds import KINDS
from salesflow.merges.models import MergeKind
from salesflow.unit_of_work import refuse
from salesflow.validation import parse_id

bp = Blueprint("merges", __name__)
bp.before_app_request(redirects.follow_merges)

KIND = "<any(accounts, contacts):kind>"
GROUPS_PER_PAGE = 25


def _finder() -> None:
    if not scope.can_find_duplicates(current_user):
        raise Forbidden()


@bp.route(f"/duplicates/{KIND}")
@login_required
def duplicates(kind: str):
    _finder()
    kind = MergeKind(kind)
    account = None
    if kind == MergeKind.contacts and (account_id := parse_id(request.args.get("account_id"))):
        account = scope.get_account(current_user, account_id)
    page = chooser.duplicates_page(
        current_user, kind, account, parse_id(request.args.get("page")) or 1, GROUPS_PER_PAGE
    )
    return render_template("merges/duplicates.html", page=page, kind=kind, account=account)


def _records(kind: MergeKind) -> list[Any]:
    """The records named by `ids` (repeatable or comma-separated), current and visible, in the
    order given; a missing one is a 404, one the user may not merge a 403."""
    raw = [part for value in request.args.getlist("ids") for part in value.split(",")]
    ids = list(dict.fromkeys(i for i in map(parse_id, raw[:50]) if i is not None))
    found = KINDS[kind].load(current_user, ids)
    if any(i not in found or found[i].is_deleted for i in ids):
        raise NotFound()
    records = [found[i] for i in ids]
    if not all(scope.can_merge(current_user, KINDS[kind].account(r)) for r in records):
        raise Forbidden()
    return records


@bp.route(f"/duplicates/{KIND}/merge", methods=["GET", "POST"])
@login_required
def choose(kind: str):
    _finder()
    kind = MergeKind(kind)
    records = _records(kind)
    if not 2 <= len(records) <= services.MAX_OTHERS + 1:
        flash(_("Choose two to five records to compare."), "warning")
        return redirect(url_for("merges.duplicates", kind=kind.value))
    view = chooser.build(kind, records)
    form = view.form
    if not form.validate_on_submit():
        return _chooser(view, 422 if form.is_submitted() else 200)
    data = _merge_data(form, records)
    survivor = next(r for r in records if r.id == data["survivor"])
    step = request.form.get("step")
    try:
        if step == "merge":
            merge = services.merge_records(
                kind, survivor, data, actor=current_user, now=clock.now()
            )
            flash(
                _(
                    "Merged. Everything of the others is now here; you can undo the merge for "
                    "%(n)d days.",
                    n=services.UNDO_DAYS,
                ),
                "success",
            )
            return redirect(record_url(kind, merge.survivor_id))
        if step == "review":
            plan = services.plan_merge(kind, survivor, data, actor=current_user)
            return render_template("merges/review.html", view=view, plan=chooser.review(view, plan))
    except ValidationFailed as error:
        refuse()
        _show(form, error)
        return _chooser(view, error.status)
    except Conflict as error:
        refuse()
        view = chooser.build(kind, _records(kind), fresh_versions=True)
        view.form.form_errors.append(error.message)
        return _chooser(view, error.status)
    return _chooser(view)


def _merge_data(form: ChooserForm, records: list[Any]) -> dict[str, Any]:
    data = form.service_data()
    data["other_ids"] = [r.id for r in records if r.id != data["survivor"]]
    return data


def _show(form: ChooserForm, error: ValidationFailed) -> None:
    """The service's messages on the radio rows they concern, the rest above the form."""
    for name, messages in error.fields.items():
        field = getattr(form, PREFIX + name.removeprefix("fields."), None)
        if name.startswith("fields.") and field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def _chooser(view: chooser.Chooser, status: int = 200):
    return render_template("merges/choose.html", view=view), status


@bp.route("/merges")
@login_required
def index():
    _finder()
    now = clock.now()
    merges, before = queries.recent_merges(
        current_user, now, before=parse_id(request.args.get("before"))
    )
    next_url = url_for("merges.index", before=before) if before else None
    return render_template(
        "merges/index.html",
        rows=chooser.merge_rows(current_user, merges, now),
        next_url=next_url,
        form=ButtonForm(),
        undo_days=services.UNDO_DAYS,
    )


@bp.post("/merges/<int:merge_id>/undo")
@login_required
def undo(merge_id: int):
    _finder()
    merge = queries.merge_in_scope(current_user, merge_id)
    return press(
        lambda: services.undo_merge(merge, actor=current_user, now=clock.now()),
        back=record_url(merge.kind, merge.survivor_id),
        done=lambda _undone: chooser.undone_message(merge),
    )
