"""Links to the app's pages in what is read later — notifications, their e-mails — built from the
routes (`url_for`), never written by hand, so a link always names a page the app has.

A link is stored as a path (docs/api.md: "a path of the web UI"; the inbox follows local paths
only). Inside a request `url_for` builds it. A job, a command or an import committing in the
background has no request: there the routes are bound to the configured PUBLIC_URL (its scheme,
host and the path the app is mounted under), so the path is the one `url_for` would build for a
request to that address. An e-mail puts the path under PUBLIC_URL's scheme and host.
"""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import MapAdapter


def _public() -> MapAdapter:
    """The app's routes bound to its public address (PUBLIC_URL)."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return current_app.url_map.bind(
        public.netloc,
        script_name=public.path.rstrip("/") or "/",
        url_scheme=public.scheme or "http",
    )


def path(endpoint: str, **values: Any) -> str:
    """The path of a page with its query (what a notification stores and the API returns as its
    `link`): `url_for` inside a request, the routes under PUBLIC_URL outside one. Raises
    werkzeug's BuildError for an endpoint the app does not have."""
    if has_request_context():
        return url_for(endpoint, **values)
    return _public().build(endpoint, values)


def absolute(link: str) -> str:
    """A stored link (a path as `path` made it, the mount path included) as an address at
    PUBLIC_URL's scheme and host, for e-mails: a reader outside the app needs the whole address,
    whatever name the request that made the link came in by."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{public.scheme or 'http'}://{public.netloc}{link}"
