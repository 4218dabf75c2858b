from flask import Blueprint
from flask_login import login_required

bp = Blueprint("interactions", __name__)


@bp.route("/")
@login_required
def my_day():
    return "my day"


@bp.route("/interactions/new")
@login_required
def new():
    return "new"
