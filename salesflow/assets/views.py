"""The site's icon at /favicon.ico, where browsers look for it by themselves (pages also name
static/favicon.svg in their <link rel="icon">)."""

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("assets", __name__)

WEEK = 7 * 24 * 3600


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=WEEK
    )
