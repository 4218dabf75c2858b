"""The first load of the chart pages in Chromium (issue 15: ≤ 1 s on the full-size data set):
the pipeline review and the dependency dashboard opened by leadership with an empty cache, from
the request to the load event, then again with the cache filled by the first load.

    python -m tools.bench.first_load [--sqlite FILE | --database URL] [--repeat 5]

Runs gunicorn (4 workers, as the load test) on the benchmark's data set and Debian's Chromium
(/usr/bin/chromium, headless) through Playwright. Prints per page the median and the slowest of
`--repeat` cold loads, the server's part of it (to the page's first byte), the page's size and
the bytes transferred, and the median load with the cache filled. Not a test.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import Browser, sync_playwright

from config import INSTANCE_DIR, normalize_database_url
from salesflow import clock
from salesflow.demo.people import PASSWORDS
from tools.bench.deals import morning
from tools.bench.main import bench_app
from tools.bench.targets import load_average
from tools.loadtest.main import _free_port, _start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as the browser tests run it (tests/e2e/conftest.py)
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGES = ("/pipeline/review", "/dependency")
LEADER = "ceo@example.com"
LIMIT_MS = 1000.0
# From the navigation's start to the end of the load event; of it the server's time to the
# page's first byte; the page's size and what it and its files moved over the network.
TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const files = performance.getEntriesByType('resource');
  return {
    ms: nav.loadEventEnd - nav.startTime,
    server: nav.responseStart - nav.requestStart,
    html: nav.decodedBodySize,
    bytes: nav.transferSize + files.reduce((sum, f) => sum + f.transferSize, 0),
  };
}"""


def _logged_in_state(browser: Browser, base: str, path: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", LEADER)
    page.fill("input[name=password]", PASSWORDS["leadership"])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    context.storage_state(path=str(path))
    context.close()


def _loads(browser: Browser, url: str, state: Path, repeat: int) -> dict:
    cold, warm = [], []
    for _ in range(repeat):
        context = browser.new_context(storage_state=str(state))  # an empty cache each time
        page = context.new_page()
        answer = page.goto(url, wait_until="load")
        if answer is None or answer.status != 200:  # an error page's time says nothing
            raise SystemExit(f"{url}: HTTP {answer.status if answer else '?'}")
        cold.append(page.evaluate(TIMING))
        page.goto(url, wait_until="load")  # again, with what the first load cached
        warm.append(page.evaluate(TIMING)["ms"])
        context.close()

    def median(key: str) -> float:
        return statistics.median(load[key] for load in cold)

    return {
        "cold": median("ms"),
        "slowest": max(load["ms"] for load in cold),
        "server": median("server"),
        "html": median("html") / 1024,
        "kb": median("bytes") / 1024,
        "warm": statistics.median(warm),
    }


def measure(url: str, repeat: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="first-load-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = bench_app(url)
    with app.app_context():
        upgrade()  # a copy loaded by an older checkout gets the newer tables
    morning(app, clock.now())  # as the pages read them in production
    before = load_average()
    server = _start_server(url, port, work / "gunicorn.log")
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _logged_in_state(browser, base, work / "state.json")
            for path in PAGES:
                figures = _loads(browser, base + path, work / "state.json", repeat)
                mark = "✓" if figures["cold"] <= LIMIT_MS else f"✗ > {LIMIT_MS:g}"
                rows.append(
                    f"| {path} | {figures['cold']:.0f} | {figures['slowest']:.0f} | "
                    f"{figures['server']:.0f} | {figures['html']:.0f} | {figures['kb']:.0f} | "
                    f"{figures['warm']:.0f} | {mark} |"
                )
                print(f"  {rows[-1]}", file=sys.stderr)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return "\n".join(
        [
            f"First load in Chromium, leadership, median of {repeat} (gunicorn 4 workers; the "
            f"machine's load average {before} before, {load_average()} after), ms:",
            "",
            "| page | first load | slowest | of it the server (to the first byte) | page KB "
            "| KB transferred | cached load | ≤ 1 s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, help="the SQLite file (default the bench's)")
    parser.add_argument("--database", help="a PostgreSQL URL (default BENCH_DATABASE_URL)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    database = args.database or (None if args.sqlite else os.environ.get("BENCH_DATABASE_URL"))
    sqlite = args.sqlite or INSTANCE_DIR / "bench" / "bench-10000.db"
    url = normalize_database_url(database) if database else f"sqlite:///{sqlite}"
    print(measure(url, args.repeat))


if __name__ == "__main__":
    main()
