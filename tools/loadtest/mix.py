"""What the load test's people ask for, in the mix of issue 15 — 40% account pages, 20% quick logs
(a POST with its CSRF token), 15% lists and search, 10% deal pages, 10% the board, 5% the review
(a rep, who has no review, opens My day instead). Plain functions from a person of the plan
(plan.py) to a request, so the tests check them against the app's routes without importing
locust (which patches the whole process for gevent)."""

import random
from dataclasses import dataclass, field
from datetime import datetime

BOARD = "enterprise"
LISTS = (
    ("/accounts", {}),
    ("/accounts?q=", {"q": "电力"}),
    ("/opportunities?sort=amount", {"sort": "amount", "dir": "desc"}),
    ("/search?q=", {"q": "王"}),
    ("/search?q=", {"q": "pacific"}),
)
WEIGHTS = {"account": 40, "quick_log": 20, "lists": 15, "deal": 10, "board": 10, "review": 5}


@dataclass(frozen=True)
class Ask:
    """One request; `name` groups it in the report (ids and queries left out)."""

    method: str
    path: str
    name: str
    params: dict[str, str] = field(default_factory=dict)
    data: list[tuple[str, str]] = field(default_factory=list)


def account_page(me: dict, rng: random.Random) -> Ask:
    account_id, _contacts = rng.choice(me["accounts"])
    return Ask("GET", f"/accounts/{account_id}", "/accounts/{id}")


def quick_log(me: dict, rng: random.Random, csrf: str, now: datetime) -> Ask:
    """A logged call with one or two of the account's contacts, as the quick log form posts it
    (`now` in the company's time zone)."""
    account_id, contacts = rng.choice(me["accounts"])
    form = [
        ("csrf_token", csrf),
        ("account_id", str(account_id)),
        ("kind", "call"),
        ("occurred_at", now.strftime("%Y-%m-%dT%H:%M")),
        ("participant_ids", str(me["user_id"])),
        ("summary", "Load test call: went through the proposal"),
        ("outcome", "They want a reference site"),
    ]
    form += [("contact_ids", str(contact)) for contact in contacts]
    return Ask("POST", "/interactions/new", "POST /interactions/new", data=form)


def lists_and_search(me: dict, rng: random.Random) -> Ask:
    name, query = rng.choice(LISTS)
    return Ask("GET", name.split("?")[0], name, params=query)


def deal_page(me: dict, rng: random.Random) -> Ask:
    if not me["deals"]:  # nobody's deals to open: their account instead
        return account_page(me, rng)
    return Ask("GET", f"/opportunities/{rng.choice(me['deals'])}", "/opportunities/{id}")


def board(me: dict, rng: random.Random) -> Ask:
    return Ask("GET", "/pipeline", "/pipeline?playbook=", params={"playbook": BOARD})


def review(me: dict, rng: random.Random) -> Ask:
    if me["role"] == "rep":
        return Ask("GET", "/", "/ (My day)")
    return Ask("GET", "/pipeline/review", "/pipeline/review")
