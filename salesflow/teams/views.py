from flask import Blueprint

bp = Blueprint("teams", __name__)


@bp.route("/admin/users")
def users():
    return "users"
