"""The load test's people (locust): logged-in reps, directors and leadership, each a different
user of the data set, asking for what mix.py says in its weights (issue 15's mix).

Who logs in and what they may open comes from the plan the runner writes (plan.py), named by
LOADTEST_PLAN. Run by `python -m tools.loadtest` (`make loadtest`), not by hand. Every request's
time is written to LOADTEST_TIMES when locust quits, for the runner's report (summary.py).
"""

import itertools
import json
import os
import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

from tools.loadtest import mix

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
SETUP = "setup: "  # logging in and reading the CSRF token: not part of the mix


def _plan() -> dict:
    path = os.environ.get("LOADTEST_PLAN")
    if not path:  # imported to be checked: nobody to log in
        return {"zone": "UTC", "people": {"rep": [], "director": [], "leadership": []}}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


PLAN = _plan()
PEOPLE = {role: itertools.cycle(people) for role, people in PLAN["people"].items()}
ZONE = ZoneInfo(PLAN["zone"])


class Person(HttpUser):
    """One logged-in user; subclasses say which role. Think time 0.5–2 s between requests."""

    abstract = True
    role = "rep"
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.me = {**next(PEOPLE[self.role]), "role": self.role}
        self.rng = random.Random()
        login = self.client.get("/login", name=SETUP + "/login")
        answer = self.client.post(
            "/login",
            data={
                "email": self.me["email"],
                "password": self.me["password"],
                "csrf_token": _token(login.text),
            },
            name=SETUP + "POST /login",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.me['email']} could not log in: HTTP {answer.status_code}")
        account_id = self.me["accounts"][0][0]
        form = self.client.get(
            f"/interactions/new?account_id={account_id}", name=SETUP + "/interactions/new"
        )
        self.csrf = _token(form.text)

    def ask(self, asked: mix.Ask) -> None:
        if asked.method == "GET":
            self.client.get(asked.path, params=asked.params, name=asked.name)
            return
        with self.client.post(
            asked.path, data=asked.data, name=asked.name, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code not in (302, 303):  # a saved quick log redirects
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")

    @task(mix.WEIGHTS["account"])
    def account_page(self) -> None:
        self.ask(mix.account_page(self.me, self.rng))

    @task(mix.WEIGHTS["quick_log"])
    def quick_log(self) -> None:
        self.ask(mix.quick_log(self.me, self.rng, self.csrf, datetime.now(ZONE)))

    @task(mix.WEIGHTS["lists"])
    def lists_and_search(self) -> None:
        self.ask(mix.lists_and_search(self.me, self.rng))

    @task(mix.WEIGHTS["deal"])
    def deal_page(self) -> None:
        self.ask(mix.deal_page(self.me, self.rng))

    @task(mix.WEIGHTS["board"])
    def board(self) -> None:
        self.ask(mix.board(self.me, self.rng))

    @task(mix.WEIGHTS["review"])
    def review(self) -> None:
        self.ask(mix.review(self.me, self.rng))


class Rep(Person):
    weight = 6
    role = "rep"


class Director(Person):
    weight = 3
    role = "director"


class Leadership(Person):
    weight = 1
    role = "leadership"


class Recorder:
    """Every request's time by name, and its failures, written as JSON to LOADTEST_TIMES when
    locust quits: the runner sums a step up from it (setup requests apart)."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.failures: dict[str, list[str]] = {}

    def request(self, name: str, response_time: float, exception: object, **_kwargs) -> None:
        self.times.setdefault(name, []).append(response_time)
        if exception is not None:
            self.failures.setdefault(name, []).append(str(exception)[:300])

    def write(self, **_kwargs) -> None:
        if path := os.environ.get("LOADTEST_TIMES"):
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"times": self.times, "failures": self.failures}, handle)


RECORDER = Recorder()
events.request.add_listener(RECORDER.request)
events.quitting.add_listener(RECORDER.write)


def _token(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)
