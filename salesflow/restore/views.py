"""The lists of deleted contacts and interactions, for directors (their team) and admins."""

from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from salesflow import scope
from salesflow.errors import Forbidden
from salesflow.forms import ButtonForm
from salesflow.restore import queries

bp = Blueprint("restore", __name__)


def _allowed() -> None:
    if not scope.can_restore(current_user):
        raise Forbidden()


@bp.route("/deleted/contacts")
@login_required
def contacts():
    _allowed()
    rows, total = queries.deleted_contacts(current_user)
    return render_template(
        "restore/contacts.html",
        rows=rows,
        total=total,
        form=ButtonForm(next=url_for("restore.contacts")),
    )


@bp.route("/deleted/interactions")
@login_required
def interactions():
    _allowed()
    rows, total = queries.deleted_interactions(current_user)
    return render_template(
        "restore/interactions.html",
        rows=rows,
        total=total,
        form=ButtonForm(next=url_for("restore.interactions")),
    )
