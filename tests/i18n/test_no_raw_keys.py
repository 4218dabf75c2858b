"""Words for people, keys for machines (STYLE.md rule 16): the main page of every persona, in
English and Chinese, over data made the way people make it (through the services, so the audit
trails, stage history and notifications are real), shows no field name, enum value, playbook key
or ISO timestamp in its visible text (tags, attributes, URLs, scripts and styles left out)."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest

from salesflow.accounts import services as account_services
from salesflow.contacts import services as contact_services
from salesflow.dependency import snapshots
from salesflow.extensions import db
from salesflow.handovers import services as handover_services
from salesflow.interactions import services as interaction_services
from salesflow.key_accounts import deal_roles, plans_services, spend
from salesflow.opportunities import moves
from salesflow.opportunities import services as deal_services
from salesflow.playbooks import registry
from salesflow.playbooks.gates import ApprovalGate
from tests.conftest import login


def _playbook_keys() -> set[str]:
    """Keys of the shipped playbooks that are no English word: the playbooks' own and their
    decision points' (stage keys are words: "bid", "shape"; the snake_case ones are caught as
    snake_case)."""
    keys: set[str] = set()
    for playbook in registry.file_playbooks().values():
        keys.add(playbook.key)
        for stage in playbook.stages:
            keys.update(g.key for g in stage.exit if isinstance(g, ApprovalGate))
    return keys


def _raw_patterns() -> list[re.Pattern]:
    words = sorted(_playbook_keys(), key=len, reverse=True)
    return [
        # a playbook's key or a decision point's ("enterprise", "atb") where its name belongs
        re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])"),
        # any snake_case name: a column (reports_to_id), a vocabulary value (decision_maker,
        # tech_exchange), a checklist item (need_confirmed); no word a person writes
        re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z0-9]+)+(?![\w@-])"),
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?"),
        re.compile(r"\[\[\d+, '"),  # a stored pair list
        re.compile(r"(?<![\w&])#\d+\b"),  # an id where a name belongs
    ]


class _Visible(HTMLParser):
    """The text a reader sees: data outside <script>, <style> and <template>."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def raw_keys(html: str) -> list[str]:
    text = visible_text(html)
    found = []
    for pattern in _raw_patterns():
        for match in pattern.finditer(text):
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
            found.append(f"{match.group(0)!r} in {line[:160]!r}")
    return found


@pytest.fixture
def rich(world, now):
    """A working account made through the services: a decision chain with a reporting line, a
    team, a technical exchange with a cost and a next step, a deal moved on an override and back,
    with its triangle, a ticked item and a decision asked, a handover, the day's snapshots."""
    w = world
    earlier = now - timedelta(days=3)
    account_services.set_account_team(
        w.account_a,
        [
            {"user_id": w.rep_a.id, "role": "AR"},
            {"user_id": w.rep_a2.id, "role": "SR"},
            {"user_id": w.director_a.id, "role": "FR"},
        ],
        actor=w.director_a,
        now=earlier,
    )
    evaluator = contact_services.create_contact(
        w.account_a,
        {
            "name": "Qian Hua",
            "decision_role": "technical_evaluator",
            "influence": "high",
            "attitude": "supporter",
            "level": "management",
            "reports_to_id": w.contact_a.id,
        },
        actor=w.rep_a,
        now=earlier,
    )
    contact_services.update_contact(
        w.contact_a,
        {
            "attitude": "champion",
            "level": "executive",
            "government_official": True,
            "version": w.contact_a.version,
        },
        actor=w.rep_a,
        now=earlier,
    )
    deal = deal_services.create_opportunity(
        {
            "account_id": w.account_a.id,
            "name": "Grid upgrade",
            "playbook": "enterprise",
            "amount": Decimal("1200000"),
            "currency": "CNY",
            "expected_close": date(2027, 3, 31),
        },
        actor=w.rep_a,
        now=earlier,
    )
    log = interaction_services.log_interaction(
        {
            "account_id": w.account_a.id,
            "opportunity_id": deal.id,
            "kind": "tech_exchange",
            "occurred_at": earlier,
            "summary": "Walked their engineers through the design",
            "participant_ids": [w.rep_a.id, w.rep_a2.id],
            "contact_ids": [w.contact_a.id, evaluator.id],
            "cost": "8095.00",
            "next_step": "Send the test report",
            "next_step_due": now.date() + timedelta(days=2),
        },
        actor=w.rep_a,
        now=earlier,
    )
    interaction_services.update_interaction(
        log, {"participant_ids": [w.rep_a.id], "version": log.version}, actor=w.rep_a, now=now
    )
    deal_services.tick_item(
        deal,
        {"stage": "validate", "item": "need_confirmed", "evidence": "Minutes of the 3 Nov call"},
        actor=w.rep_a,
        now=now,
    )
    moves.advance(
        deal,
        {"version": deal.version, "override_reason": "The customer's deadline"},
        actor=w.director_a,
        now=now,
    )
    deal_services.decide(
        deal, {"stage": "shape", "gate": "atb", "decision": "requested"}, actor=w.rep_a, now=now
    )
    moves.move_back(
        deal,
        {"to_stage": "validate", "reason": "Budget not yet approved", "version": deal.version},
        actor=w.director_a,
        now=now,
    )
    handover = handover_services.create_handover(
        {
            "from_user_id": w.rep_a.id,
            "to_user_id": w.rep_a2.id,
            "account_ids": [w.account_a.id],
            "due_date": date(2026, 12, 20),
        },
        actor=w.director_a,
        now=now,
    )
    # An account plan written then changed (texts and objectives), and a budget set then raised.
    plan = plans_services.save_plan(
        w.account_a,
        now.year,
        {
            "vision": "Their partner of choice for the grid",
            "objectives": [
                {
                    "kind": "contact_attitude",
                    "title": "The evaluator on our side",
                    "due": date(now.year, 12, 31),
                    "params": {"contact_id": evaluator.id, "attitude": "champion"},
                }
            ],
        },
        actor=w.rep_a,
        now=now,
    )
    db.session.commit()  # each save is a request of its own
    plans_services.save_plan(
        w.account_a,
        now.year,
        {"version": plan.version, "threats": "A rival courts their CIO", "objectives": []},
        actor=w.rep_a,
        now=now,
    )
    spend.save_budget(
        w.account_a, now.year, {"amounts": {"CNY": "50000"}}, actor=w.director_a, now=now
    )
    [budget] = spend.budgets_by_account([w.account_a.id], now.year)[w.account_a.id]
    spend.save_budget(
        w.account_a,
        now.year,
        {"amounts": {"CNY": "65000.5"}, "versions": {"CNY": budget.version}},
        actor=w.director_a,
        now=now,
    )
    deal_roles.set_deal_contacts(  # its buying roles, one differing from the account's
        deal,
        {
            "version": deal.version,
            "contacts": [
                {"contact_id": evaluator.id, "role": "decision_maker"},
                {"contact_id": w.contact_a.id, "role": "influencer"},
            ],
        },
        actor=w.director_a,
        now=now,
    )
    account_services.create_account(  # a subsidiary: the group's part and its dependency
        {"name": "Huadong East", "team_id": w.team_a.id, "parent_id": w.account_a.id},
        actor=w.director_a,
        now=earlier,
    )
    snapshots.take(now=now)
    db.session.commit()
    return {"deal": deal, "log": log, "evaluator": evaluator, "handover": handover}


def _pages(world, rich):
    deal, handover = rich["deal"], rich["handover"]
    return {
        world.rep_a: [
            "/",
            f"/accounts/{world.account_a.id}",
            f"/contacts/{rich['evaluator'].id}",
            f"/contacts/{world.contact_a.id}",
            f"/interactions/{rich['log'].id}",
            f"/opportunities/{deal.id}",
            "/pipeline",
            "/opportunities",
            "/notifications",
        ],
        world.rep_a2: ["/", f"/handovers/{handover.id}", "/notifications"],
        world.director_a: [
            "/",
            "/pipeline/review",
            "/requests/figures",
            f"/requests/figures/list?figure=received&by=team&key={world.team_a.id}",
            "/pipeline",
            f"/opportunities/{deal.id}",
            f"/accounts/{world.account_a.id}",
            f"/handovers/{handover.id}",
            "/notifications",
        ],
        world.leader: [
            "/dependency",
            f"/dependency/accounts/{world.account_a.id}",
            f"/dependency/departure?user_ids={world.rep_a.id}",
            "/requests/figures",
            f"/handovers/{handover.id}",
        ],
    }


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_no_page_shows_a_raw_key(client, world, rich, lang):
    shown: dict[str, list[str]] = {}
    for user, urls in _pages(world, rich).items():
        login(client, user)
        for url in urls:
            response = client.get(url, headers={"Accept-Language": lang})
            assert response.status_code == 200, (user.name, url)
            if found := raw_keys(response.get_data(as_text=True)):
                shown[f"{user.name} {url}"] = found
    assert not shown, "\n".join(f"{page}:\n  " + "\n  ".join(f) for page, f in shown.items())


@pytest.mark.parametrize(
    "html, key",
    [
        ("<li>participant_ids: [5]</li>", "participant_ids"),
        ("<td>decision_maker</td>", "decision_maker"),
        ("<span>enterprise</span>", "enterprise"),
        ("<p>2026-11-20 09:30:00.123456+00:00</p>", "2026-11-20 09:30:00.123456+00:00"),
        ("<li>Reports to: #38 → #37</li>", "#38"),
    ],
)
def test_the_search_finds_each_kind_of_raw_key(app, html, key):
    with app.app_context():
        assert any(repr(key) in found for found in raw_keys(html))


def test_the_search_ignores_attributes_and_scripts(app):
    html = (
        '<a href="/opportunities?stage_key=bid" data-kind="tech_exchange">Technical exchange</a>'
        '<script>var x = {"participant_ids": [1]};</script>'
    )
    with app.app_context():
        assert raw_keys(html) == []


@pytest.mark.parametrize("lang, month", [("en", "Mar 2027"), ("zh-CN", "2027年3月")])
def test_the_review_charts_name_playbooks_and_months(client, world, rich, lang, month):
    """The charts' legends and axes are drawn from the figure, not the page's text: the funnel's
    traces are the playbooks by name, the forecast's bars the months as the reader names them."""
    login(client, world.director_a)
    page = client.get("/pipeline/review", headers={"Accept-Language": lang}).text
    figures = {
        chart: json.loads(unescape(found))
        for chart, found in re.findall(r'id="chart-(\w+)" data-figure="([^"]+)"', page)
    }
    names = {trace["name"] for trace in figures["funnel"]["data"]}
    assert names == {"Enterprise deal" if lang == "en" else "大客户项目"}
    assert figures["forecast"]["data"][0]["x"] == [month]
