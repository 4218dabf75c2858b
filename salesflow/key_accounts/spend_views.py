"""The relationship spend page: budget against spend per team, per AR and per account."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.errors import Forbidden
from salesflow.forms import press
from salesflow.key_accounts import spend
from salesflow.key_accounts import spend_pages as pages
from salesflow.validation import parse_id

bp = Blueprint("spend", __name__)


@bp.route("/key-accounts/spend")
@login_required
def overview():
    if not scope.can_see_spend(current_user):
        raise Forbidden()
    year = parse_id(request.args.get("year"))
    if not spend.valid_year(year):
        year = clock.today(clock.now()).year
    page = parse_id(request.args.get("page")) or 1
    return render_template(
        "key_accounts/spend_page.html", view=pages.overview(current_user, year, page=page)
    )


@bp.post("/accounts/<int:account_id>/budget")
@login_required
def set_budget(account_id: int):
    account = scope.get_account(current_user, account_id)
    form = pages.BudgetForm()
    year = parse_id(form.year.data)
    back = url_for("accounts.detail", account_id=account.id, _anchor="spend")
    return press(
        lambda: spend.save_budget(
            account,
            year if spend.valid_year(year) else 0,
            form.service_data(),
            actor=current_user,
            now=clock.now(),
        ),
        back=back,
        done=_("Budget saved."),
        form=form,
    )
