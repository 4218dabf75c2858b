"""The issue's flow: leadership simulates a star rep's departure, plans a handover from the
result, the successor logs a joint contact with each key contact on a phone and confirms them,
and the handover reaches 100% — in English and in Chinese."""

import itertools
import re

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import log_in, translate

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Handover {locale} {n}")
    star = f.make_user(team=team, name=f"Star {n}", email=f"star{n}-{locale}@example.com")
    successor = f.make_user(
        team=team, name=f"Successor {n}", email=f"successor{n}-{locale}@example.com"
    )
    leader = f.make_user(
        role=Role.leadership, name=f"CEO {n}", email=f"ceo{n}-{locale}@example.com"
    )
    account = f.make_account(team=team, name=f"华北能源 {n}", members={star: "AR"})
    boss = f.make_contact(
        account=account, name=f"刘总 {n}", decision_role="decision_maker", influence="high"
    )
    engineer = f.make_contact(
        account=account, name=f"周工 {n}", decision_role="technical_evaluator", influence="high"
    )
    f.make_interaction(account=account, owner=star, contacts=[boss, engineer], days_ago=5)
    deal = f.make_opportunity(account=account, name=f"Substation {n}", roles={star: "AR"})
    return {
        "star": star,
        "successor": successor,
        "account": account,
        "deal": deal,
        "leader_email": leader.email,
        "successor_email": successor.email,
    }


def test_leadership_simulates_a_departure_and_the_handover_reaches_100(
    live_server, desktop, browser, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(desktop, url, seeded["leader_email"])
    desktop.goto(f"{url}/dependency")
    desktop.wait_for_selector("#chart-risk .main-svg")  # Plotly, served by the app, drew it
    desktop.click("#simulate")
    desktop.select_option("#user_ids", str(seeded["star"]))
    desktop.click("#run-simulation")
    row = desktop.locator(f"#departure-table tr[data-account='{seeded['account']}']")
    assert row.locator("a[href^='/contacts/']").count() == 2  # both key contacts uncovered
    assert f"/opportunities/{seeded['deal']}" in desktop.locator("#deals-at-risk").inner_html()
    desktop.locator("#plan-handovers a").click()
    desktop.wait_for_url(re.compile(r".*/handovers/new\?.*"))
    assert desktop.locator(f"#account-{seeded['account']}").is_checked()
    desktop.select_option("select[name=to_user_id]", str(seeded["successor"]))
    desktop.click("#save-handover")
    desktop.wait_for_url(re.compile(r".*/handovers/\d+$"))
    handover_url = desktop.url
    assert "0%" in desktop.locator("#completion").inner_text()
    desktop.click("#transfer-roles")
    desktop.wait_for_url(handover_url)

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale=locale
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        log_in(phone, url, seeded["successor_email"])
        assert phone.locator("#unread-count").inner_text() != ""  # told of the handover
        phone.goto(handover_url)
        for _contact in range(2):
            phone.locator("a.joint-log").first.click()
            phone.wait_for_url(re.compile(r".*/interactions/new\?.*"))
            phone.fill("textarea[name=summary]", "Introduced by the star over lunch")
            phone.click("#save-interaction")
            phone.wait_for_url(re.compile(re.escape(handover_url) + r"(#.*)?$"))
        assert phone.locator("a.joint-log").count() == 0
        # both contacts confirmed at once, in the one form
        for box in phone.locator(".confirm-row input[type=checkbox]").all():
            box.check()
        phone.click("#confirm-ticked")
        phone.wait_for_url(handover_url)
        assert phone.locator(".confirm-row").count() == 0
        assert "100%" in phone.locator("#completion").inner_text()
    finally:
        context.close()
    desktop.reload()
    assert "100%" in desktop.locator("#completion").inner_text()
    assert translate("Completion", locale) in desktop.locator("#completion").inner_text()
