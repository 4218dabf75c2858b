from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.route("/accounts")
def index():
    return "accounts"
