"""Careless and hostile input on every page never answers 500 (property-based, hypothesis).

Every route of the app is found from its URL map, not listed by hand, so a new page is covered
the day it is added:
- path ids: any number, far beyond what an id column holds too, in every method a route takes;
  out of range is a 404 like any missing record;
- query strings: dates, months, ids, cursors and text of every shape on every page;
- forms: every form of every page, found in its HTML, posted with generated values (text around
  and far beyond its column's length, control characters, dates from year 1 to 9999, ids out of
  range); a refused form saves nothing (no audit entry).
The API has its own fuzzing (tests/api/test_schemathesis.py); both run on either engine.
"""

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow.audit.models import AuditEntry
from salesflow.calendar.services import create_feed
from salesflow.extensions import db
from salesflow.handovers import services as handover_services
from salesflow.imports import services as import_services
from salesflow.notifications.services import notify
from salesflow.requests import services as request_services
from salesflow.validation import MAX_ID
from tests import factories as f
from tests.conftest import World, login

HOSTILE = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SKIPPED = {"static", "bootstrap.static", "dependency.plotly_js", "auth.logout", "auth.login"}

ids = st.one_of(
    st.integers(min_value=MAX_ID + 1, max_value=2**80),
    st.integers(min_value=0, max_value=2**40),
    st.sampled_from([-1, 2**31, 2**63, 2**64]),
)
# Dates anywhere a calendar allows, the edges of Python's range and of the app's most often.
EDGES = [
    date(1, 1, 1),
    date(1, 1, 2),
    date(1899, 12, 31),
    date(1900, 1, 1),
    date(2199, 12, 31),
    date(2200, 1, 1),
    date(9999, 12, 30),
    date(9999, 12, 31),
]
days = st.one_of(st.sampled_from(EDGES), st.dates(min_value=date(1, 1, 1)))
moments = st.builds(lambda d, t: f"{d.isoformat()}T{t}", days, st.sampled_from(["00:00", "23:59"]))
words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40
)  # NUL has its own test: a 400 before any view runs
raw = st.one_of(
    ids.map(str),
    days.map(date.isoformat),
    days.map(lambda d: d.isoformat()[:7]),
    moments,
    words,
    st.sampled_from(["", "²", "١٢", "1e999", "NaN", "-0", " 1", "0x10", "9" * 40]),
)
# Text around and beyond every column's length (the longest column holds 20,000 characters).
long_text = st.one_of(
    st.integers(min_value=0, max_value=25_000).map(lambda n: "字" * n),
    st.sampled_from([119, 120, 121, 200, 254, 255, 300, 301, 500, 501, 2001, 5001, 10_001]).map(
        lambda n: "x" * n
    ),
    words,
    st.sampled_from(["a\x01b", "tab\there", "line\nbreak", "\x7f", "  "]),
)
DATE_KEYS = ["from", "to", "at", "close_month", "since", "until"]
QUERY_KEYS = DATE_KEYS + [
    "team_id",
    "user_id",
    "owner_id",
    "account_id",
    "holder_id",
    "user_ids",
    "before",
    "after",
    "after_name",
    "cursor",
    "page",
    "sort",
    "dir",
    "q",
    "figure",
    "key",
    "status",
    "stage",
    "playbook",
    "tier",
    "risk",
    "deleted",
    "mine",
    "unread",
    "kind",
    "contact_ids",
    "participant_ids",
    "opportunity_id",
    "reports_to_id",
    "from_user_id",
    "account_ids",
    "extra",
    "next",
]


@pytest.fixture
def hostile(client, ctx, now) -> dict[str, Any]:
    """The World with a deal, a handover and a notification, committed; an admin logged in.
    Returns the real id for each path argument name."""
    world = World()
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    handover = handover_services.create_handover(
        {
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a2.id,
            "account_ids": [world.account_a.id],
            "due_date": now.date() + timedelta(days=30),
        },
        actor=world.admin,
        now=now,
    )
    notice = notify([world.admin], "roles_transferred", params={}, link="/", key="t", now=now)
    feed = create_feed(world.admin, actor=world.admin, now=now)  # /calendar/<token>.ics
    upload = import_services.start_import(
        b"account,name\nHuadong Power,Qian\nNowhere,Sun\n",
        "c.csv",
        {"kind": "contacts"},
        actor=world.admin,
        now=now,
    )
    asked = request_services.ask(
        world.rep_a,
        kind="demo",
        title="Demo",
        account_id=world.account_a.id,
        assignee_id=world.rep_a2.id,
        needed_by=now.date() + timedelta(days=30),
        now=now,
    )
    db.session.commit()
    login(client, world.admin)
    return {
        "request_id": asked.id,
        "account_id": world.account_a.id,
        "contact_id": world.contact_a.id,
        "interaction_id": world.interaction_a.id,
        "opportunity_id": deal.id,
        "handover_id": handover.id,
        "user_id": world.rep_a.id,
        "team_id": world.team_a.id,
        "notification_id": notice[0].id if notice else 1,
        "token_id": 1,
        "token": feed,
        "kind": "accounts",  # /duplicates/<kind>
        "import_id": upload.id,
        "fmt": "csv",  # /imports/<id>/errors.<fmt>
        "page": "figures",  # /help/<page>
        "key": "enterprise",  # /playbooks/<key>
    }


def _pages(app) -> list[Any]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/") and rule.endpoint not in SKIPPED
    ]


def _audits() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def _url(rule, values: dict[str, Any]) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<[^>]*:?{name}>", str(values[name]), url)
    return url


def test_every_page_route_is_exercised(app):
    """The property tests below cover the whole URL map (a guard against an empty loop)."""
    rules = _pages(app)
    assert len(rules) > 50 and any(rule.arguments for rule in rules)


@HOSTILE
@given(data=st.data())
def test_no_path_id_answers_500_and_out_of_range_is_404(app, client, hostile, data):
    for rule in _pages(app):
        if not rule.arguments:
            continue
        values = {name: data.draw(ids, label=name) for name in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule, values), method=method)
            assert response.status_code < 500, (method, _url(rule, values))
            if any(not 0 < v <= MAX_ID for v in values.values()):
                assert response.status_code == 404, (method, _url(rule, values))


@HOSTILE
@given(data=st.data())
def test_no_query_string_answers_500(app, client, hostile, data):
    # The date keys drawn more often: they are the ones that overflow.
    keys = st.lists(
        st.sampled_from(QUERY_KEYS + DATE_KEYS * 3), min_size=1, max_size=4, unique=True
    )
    for rule in _pages(app):
        if "GET" not in rule.methods:
            continue
        query = {key: data.draw(raw, label=key) for key in data.draw(keys, label="keys")}
        response = client.get(_url(rule, hostile), query_string=query)
        assert response.status_code < 500, (rule.rule, query)


FORM = re.compile(r"<form([^>]*)>(.*?)</form>", re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"', re.I)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', re.I)


def _forms(app, client, values: dict[str, Any]) -> dict[str, set[str]]:
    """Every form on every page a user may open: its action (the page itself when it has none)
    and its fields' names."""
    forms: dict[str, set[str]] = {}
    for rule in _pages(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule, values)
        query = {"account_id": values["account_id"], "from_user_id": values["user_id"]}
        response = client.get(url, query_string=query)
        if response.mimetype != "text/html":  # downloads (exports, calendars) hold no forms
            continue
        page = response.get_data(as_text=True)
        for attributes, body in FORM.findall(page):
            if 'method="post"' not in attributes.lower():
                continue
            found = ACTION.search(attributes)
            action = found.group(1).replace("&amp;", "&") if found and found.group(1) else url
            if action.startswith("/") and not action.startswith(("/logout", "/language")):
                forms.setdefault(action, set()).update(FIELD.findall(body))
    return forms


def _value(name: str) -> Any:
    if name.endswith(("_id", "_ids", "version")) or name in {"members-0-user_id"}:
        return st.one_of(ids.map(str), raw)
    if re.search(r"(date|due|_on$|_at$|close)", name):
        return st.one_of(days.map(date.isoformat), moments, raw)
    return st.one_of(long_text, raw)


@pytest.fixture
def forms(app, client, hostile) -> dict[str, set[str]]:
    return _forms(app, client, hostile)


def test_every_form_is_found(forms, hostile):
    for expected in (
        "/accounts/new",
        f"/accounts/{hostile['account_id']}/edit",
        f"/contacts/{hostile['contact_id']}/edit",
        "/interactions/new",
        f"/opportunities/{hostile['opportunity_id']}/advance",
        "/admin/users/new",
    ):
        assert any(action.startswith(expected) for action in forms), expected


@HOSTILE
@given(data=st.data())
def test_no_form_answers_500_and_a_refused_one_saves_nothing(client, forms, data):
    for action, names in sorted(forms.items()):
        fields = {name: data.draw(_value(name), label=name) for name in sorted(names)}
        before = _audits()
        response = client.post(action, data=fields)
        assert response.status_code < 500, (action, fields)
        if response.status_code >= 400:
            db.session.rollback()  # what the end of the request does in production
            assert _audits() == before, (action, fields)
