"""Front-end weight: scripts and styles go compressed to a browser that accepts it, pages do not;
the site has an icon."""

import hashlib
from pathlib import Path

import pytest

import salesflow
from tests.conftest import login


@pytest.mark.parametrize("path", ["/static/app.css", "/static/vendor/htmx/htmx.min.js"])
def test_static_styles_and_scripts_go_compressed_and_keep_their_caching(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status_code == 200
    assert packed.headers.get("Content-Encoding") in {"br", "gzip"}
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data)
    assert "no-store" not in packed.headers.get("Cache-Control", "")


def test_a_page_is_never_compressed(client, world):
    """Its CSRF token sits beside what the user typed: compressed, it could be guessed (BREACH)."""
    login(client, world.rep_a)
    response = client.get("/accounts", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "csrf_token" in response.text


def test_favicon_ico_answers_with_the_icon(client, world):
    login(client, world.rep_a)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.data.startswith(b"<svg")
    assert client.get("/static/favicon.svg").data == icon.data
    assert icon.cache_control.max_age == 7 * 24 * 3600


def test_the_icon_needs_no_login(client):
    assert client.get("/favicon.ico").status_code == 200


def test_the_vendored_plotly_bundle_is_the_one_its_readme_names():
    vendor = Path(salesflow.__file__).parent / "static" / "vendor" / "plotly"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    bundle = (vendor / "plotly-basic.min.js").read_bytes()
    assert f"sha256 `{hashlib.sha256(bundle).hexdigest()}`" in readme
    assert bundle.startswith(b"/**\n* plotly.js (basic - minified) v4.1.1")
    assert (vendor / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
