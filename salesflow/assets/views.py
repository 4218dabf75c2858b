"""The site's icon at /favicon.ico, where browsers look for it by themselves (pages also name
static/favicon.svg in their <link rel="icon">); static files' addresses carry their version and
are kept a year (caching.py), wired app-wide here."""

from flask import Blueprint, current_app, send_from_directory

from salesflow.assets import caching

bp = Blueprint("assets", __name__)
bp.app_url_defaults(caching.add_version)
bp.after_app_request(caching.keep_for_a_year)

WEEK = 7 * 24 * 3600


@bp.route("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=WEEK
    )
