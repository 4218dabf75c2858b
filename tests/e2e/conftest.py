"""Browser tests: a live server on a fresh database, driven by Debian's Chromium via Playwright.

The database is its own (real commits), SQLite or PostgreSQL like the rest of the suite; CSRF is
on, as in production. Never `playwright install`: the browser comes from the system package.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from salesflow.extensions import db
from tests.conftest import drop_database, fresh_database_url, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.e2e


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def seed(self, build):
        """Run `build()` (factories) in an app context and commit; returns what it returns."""
        with self.app.app_context():
            result = build()
            db.session.commit()
            ids = {name: getattr(obj, "id", obj) for name, obj in result.items()}
            db.session.remove()
        return ids


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    url = fresh_database_url(str(tmp_path_factory.mktemp("e2e")), "e2e")
    app = make_app(url)  # CSRF stays on
    with app.app_context():
        upgrade()
        db.session.remove()
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["en-US", "zh-CN"], ids=["en", "zh"])
def locale(request) -> str:
    """Each browser test runs once with an English and once with a Chinese browser."""
    return request.param


def _page(request, browser, name: str, **options) -> Iterator[object]:
    """A page in a fresh browser context; a screenshot in test-artifacts/ when the test fails."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(request, browser, locale) -> Iterator[object]:
    """A phone-sized page in the browser language `locale`."""
    yield from _page(
        request,
        browser,
        "",
        viewport={"width": 390, "height": 844},
        locale=locale,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed = True
    return report


@pytest.fixture
def desktop(request, browser, locale) -> Iterator[object]:
    """A desktop-sized page in the browser language `locale` (leadership's and directors' views)."""
    yield from _page(
        request, browser, "-desktop", viewport={"width": 1366, "height": 900}, locale=locale
    )
