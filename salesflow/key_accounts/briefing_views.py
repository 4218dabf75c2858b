"""The visit briefing page (/accounts/<id>/briefing): choose who comes, print the briefing."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from salesflow import clock, scope
from salesflow.key_accounts import briefing_pages as pages

bp = Blueprint("briefing", __name__)


@bp.route("/accounts/<int:account_id>/briefing")
@login_required
def page(account_id: int):
    account = scope.get_account(current_user, account_id)
    back = request.full_path.rstrip("?")
    view = pages.build(account, current_user, request.args, clock.now(), back)
    return render_template("key_accounts/briefing_page.html", view=view), view.status
