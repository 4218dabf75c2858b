"""The account plan's pages: the plan of a year with its measured objectives, and its form."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.key_accounts import plans_pages as pages
from salesflow.key_accounts import plans_services as services
from salesflow.key_accounts.plans_forms import KIND_LABELS, TEXT_LABELS, PlanForm

bp = Blueprint("plans", __name__)


def _year() -> int:
    year = pages.year_of(request.args.get("year"), clock.now())
    if year is None:
        raise NotFound()
    return year


@bp.route("/accounts/<int:account_id>/plan")
@login_required
def page(account_id: int):
    account = scope.get_account(current_user, account_id)
    view = pages.build(account, current_user, _year(), clock.now())
    return render_template(
        "key_accounts/plans_page.html", view=view, texts=TEXT_LABELS, kinds=KIND_LABELS
    )


def _form_page(form: PlanForm, view: pages.PlanView, status: int):
    return render_template(
        "key_accounts/plans_form.html", form=form, view=view, texts=TEXT_LABELS
    ), status


@bp.route("/accounts/<int:account_id>/plan/edit", methods=["GET", "POST"])
@login_required
def edit(account_id: int):
    account = scope.get_account(current_user, account_id)
    if account.is_deleted or not scope.can_edit_account(current_user, account):
        raise Forbidden()
    year, now = _year(), clock.now()
    form = PlanForm()
    view = pages.PlanView(account, year, pages.prepare_form(form, account, year, now))
    if not form.validate_on_submit():
        return _form_page(form, view, 422 if form.is_submitted() else 200)
    try:
        services.save_plan(account, year, form.service_data(), actor=current_user, now=now)
    except ValidationFailed as error:
        form.place(error.fields)
        return _form_page(form, view, error.status)
    except Conflict as error:
        form.form_errors.append(error.message)
        return _form_page(form, view, error.status)
    flash(_("Account plan saved."), "success")
    return redirect(url_for("plans.page", account_id=account.id, year=year))
