"""Static files kept a year by the browser: their addresses carry a version of their content
(`?v=`, the start of its sha256), answered `immutable` at that version; pages stay no-store."""

import hashlib
import re
from pathlib import Path

import pytest

import salesflow
from salesflow.assets.caching import DIGITS, YEAR, Versions
from tests.conftest import login

STATIC = Path(salesflow.__file__).parent / "static"


def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]


def _addresses(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:static|bootstrap)[^"]+)"', page)


def test_a_page_names_its_static_files_with_their_content_version(client, world):
    login(client, world.rep_a)
    addresses = _addresses(client.get("/accounts").text)
    assert f"/static/app.css?v={_version(STATIC / 'app.css')}" in addresses
    htmx = STATIC / "vendor" / "htmx" / "htmx.min.js"
    assert f"/static/vendor/htmx/htmx.min.js?v={_version(htmx)}" in addresses
    assert any(a.startswith("/bootstrap/static/css/bootstrap.min.css?v=") for a in addresses)
    assert all("?v=" in address for address in addresses), addresses


def test_every_static_file_a_page_names_is_kept_a_year_unchanged(client, world):
    login(client, world.rep_a)
    page = client.get("/accounts")
    assert page.headers["Cache-Control"] == "no-store"
    for address in _addresses(page.text):
        answer = client.get(address.replace("&amp;", "&"))
        assert answer.status_code == 200, address
        cache = answer.cache_control
        assert cache.max_age == YEAR and cache.immutable and cache.public, address
        assert not cache.no_cache and not cache.no_store, address


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_a_static_file_asked_without_its_current_version_is_revalidated(client, query):
    answer = client.get(f"/static/app.css{query}")
    assert answer.status_code == 200
    assert not answer.cache_control.immutable
    assert answer.cache_control.max_age != YEAR


def test_a_changed_file_gets_a_new_version(tmp_path):
    versions = Versions()
    path = tmp_path / "app.css"
    path.write_text("body { color: black; }")
    first = versions.of(path)
    path.write_text("body { color: navy; }")
    assert versions.of(path) != first
    assert versions.of(path) == _version(path)
    assert versions.of(tmp_path / "gone.css") is None
