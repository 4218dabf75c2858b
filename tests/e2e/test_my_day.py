"""The rep on a phone (390×844): My day leads with today, Done and Snooze keep the scroll position
(htmx swaps the row), the bell and the language switch show with the menu closed, and a quick log
lands on its new entry, highlighted. axe-core on each page."""

import itertools
import re
from datetime import timedelta

from playwright.sync_api import expect

from salesflow import clock
from salesflow.extensions import db
from salesflow.notifications.models import Notification
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()


def _world(locale: str, *, overdue: int = 8, unread: int = 0) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Day {locale} {n}")
    rep = f.make_user(team=team, name=f"Day rep {n}", email=f"day{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"华东电力 day {n}", members={rep: "AR"})
    contact = f.make_contact(account=account, name="张伟")
    today = clock.today(clock.now())

    def step(name: str, days: int):
        return f.make_interaction(
            account=account,
            owner=rep,
            contacts=[contact],
            next_step=name,
            next_step_due=today + timedelta(days=days),
        )

    late = [step(f"Overdue step {i}", -i) for i in range(1, overdue + 1)]
    step("Call the buyer today", 0)
    step("Send the quote on Monday", 3)
    db.session.add_all(
        Notification(
            user_id=rep.id, kind="next_steps_overdue", params={"count": 1}, created_at=clock.now()
        )
        for _ in range(unread)
    )
    third = late[2] if len(late) > 2 else None
    return {
        "email": rep.email,
        "account": account,
        "late": third,
        "contact": contact,
        "today": today.isoformat(),
    }


def test_my_day_leads_with_today_on_a_phone(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["email"])
    today = phone.locator("#steps-today")
    assert today.locator(".next-step").first.inner_text().startswith("Call the buyer today")
    assert today.bounding_box()["y"] < 844  # in the first screen, no scrolling
    boxes = [
        phone.locator(f"#steps-{s}").bounding_box()["y"] for s in ("today", "upcoming", "overdue")
    ]
    assert boxes == sorted(boxes)
    overdue = phone.locator("#steps-overdue > ul > .next-step")
    assert overdue.count() == 5 and overdue.first.inner_text().startswith("Overdue step 1")
    more = phone.locator("#overdue-more")
    assert not more.locator(".next-step").first.is_visible()
    more.locator("> summary").click()
    assert more.locator(".next-step").count() == 3 and more.locator(".next-step").first.is_visible()
    assert_accessible(phone)


def test_done_and_snooze_keep_the_scroll_position(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["email"])
    row = phone.locator(f"#step-{seeded['late']}")
    row.scroll_into_view_if_needed()
    phone.evaluate("window.scrollBy(0, 120)")
    before = phone.evaluate("window.scrollY")
    assert before > 0
    row.locator("button[type=submit]", has_text=translate("Done", locale)).click()
    phone.wait_for_selector(f"#step-{seeded['late']}.next-step-done")
    assert phone.evaluate("window.scrollY") == before  # no reload, no jump to the top
    assert translate("Next step done.", locale) in row.inner_text()
    assert phone.url == f"{live_server.url}/"
    # snooze another one to tomorrow: the row says so, still in place
    other = phone.locator("#steps-overdue > ul > .next-step").first
    other_id = other.get_attribute("id")
    other.locator("summary").click()
    other.locator("button[name=due]").first.click()
    moved = phone.locator(f"#{other_id}")
    moved.locator("[role=status]").wait_for()
    assert phone.evaluate("window.scrollY") > 0
    expect(moved).not_to_have_class(re.compile(r"\boverdue\b"))  # once htmx has settled
    phone.reload()  # the changes were saved
    assert phone.locator(f"#step-{seeded['late']}").count() == 0
    assert phone.locator(f"#steps-upcoming #{other_id}").count() == 1
    assert_accessible(phone)


def test_the_bell_and_the_language_show_with_the_menu_closed(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale, overdue=0, unread=3))
    log_in(phone, live_server.url, seeded["email"])
    assert not phone.locator("#nav").is_visible()  # the hamburger menu is closed
    bell = phone.locator("#notification-bell")
    assert bell.is_visible() and phone.locator("#unread-count").inner_text() == "3"
    singular = "%(num)d unread notification"
    name = translate(singular, locale)  # Chinese has one form; English says "notifications"
    name = (name if name != singular else "%(num)d unread notifications") % {"num": 3}
    assert bell.get_attribute("aria-label") == name
    box = bell.bounding_box()
    assert box["x"] + box["width"] <= 390 and box["y"] < 80
    menu = phone.locator(".navbar-toggler").bounding_box()  # one line: the menu beside the bell
    assert abs(menu["y"] + menu["height"] / 2 - (box["y"] + box["height"] / 2)) < 4
    switch = phone.locator("#language-switch button")
    assert switch.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
    switch.click()
    phone.wait_for_load_state()
    other = "中文" if phone.locator("html").get_attribute("lang") == "en" else "English"
    assert phone.locator("#language-switch button").inner_text() == other


def test_a_quick_log_lands_on_its_new_entry_highlighted(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale, overdue=0))
    log_in(phone, live_server.url, seeded["email"])
    account_url = f"{live_server.url}/accounts/{seeded['account']}"
    phone.goto(account_url)
    phone.locator("#navbar-tools a[href*='/interactions/new']").click()
    phone.wait_for_url("**/interactions/new?**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    # the summary is required: left empty, the problem is at the top, in sight
    phone.click("#save-interaction")
    summary = phone.locator("#error-summary")
    summary.wait_for()
    assert summary.bounding_box()["y"] < 844
    assert phone.locator("textarea[name=summary]").get_attribute("aria-invalid") == "true"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
    summary.locator("a[href='#summary']").click()
    phone.fill("textarea[name=summary]", "Agreed the site survey date")
    phone.check(f"input[name=contact_ids][value='{seeded['contact']}']")
    phone.click("#save-interaction")
    phone.wait_for_url(f"{account_url}#interaction-*")
    target = phone.locator(":target")
    assert "Agreed the site survey date" in target.inner_text()
    assert "timeline-item" in target.get_attribute("class")
    # in sight, not the top of a long page (once Bootstrap's smooth scroll has got there)
    phone.wait_for_function(
        "() => { const r = document.querySelector(':target').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    assert phone.evaluate("window.scrollY") > 0
    highlight = target.evaluate("e => getComputedStyle(e).outlineColor")
    assert highlight == "rgb(153, 116, 4)"  # marked, not only scrolled to
    assert_accessible(phone)


def test_mark_as_left_asks_first(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale, overdue=0))
    log_in(phone, live_server.url, seeded["email"])
    phone.goto(f"{live_server.url}/contacts/{seeded['contact']}")
    ask = phone.locator("#mark-left")
    assert not phone.locator("#confirm-left").is_visible()
    ask.locator("summary").click()
    day = ask.locator("input[name=left_on]")
    assert day.input_value() == seeded["today"]
    assert_accessible(phone)
    day.fill("2099-01-01")
    phone.click("#confirm-left")
    phone.locator("#error-summary").wait_for()  # refused: the form again, with its message
    assert (
        translate("The date cannot be in the future.", locale)
        in phone.locator("#error-summary").inner_text()
    )
    assert_accessible(phone)


def test_a_stale_snooze_is_said_in_its_row(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale, overdue=0))
    log_in(phone, live_server.url, seeded["email"])
    row = phone.locator("#steps-today .next-step").first
    form = row.locator("details.snooze form").first
    # someone else (another tab) moves it first: the version this page read is stale
    status = form.evaluate(
        "f => fetch(f.action, {method: 'POST', redirect: 'manual',"
        " body: new FormData(f, f.querySelector('button[name=due]'))})"
        ".then(r => r.type === 'opaqueredirect' ? 303 : r.status)"
    )
    assert status == 303
    row.locator("summary").click()
    row.locator("button[name=due]").first.click()
    alert = phone.locator("#steps-today .next-step [role=alert]")
    alert.wait_for()
    assert alert.inner_text()
    assert phone.locator("#steps-today .next-step").count() == 1  # the row, not a page in it
    assert_accessible(phone)
