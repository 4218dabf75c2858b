"""Help: the documentation pages, for everyone who is logged in."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_login import login_required

from salesflow.help import pages

bp = Blueprint("help", __name__)


@bp.route("/help")
@login_required
def index():
    return render_template("help/index.html", pages=pages.PAGES)


@bp.route("/help/<page>")
@login_required
def page(page: str):
    shown = pages.render(page, get_locale().language, lambda key: url_for("help.page", page=key))
    if shown is None:
        abort(404)
    return render_template("help/page.html", page=shown, pages=pages.PAGES)
