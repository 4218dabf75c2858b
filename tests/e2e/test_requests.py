"""Requests between our people in a real browser (issue 16): a rep on a phone asks the deal's SR
for a solution workshop with too little lead time (refused, then sent as a rush with its reason);
the SR accepts and delivers it; the rep rates it from My day. Then the rep asks for approve-to-bid,
the director decides it from the inbox with the deal's gates in place, and the rep reads the
answer in the bell. The inbox on the phone too; English and Chinese, axe-core on each page."""

import itertools

from salesflow import clock
from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Requests {locale} {n}")
    boss = f.make_user(
        role=Role.director, team=team, name=f"Boss R{n}", email=f"rboss{n}-{locale}@example.com"
    )
    team.director_id = boss.id
    rep = f.make_user(team=team, name=f"Rep R{n}", email=f"rrep{n}-{locale}@example.com")
    sr = f.make_user(team=team, name=f"Solution R{n}", email=f"rsr{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"太湖水务 R{n}", members={rep: "AR", sr: "SR"})
    deal = f.make_opportunity(
        account=account, stage="shape", name=f"Water meters R{n}", roles={rep: "AR", sr: "SR"}
    )
    soon = clock.add_working_days(clock.today(clock.now()), 1)  # a workshop needs 5
    return {"deal": deal, "rep": rep.email, "sr": sr.email, "boss": boss.email, "soon": soon}


def _context(browser, locale: str, **options):
    context = browser.new_context(locale=locale, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_ask_accept_deliver_rate_and_decide_from_the_inbox(
    live_server, browser, phone, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    deal_url = f"{live_server.url}/opportunities/{seeded['deal']}"

    # The rep, on a phone, asks the deal's SR: too soon without a reason, then as a rush.
    log_in(phone, live_server.url, seeded["rep"])
    phone.goto(deal_url)
    phone.click("#ask-colleague")
    phone.wait_for_url("**/requests/new?*")
    phone.select_option("#kind", "solution_workshop")
    phone.fill("#title", "Workshop on the meter network")
    phone.fill("#needed_by", seeded["soon"].isoformat())
    phone.click("#send-request")
    assert phone.locator("#error-summary").count() == 1
    assert phone.locator("#rush_reason.is-invalid").count() == 1
    assert_accessible(phone)
    phone.fill("#rush_reason", "The customer moved the tender forward")
    phone.click("#send-request")
    phone.wait_for_url("**/requests/*")
    assert phone.locator("#rush").count() == 1
    request_url = phone.url.split("#")[0]
    assert_accessible(phone)
    phone.goto(f"{live_server.url}/requests?side=asked_by_me")
    assert "Workshop on the meter network" in phone.locator("#requests-list").inner_text()
    assert_accessible(phone)

    # The SR sees it waiting, accepts it and delivers it.
    log_in(desktop, live_server.url, seeded["sr"])
    assert desktop.locator("#requests-waiting-count").inner_text() == "1"
    assert (
        "Workshop on the meter network" in desktop.locator("#requests-waiting-for-me").inner_text()
    )
    desktop.goto(f"{live_server.url}/requests")
    assert_accessible(desktop)
    desktop.click("#requests-list a")
    desktop.click("button[data-move=accepted]")
    desktop.wait_for_url(request_url)
    desktop.click("details[data-move=done] summary")
    desktop.fill("#comment-done", "Workshop held; slides and notes shared")
    desktop.click("details[data-move=done] button[type=submit]")
    desktop.wait_for_url(request_url)
    assert "Workshop held; slides and notes shared" in desktop.locator("#delivered").inner_text()
    assert_accessible(desktop)

    # The rep rates it from My day (the bell's page asks too).
    phone.goto(f"{live_server.url}/")
    rating = phone.locator("#ratings-due .rating-due")
    assert rating.count() == 1
    assert_accessible(phone)
    rating.locator("label", has_text="5").click()
    rating.locator("textarea").fill("Well prepared")
    rating.locator("button[type=submit]").first.click()
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.locator("#ratings-due").count() == 0
    phone.goto(request_url)
    assert "Well prepared" in phone.locator("#rating-given").inner_text()

    # The rep asks for approve-to-bid; the director decides it from the inbox.
    phone.goto(deal_url)
    phone.click("#decisions .decision-point[data-gate=atb] button[value=requested]")
    phone.wait_for_url(f"{deal_url}#decisions")
    context, boss = _context(browser, locale, viewport={"width": 1366, "height": 900})
    try:
        log_in(boss, live_server.url, seeded["boss"])
        boss.goto(f"{live_server.url}/requests")
        boss.click("#requests-list a")
        assert boss.locator("#decision-gates").count() == 1
        assert boss.locator("#decision-stage-history").count() == 1
        assert_accessible(boss)
        boss.fill("#decision-comment", "Go ahead, margin is fine")
        boss.click("#decide-form button[value=approve]")
        boss.wait_for_url("**/requests/*")
        assert boss.locator("#decide-form").count() == 0
        assert "Go ahead, margin is fine" in boss.locator("#delivered").inner_text()
    finally:
        context.close()

    phone.goto(f"{live_server.url}/notifications")
    assert "Go ahead, margin is fine" in phone.locator("main").inner_text()
    assert_accessible(phone)
