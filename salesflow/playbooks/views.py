"""The playbook pages, for everyone: the way the company works a deal, as the reps meet it."""

from flask import Blueprint, render_template, request
from flask_login import login_required

from salesflow.playbooks import pages

bp = Blueprint("playbooks", __name__)


@bp.route("/playbooks")
@login_required
def index():
    return render_template("playbooks/index.html", playbooks=pages.index())


@bp.route("/playbooks/<key>")
@login_required
def detail(key: str):
    page = pages.detail(key, request.args.get("version"))
    return render_template("playbooks/detail.html", page=page)
