from flask import Blueprint
from flask_login import login_required

bp = Blueprint("contacts", __name__)


@bp.route("/accounts/<int:account_id>/contacts/new")
@login_required
def new(account_id: int):
    return "being built"


@bp.route("/contacts/<int:contact_id>")
@login_required
def detail(contact_id: int):
    return "being built"
