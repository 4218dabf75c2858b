"""Expectation pages: an account's register of expectations and perceptions (add, close, record)
and the team view of satisfaction."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden
from salesflow.forms import press, save_form
from salesflow.key_accounts import expectations as services
from salesflow.key_accounts import expectations_pages as pages

bp = Blueprint("expectations", __name__)


def _page(account, status=200, **forms):
    register = pages.build(current_user, account, clock.now(), **forms)
    return render_template("key_accounts/expectations_page.html", page=register), status


@bp.route("/accounts/<int:account_id>/expectations")
@login_required
def register(account_id: int):
    return _page(scope.get_account(current_user, account_id))


@bp.post("/accounts/<int:account_id>/expectations")
@login_required
def add(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = pages.ExpectationForm()
    if not form.validate_on_submit():
        return _page(account, 422, expectation_form=form)
    saved, status = save_form(
        form,
        lambda: services.add_expectation(
            account, form.service_data(), actor=current_user, now=clock.now()
        ),
    )
    if saved is None:
        return _page(account, status, expectation_form=form)
    flash(_("Expectation added."), "success")
    return redirect(url_for("expectations.register", account_id=account.id), 303)


@bp.post("/accounts/<int:account_id>/perceptions")
@login_required
def perceive(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = pages.PerceptionForm()
    if not form.validate_on_submit():
        return _page(account, 422, perception_form=form)
    saved, status = save_form(
        form,
        lambda: services.record_perception(
            account, form.service_data(), actor=current_user, now=clock.now()
        ),
    )
    if saved is None:
        return _page(account, status, perception_form=form)
    flash(_("Perception recorded."), "success")
    return redirect(
        url_for("expectations.register", account_id=account.id, _anchor="perceptions"), 303
    )


@bp.post("/accounts/<int:account_id>/expectations/<int:expectation_id>/close")
@login_required
def close(account_id: int, expectation_id: int):
    account = scope.get_account(current_user, account_id)
    expectation = pages.get_expectation(account, expectation_id)
    form = pages.CloseForm(prefix=f"close-{expectation.id}")
    return press(
        lambda: services.close_expectation(
            expectation, account, form.service_data(), actor=current_user, now=clock.now()
        ),
        back=url_for("expectations.register", account_id=account.id),
        done=_("Expectation closed."),
        form=form,
    )


@bp.route("/key-accounts/satisfaction")
@login_required
def teams():
    if not scope.can_review_pipeline(current_user):
        raise Forbidden()
    return render_template(
        "key_accounts/expectations_teams.html", view=pages.team_view(current_user, clock.now())
    )
