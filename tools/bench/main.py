"""The benchmark (`make bench`): the pages people open most, timed on the large data set, next to
hand-written SQL answering the same question (README, "Benchmarks").

    python -m tools.bench [--accounts 10000] [--repeat 30] [--reuse] [--sqlite FILE]
                          [--compare bench-results/sqlite-1000.json]

Loads the data set into a fresh SQLite file under instance/bench/ (and into the PostgreSQL
database named by BENCH_DATABASE_URL, whose salesflow tables it drops first), migrates it, then
times each page with the Flask test client logged in as a rep, a director and leadership (the
opportunity pages and functions are in deals.py): the median of `--repeat` requests after a
short warm-up: p50 and p95, the ratio to the raw SQL, and the target each row must meet (a
row that misses it is marked; targets.py), with the machine's load average before and after. A
page whose route the app does not have yet is listed as skipped. Writes a Markdown table to
bench-results/<engine>.md and the rows to bench-results/<engine>-<accounts>.json; `--compare` an
earlier run's JSON (another size) to see both side by side (results.py). Not a test: numbers go
in benchmarks, not timed tests.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from werkzeug.exceptions import MethodNotAllowed, NotFound

from config import BASE_DIR, INSTANCE_DIR, Config, normalize_database_url
from salesflow import clock, create_app
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.demo import loader
from salesflow.demo.people import PASSWORDS
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.opportunities.models import Opportunity
from tools.bench import imports as bench_imports
from tools.bench import sql as bench_sql
from tools.bench.accounts import Person, Target, cases, pick_target
from tools.bench.deals import (
    Case,
    DealTarget,
    function_cases,
    morning,
    page_cases,
    pick_deals,
)
from tools.bench.dependency import REPEAT as DEPENDENCY_REPEAT
from tools.bench.dependency import dependency_cases
from tools.bench.results import Row, markdown, save, side_by_side
from tools.bench.targets import load_average

WARMUP = 3
ROLES = {
    "rep": "ar.east.1@example.com",
    "director": "director.east@example.com",
    "leadership": "ceo@example.com",
}
ACCOUNT_ROLES = ("rep", "leadership")  # who the account, search and quick-log pages are timed for


def bench_app(url: str) -> Flask:
    config = type(
        "BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    )
    return create_app(config)


def _wipe(app: Flask, url: str) -> None:
    """Start from an empty database: delete the SQLite file, or drop salesflow's tables (and
    Alembic's marker) on PostgreSQL."""
    database = sa.engine.make_url(url).database or ""
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        return
    with app.app_context():
        db.metadata.drop_all(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def _loaded_accounts(app: Flask, url: str) -> int:
    """How many accounts an earlier run left in the database (0 when there is none)."""
    database = sa.engine.make_url(url).database or ""
    if sa.engine.make_url(url).get_backend_name() == "sqlite" and not Path(database).exists():
        return 0
    with app.app_context():
        try:
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
        except sa.exc.DBAPIError:  # no tables yet
            count = 0
        db.session.remove()
        db.engine.dispose()
    return count


def prepare(app: Flask, url: str, accounts: int, reuse: bool) -> str:
    """Migrate and load the data set; say how long the load took (or that it was reused)."""
    if reuse and _loaded_accounts(app, url) == accounts:
        with app.app_context():
            upgrade()  # a database loaded by an older checkout gets the newer indexes
            db.session.remove()
        return "reused"
    _wipe(app, url)
    with app.app_context():
        upgrade()
        db.session.remove()
        result = loader.load(accounts, now=clock.now(), progress=_progress)
        print(file=sys.stderr)
    return f"{result.seconds:.0f} s"


def _progress(message: str) -> None:
    print(f"\r  loading {message}", end="", file=sys.stderr, flush=True)


def _log_in(app: Flask, role: str) -> Person:
    client = app.test_client()
    email = ROLES[role]
    response = client.post("/login", data={"email": email, "password": PASSWORDS[role]})
    if response.status_code != 302:
        raise SystemExit(f"Could not log in as {email}: HTTP {response.status_code}")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        viewer = bench_sql.Viewer(
            user.id, user.team_id, sees_all=role == "leadership", director=role == "director"
        )
        db.session.remove()
    return Person(role, client, viewer)


def times_ms(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """The wall times of `repeat` calls after a warm-up, and the last call's result."""
    result = None
    for _ in range(WARMUP):
        result = call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def raw_ms(app: Flask, query: Callable[[sa.Connection], Any], repeat: int, method: str) -> float:
    """Time hand-written SQL on its own connection; GET context so SQLite reads take no lock."""
    with app.test_request_context(method=method):

        def run() -> Any:
            with db.engine.connect() as conn:
                return query(conn)

        times, _ = times_ms(run, repeat)
        db.session.remove()
    return statistics.median(times)


def _note(response: Any) -> str:
    if not hasattr(response, "status_code"):  # a function's result
        return ""
    if response.status_code not in (200, 302, 303):
        return f"HTTP {response.status_code}"
    body = response.get_data()
    html = response.mimetype == "text/html"
    if response.status_code == 200 and html and not body.lstrip().lower().startswith(b"<!doctype"):
        return "stub page"
    return ""


def routed(app: Flask, path: str, method: str) -> bool:
    """Whether the app has a route for `path` (pages being built may not exist yet)."""
    try:
        app.url_map.bind("localhost").match(path, method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def all_cases(
    app: Flask, people: list[Person], target: Target, deal: DealTarget | None, now: datetime
) -> list[Case]:
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    todo: list[Case] = []
    for person in people:
        if person.role in ACCOUNT_ROLES:
            todo += cases(person, target, now, zone)
        if deal is not None:
            todo += page_cases(person.role, person.client, person.viewer, deal, now)
    if deal is None:
        print("  no open opportunities: the opportunity pages are not timed", file=sys.stderr)
    else:
        leader = next(p for p in people if p.role == "leadership")
        todo += function_cases(app, leader.viewer.user_id, deal, now)
    return todo


def dependency_todo(app: Flask, people: list[Person], now: datetime) -> list[Case]:
    by_role = {p.role: p for p in people}
    return dependency_cases(
        app, by_role["leadership"].viewer.user_id, by_role["director"].viewer.user_id, now
    )


def measure(app: Flask, todo: list[Case], repeat: int) -> list[Row]:
    table: list[Row] = []
    for case in todo:
        if case.path and not routed(app, case.path, case.method):
            print(f"  {case.role:<10} {case.page:<45} skipped: no route yet", file=sys.stderr)
            table.append(Row(case.page, case.role, note="skipped: no route yet"))
            continue
        times, response = times_ms(case.call, repeat)
        raw = raw_ms(app, case.raw, repeat, case.method)
        row = Row.timed(case.page, case.role, times, raw, _note(response))
        table.append(row)
        missed = "✗ " + ", ".join(row.missed) if row.missed else ""
        print(
            f"  {case.role:<10} {case.page:<45} p50 {row.p50:8.1f} p95 {row.p95:8.1f} ms"
            f"  raw {raw:7.2f} ms  {missed}",
            file=sys.stderr,
        )
    return table


def _counts(app: Flask) -> str:
    with app.app_context():
        counts = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in (
                ("users", User),
                ("accounts", Account),
                ("contacts", Contact),
                ("opportunities", Opportunity),
                ("interactions", Interaction),
            )
        }
        db.session.remove()
    return ", ".join(f"{n:,} {name}" for name, n in counts.items())


def report(engine: str, app: Flask, table: list[Row], meta: dict, repeat: int) -> str:
    lines = [
        f"## salesflow benchmark — {engine}",
        "",
        f"{_counts(app)}; load {meta['loaded']}. p50 (median) and p95 of {repeat} requests (Flask "
        f"test client, one process; {DEPENDENCY_REPEAT} for the dependency rows) vs. the median "
        f"of hand-written SQL answering the same question. "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; the machine's "
        f"load average (1, 5, 15 min) {meta['load_before']} before, {meta['load_after']} after.",
        "",
        *markdown(table),
    ]
    return "\n".join(lines) + "\n"


def run(engine: str, url: str, args: argparse.Namespace) -> str:
    print(f"{engine}: {url.split('@')[-1]}", file=sys.stderr)
    app = bench_app(url)
    meta = {"engine": engine, "accounts": args.accounts}
    meta["loaded"] = prepare(app, url, args.accounts, args.reuse)
    meta["load_before"] = load_average()
    print(f"  load average before: {meta['load_before']}", file=sys.stderr)
    people = [_log_in(app, role) for role in ROLES]
    target = pick_target(app, people[0])
    by_role = {person.role: person for person in people}
    deal = pick_deals(app, by_role["rep"].viewer, by_role["director"].viewer)
    now = clock.now()
    morning(app, now)
    table = measure(app, all_cases(app, people, target, deal, now), args.repeat)
    table += measure(app, dependency_todo(app, people, now), min(args.repeat, DEPENDENCY_REPEAT))
    meta["load_after"] = load_average()
    print(f"  load average after: {meta['load_after']}", file=sys.stderr)
    text = report(engine, app, table, meta, args.repeat)
    if not args.skip_imports:  # last: it writes 100,000 contacts, then undoes them
        timings = bench_imports.run(app)
        for timing in timings:
            print(f"  {timing.what:<55} {timing.seconds:8.1f} s", file=sys.stderr)
        text += bench_imports.report(timings)
    with app.app_context():
        db.engine.dispose()
    return _write(engine, args, meta, table, text)


def _write(engine: str, args: argparse.Namespace, meta: dict, table: list[Row], text: str) -> str:
    out = BASE_DIR / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"{engine}.md").write_text(text)
    results = out / f"{engine}-{args.accounts}.json"
    save(results, meta, table)
    if args.compare:
        text += "\n" + side_by_side(args.compare, results)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded with this size"
    )
    parser.add_argument("--skip-imports", action="store_true", help="leave out the import case")
    parser.add_argument(
        "--compare",
        type=Path,
        help="an earlier run's JSON results (bench-results/<engine>-<accounts>.json) to show "
        "beside this one",
    )
    parser.add_argument(
        "--sqlite", type=Path, help="the SQLite file (default instance/bench/bench-<accounts>.db)"
    )
    args = parser.parse_args(argv)
    if args.compare and not args.compare.exists():  # found out before a run of many minutes
        parser.error(f"no such results file: {args.compare}")
    sqlite_file = args.sqlite or INSTANCE_DIR / "bench" / f"bench-{args.accounts}.db"
    targets = [("sqlite", f"sqlite:///{sqlite_file}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(("postgresql", normalize_database_url(os.environ["BENCH_DATABASE_URL"])))
    for engine, url in targets:
        print(run(engine, url, args))


if __name__ == "__main__":
    main()
