"""The browser's files: the site's icon at /favicon.ico (views.py), and scripts, styles and
images sent compressed (Flask-Compress) and kept by the browser.

Only these are compressed, never a page: a page carries the CSRF token next to what the user
typed, which compression would let an eavesdropper guess (BREACH)."""

from flask import Flask, Response

from salesflow.extensions import compress

COMPRESSED = ["text/javascript", "application/javascript", "text/css", "image/svg+xml"]
# Files served outside /static that keep their own caching (plotly.js for a year).
CACHED = {"dependency.plotly_js", "assets.favicon"}


class MemoryCache:
    """Each file compressed once per process and algorithm (the files change only with a
    deployment, which starts new processes); the set of files is fixed, so it stays small."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.entries[key] = value


def is_cached_file(endpoint: str | None) -> bool:
    """A static file or a file served like one: it keeps its caching headers."""
    return bool(endpoint) and (endpoint.rsplit(".", 1)[-1] == "static" or endpoint in CACHED)


def read_whole(response: Response) -> Response:
    """A file answer read into memory before it is compressed: compressed as a stream, its file
    would never be closed, and its compressed bytes could not be kept (MemoryCache)."""
    if (
        response.direct_passthrough
        and response.status_code == 200
        and response.mimetype in COMPRESSED
    ):
        response.direct_passthrough = False
        response.make_sequence()
    return response


def register_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", MemoryCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", lambda asked: asked.path)
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (Flask runs them last first).
    app.after_request(read_whole)
