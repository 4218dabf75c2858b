"""Static files kept by the browser for a year: every address of a static file (the app's own,
`url_for('static', ...)`, and Bootstrap-Flask's) carries `?v=` and the first digits of the
file's sha256, so a deployment that changes a file changes its address. A file asked for with
its current version is sent `public, max-age` of a year and `immutable`: the browser does not
even revalidate it. Asked for without it, or with an older one, it keeps Flask's default
(revalidated each time), so a page cached before a deployment never gets a stale file for a year.

Pages stay `no-store` for logged-in users (salesflow.forbid_storing)."""

import hashlib
from pathlib import Path

from flask import Response, current_app, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
DIGITS = 12  # of the sha256: enough to tell two versions of a file apart


class Versions:
    """Each file's version, computed once per file, modification time and size (a stat per address;
    the development server sees an edited file at once)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int, int], str] = {}

    def of(self, path: Path) -> str | None:
        try:
            found = path.stat()
        except OSError:  # no such file: the address stays as it was (and answers 404)
            return None
        key = (str(path), found.st_mtime_ns, found.st_size)
        if key not in self.known:
            self.known[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]
        return self.known[key]


VERSIONS = Versions()


def _static_file(endpoint: str | None, filename: str | None) -> Path | None:
    """The file a static endpoint (`static` or `<blueprint>.static`) serves for `filename`."""
    if not endpoint or not filename or endpoint.rsplit(".", 1)[-1] != "static":
        return None
    blueprint = endpoint.rpartition(".")[0]
    owner = current_app.blueprints.get(blueprint) if blueprint else current_app
    folder = owner.static_folder if owner is not None else None
    found = safe_join(folder, filename) if folder else None
    return Path(found) if found else None


def add_version(endpoint: str, values: dict) -> None:
    """url_for of a static file adds `v`, its content's version (a url_defaults function)."""
    if "v" in values:
        return
    path = _static_file(endpoint, values.get("filename"))
    if path is not None and (version := VERSIONS.of(path)):
        values["v"] = version


def keep_for_a_year(response: Response) -> Response:
    """A static file asked for at its current version is kept a year, unchanged."""
    if response.status_code != 200 or "v" not in request.args or request.view_args is None:
        return response
    path = _static_file(request.endpoint, request.view_args.get("filename"))
    if path is not None and request.args["v"] == VERSIONS.of(path):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response
