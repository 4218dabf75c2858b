"""The load test (`make loadtest`, issue 15): gunicorn with 4 workers on the benchmark's full-size
data set, and locust's logged-in reps, directors and leadership (locustfile.py) in steps of
concurrent users, each step bounded in time.

    python -m tools.loadtest [--sqlite FILE | --database URL] [--users 5,10,20,50] [--time 60]

The database: the benchmark's SQLite file (default instance/bench/bench-10000.db, loaded by
`make bench`), or BENCH_DATABASE_URL / --database for PostgreSQL. The quick logs it posts are
written to it: use a copy. LOADTEST_USERS and LOADTEST_TIME (seconds per step) set the steps.
Reports requests/s and p50/p95/p99 per endpoint and step, the errors (there must be none; the
server's log is searched for "database is locked"), the number of users at which p95 passes
150 ms, the settings (workers, SQLite busy timeout, PostgreSQL pool) and the machine's load
before and after. Writes bench-results/loadtest-<engine>.md. Not part of `make test`.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from config import BASE_DIR, INSTANCE_DIR, normalize_database_url
from salesflow import clock
from tools.bench.deals import morning
from tools.bench.main import bench_app
from tools.bench.targets import load_average
from tools.loadtest import plan, summary

WORKERS = 4
P95_LIMIT = 150.0  # ms
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(url: str) -> str:
    """The settings the figures depend on, read from the app as gunicorn's workers run it."""
    from salesflow.extensions import db

    app = bench_app(url)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            said = f"SQLite busy timeout {busy} ms, journal mode {mode}"
        else:
            pool = engine.pool
            said = f"PostgreSQL pool size {pool.size()} + overflow {pool._max_overflow} per worker"  # noqa: SLF001
        engine.dispose()
    return f"gunicorn {WORKERS} sync workers; {said}"


def _start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url}
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
    command += ["--timeout", "120", "--error-logfile", str(log), "wsgi:app"]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


def _step(users: int, seconds: int, port: int, plan_file: Path, work: Path) -> summary.Step:
    times = work / f"times-{users}.json"
    env = {**os.environ, "LOADTEST_PLAN": str(plan_file), "LOADTEST_TIMES": str(times)}
    env["PYTHONPATH"] = str(BASE_DIR)  # the locustfile imports tools.loadtest.mix
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s"]
    command += ["--host", f"http://127.0.0.1:{port}", "--stop-timeout", "10"]
    command += ["--loglevel", "WARNING"]
    print(f"  {users} users for {seconds} s", file=sys.stderr)
    subprocess.run(command, cwd=BASE_DIR, env=env, check=False, stdout=subprocess.DEVNULL)
    return summary.Step.read(users, seconds, times)


def run(engine: str, url: str, steps: list[int], seconds: int) -> str:
    from flask_migrate import upgrade

    app = bench_app(url)
    with app.app_context():
        upgrade()  # a database loaded by an older checkout gets the newer tables
    morning(app, clock.now())  # the review's aggregate and today's snapshot, as in production
    people = plan.make(app)
    settings = _settings(url)
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(people))
    port, log = _free_port(), work / "gunicorn.log"
    before = load_average()
    server = _start_server(url, port, log)
    try:
        results = [_step(users, seconds, port, plan_file, work) for users in steps]
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = load_average()
    server_log = log.read_text(errors="replace")
    text = summary.report(engine, settings, results, server_log, (before, after), P95_LIMIT)
    out = BASE_DIR / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"loadtest-{engine}.md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, help="the SQLite file (a copy: it is written to)")
    parser.add_argument("--database", help="a PostgreSQL URL (default BENCH_DATABASE_URL)")
    parser.add_argument("--users", default=os.environ.get("LOADTEST_USERS", "5,10,20,50"))
    parser.add_argument("--time", type=int, default=int(os.environ.get("LOADTEST_TIME", "60")))
    args = parser.parse_args(argv)
    database = args.database or (None if args.sqlite else os.environ.get("BENCH_DATABASE_URL"))
    if database:
        engine, url = "postgresql", normalize_database_url(database)
    else:
        engine = "sqlite"
        url = f"sqlite:///{args.sqlite or INSTANCE_DIR / 'bench' / 'bench-10000.db'}"
    steps = [int(users) for users in args.users.split(",")]
    print(run(engine, url, steps, args.time))


if __name__ == "__main__":
    main()
