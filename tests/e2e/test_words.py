"""Words, not stored values, in a real browser: a deal's stage history and changes read in the
browser's language — people and contacts by name, stages by their names, the gates a director
overrode said in that language, times on the company clock in the reader's format — and a
dependency chart's date axis in the reader's language."""

import itertools
import re
from datetime import timedelta

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.contacts import services as contact_services
from salesflow.dependency import snapshots
from salesflow.opportunities import moves
from salesflow.opportunities import services as deal_services
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in
from tests.i18n.test_no_raw_keys import raw_keys

_n = itertools.count()
WHEN = {
    "en-US": re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\u202f[AP]M"),
    "zh-CN": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"),
}
SAID = {
    "en-US": ("Validate the opportunity → Shape the requirements before the bid", "Override"),
    "zh-CN": ("验证机会点 → 标前引导", "特批"),
}


def _deal(locale: str) -> dict:
    """A deal whose director advanced it over unmet exit criteria and reseated its triangle, on
    an account whose contact changed manager."""
    n = next(_n)
    team = f.make_team(name=f"Words {locale} {n}")
    director = f.make_user(
        role=Role.director, team=team, name=f"梁艳 {n}", email=f"words-d{n}-{locale}@example.com"
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"李明 {n}", email=f"words{n}-{locale}@example.com")
    sr = f.make_user(team=team, name=f"宋佳怡 {n}")
    account = f.make_account(team=team, name=f"华北电力 {n}", members={rep: "AR"})
    boss = f.make_contact(account=account, name="王总", decision_role="decision_maker")
    engineer = f.make_contact(account=account, name="刘工", decision_role="technical_evaluator")
    now = clock.now()
    contact_services.update_contact(
        engineer, {"reports_to_id": boss.id, "version": engineer.version}, actor=rep, now=now
    )
    deal = f.make_opportunity(
        account=account, name=f"配网改造 {n}", customer_need=None, roles={rep: "AR"}
    )
    deal_services.set_roles(
        deal,
        [{"user_id": rep.id, "role": "AR"}, {"user_id": sr.id, "role": "SR"}],
        actor=director,
        now=now,
    )
    moves.advance(
        deal, {"version": deal.version, "override_reason": "客户时间紧"}, actor=director, now=now
    )
    return {"deal": deal, "engineer": engineer, "email": rep.email, "rep": rep, "sr": sr}


def test_a_deals_history_reads_in_the_browsers_language(live_server, phone, locale):
    seeded = live_server.seed(lambda: _deal(locale))
    log_in(phone, live_server.url, seeded["email"])
    phone.goto(f"{live_server.url}/opportunities/{seeded['deal']}#stage-history")
    moves_text = phone.locator("#stage-history").inner_text()
    stages, override = SAID[locale]
    assert stages in moves_text and override in moves_text
    assert ("Customer need" if locale == "en-US" else "客户需求") in moves_text  # a label
    assert WHEN[locale].search(moves_text)
    changes = phone.locator("#changes").inner_text()
    assert re.search(r"AR: 李明 \d+; SR: 宋佳怡 \d+", changes)  # the triangle by name
    assert WHEN[locale].search(changes)
    with live_server.app.app_context():  # the playbooks' keys are read from the app
        assert raw_keys(phone.content()) == []
    assert_accessible(phone)
    # the contact's history names its new manager
    phone.goto(f"{live_server.url}/contacts/{seeded['engineer']}#changes")
    assert "王总" in phone.locator("#changes").inner_text()


def _trend(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Trend {locale} {n}")
    leader = f.make_user(role=Role.leadership, name=f"Leader {n}", email=f"trend{n}-{locale}@x.cn")
    rep = f.make_user(team=team, name=f"Rep T{n}")
    account = f.make_account(team=team, name=f"Trend account {n}", members={rep: "AR"})
    boss = f.make_contact(account=account, name="赵总", decision_role="decision_maker")
    f.make_interaction(account=account, owner=rep, contacts=[boss], days_ago=3)
    for weeks in (8, 4, 0):
        snapshots.take(now=clock.now() - timedelta(weeks=weeks))
    return {"email": leader.email}


def test_a_charts_date_axis_speaks_the_browsers_language(live_server, desktop, locale):
    seeded = live_server.seed(lambda: _trend(locale))
    log_in(desktop, live_server.url, seeded["email"])
    desktop.goto(f"{live_server.url}/dependency")
    ticks = desktop.locator("#chart-trend .xtick text")
    ticks.first.wait_for()
    labels = " ".join(ticks.evaluate_all("texts => texts.map(t => t.textContent)"))
    if locale == "zh-CN":
        assert "月" in labels and not re.search(r"[A-Z][a-z]{2}", labels)
    else:
        assert re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", labels)
