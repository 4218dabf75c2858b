"""Import pages: my imports, the upload, the import page (mapping and dry run, progress, the
report with the error file and undo) and its buttons. Thin: the rules are in the services."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from salesflow import clock, scope
from salesflow.errors import Forbidden
from salesflow.forms import press, save_form
from salesflow.imports import errorfile, page, queries, runner, services
from salesflow.imports.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    UNDO_LABELS,
    UndoForm,
    UploadForm,
    mapping_form,
    mapping_of,
)
from salesflow.imports.models import Import
from salesflow.validation import parse_id

bp = Blueprint("imports", __name__)
PAGE = 50
# Problems shown above the form: they concern no field the person can see.
ON_TOP = ("account_id", "continues", "mapping", "status")


def _may_import() -> None:
    if not scope.can_import(current_user):
        raise Forbidden()


@bp.route("/imports")
@login_required
def index():
    before = parse_id(request.args.get("before"))
    rows, more = queries.imports_page(current_user, before=before, limit=PAGE)
    next_url = url_for("imports.index", before=rows[-1].id) if more else None
    now = clock.now()
    return render_template(
        "imports/index.html",
        rows=rows,
        next_url=next_url,
        kinds=KIND_LABELS,
        statuses={r.id: STATUS_LABELS[runner.shown_status(r, now)] for r in rows},
        may_import=scope.can_import(current_user),
    )


def _upload_page(form: UploadForm, status: int = 200):
    account = None
    if account_id := parse_id(form.account_id.data):
        account = queries.importable_account(current_user, account_id)
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return render_template(
        "imports/new.html",
        form=form,
        account=account,
        limit=limit,
        max_rows=current_app.config.get("IMPORT_MAX_ROWS"),
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """Beyond MAX_CONTENT_LENGTH: the upload page again with the limit in words (the browser's
    other fields are lost with the refused body, so the form starts blank)."""
    form = UploadForm(formdata=None)
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    form.file.errors = [
        _("The file is larger than %(n)d MB: split it into several files.", n=limit)
    ]
    return _upload_page(form, 413)


@bp.route("/imports/new", methods=["GET", "POST"])
@login_required
def new():
    _may_import()
    form = UploadForm()
    if not form.is_submitted():
        form.kind.data = (
            request.args.get("kind") if request.args.get("kind") in KIND_LABELS else "contacts"
        )
        form.account_id.data = request.args.get("account_id", "")
        form.continues.data = request.args.get("continues", "")
    if not form.validate_on_submit():
        return _upload_page(form, 422 if form.is_submitted() else 200)
    upload = form.file.data
    params = form.service_params()
    saved, status = save_form(
        form,
        lambda: services.start_import(
            upload.read(),
            upload.filename or "",
            params,
            actor=current_user,
            now=clock.now(),
            require_mapping=False,
        ),
        on_top=ON_TOP,
    )
    if saved is None:
        return _upload_page(form, status)
    return redirect(url_for("imports.detail", import_id=saved.id))


def _detail_page(imp: Import, form=None, status: int = 200):
    now = clock.now()
    if form is None and imp.created_by_id == current_user.id:
        form = mapping_form(imp)
    built = page.build(
        imp,
        current_user,
        now,
        outcome=request.args.get("outcome"),
        after=parse_id(request.args.get("after")),
        form=form,
    )
    return render_template(
        "imports/detail.html",
        page=built,
        imp=imp,
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        undo_labels=UNDO_LABELS,
    ), status


@bp.route("/imports/<int:import_id>")
@login_required
def detail(import_id: int):
    return _detail_page(services.visible(current_user, import_id))


@bp.post("/imports/<int:import_id>/map")
@login_required
def remap(import_id: int):
    imp = services.visible(current_user, import_id)
    form = mapping_form(imp, request.form)
    if not form.validate():
        return _detail_page(imp, form, 422)
    sheet = form.sheet.data or imp.sheet
    header_row = form.header_row.data or str(imp.header_row)
    params = {
        "mode": form.mode.data,
        "sheet": sheet,
        "header_row": header_row,
        "mapping": mapping_of(imp, form),
    }
    if sheet != imp.sheet or header_row != str(imp.header_row):
        params.pop("mapping")  # a new sheet or header: its own columns, mapped afresh
    saved, status = save_form(
        form,
        lambda: services.remap(imp, params, actor=current_user, now=clock.now()),
        on_top=ON_TOP,
    )
    if saved is None:
        return _detail_page(imp, form, status)
    flash(_("Dry run done with this mapping: nothing is imported until you commit."), "info")
    return redirect(url_for("imports.detail", import_id=imp.id) + "#report")


@bp.post("/imports/<int:import_id>/commit")
@login_required
def commit(import_id: int):
    imp = services.visible(current_user, import_id)
    return press(
        lambda: runner.commit(imp, actor=current_user, now=clock.now()),
        back=url_for("imports.detail", import_id=import_id),
        done=lambda _imp: (
            _("The import is running.") if imp.status.value == "running" else _("Imported.")
        ),
    )


@bp.post("/imports/<int:import_id>/undo")
@login_required
def undo(import_id: int):
    imp = services.visible(current_user, import_id)
    page = url_for("imports.detail", import_id=import_id)
    return press(
        lambda: runner.undo(imp, actor=current_user, now=clock.now()),
        back=page,
        done=lambda _imp: (
            _("The import is being undone.")
            if imp.status.value == "running"
            else _("The import is undone.")
        ),
        form=UndoForm(),
        refused_back=page + "#undo",
    )


@bp.route("/imports/<int:import_id>/errors.<any(csv, xlsx):fmt>")
@login_required
def errors(import_id: int, fmt: str):
    return errorfile.response(services.visible(current_user, import_id), fmt)
