"""Data out, in a real browser: a director filters the account list and downloads it as Excel
(the file holds the rows the page shows, headers in the reader's language); a rep makes their
calendar address on "Your account" and a calendar fetching it gets their next steps — desktop,
in English and Chinese, axe-core on both pages."""

import io
import itertools
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
from icalendar import Calendar

from salesflow import clock
from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()


def _accounts(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Export {locale} {n}")
    director = f.make_user(
        role=Role.director,
        team=team,
        name=f"Director X{n}",
        email=f"export{n}-{locale}@example.com",
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep X{n}")
    made = {"email": director.email}
    for i, tier in enumerate("AABC"):
        account = f.make_account(
            team=team, name=f"华东电力 {n}-{i}", tier=tier, members={rep: "AR"}
        )
        made[f"account{i}"] = account
    made["formula"] = f.make_account(team=team, name=f'=HYPERLINK("http://evil/{n}")', tier="A")
    return made


def test_a_director_exports_the_filtered_account_list_as_excel(live_server, desktop, locale):
    seeded = live_server.seed(lambda: _accounts(locale))
    url = live_server.url
    log_in(desktop, url, seeded["email"])
    desktop.goto(f"{url}/accounts")
    desktop.select_option("select[name=tier]", "A")
    desktop.click("form[action='/accounts'] button[type=submit]")
    desktop.wait_for_url(re.compile(r".*/accounts\?.*tier=A.*"))
    shown = [int(i) for i in re.findall(r"/accounts/(\d+)", desktop.inner_html("table tbody"))]
    assert sorted(shown) == sorted([seeded["account0"], seeded["account1"], seeded["formula"]])
    desktop.click("#export-accounts")
    menu = desktop.locator("#export-accounts + .dropdown-menu")
    menu.wait_for(state="visible")
    assert_accessible(desktop)
    with desktop.expect_download() as download:
        menu.locator("#export-accounts-accounts-xlsx").click()
    assert download.value.suggested_filename.startswith("accounts-")
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == [
        translate("Id", locale),
        translate("Name", locale),
        translate("Tier", locale),
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == shown  # the page's rows, in the page's order
    tiers = {row[2] for row in rows}
    assert tiers == {translate("A · key account", locale)}
    formula = next(row for row in rows if row[0] == seeded["formula"])
    assert formula[1].startswith("=HYPERLINK")  # shown as typed …
    cell = next(c for c in sheet["B"] if c.value == formula[1])
    assert cell.data_type == "s"  # … as text, never a formula


def _rep_with_steps(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Calendar {locale} {n}")
    rep = f.make_user(team=team, name=f"Rep C{n}", email=f"calendar{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"西南电网 {n}", members={rep: "AR"})
    due = clock.now().date() + timedelta(days=3)
    step = f.make_interaction(
        account=account, owner=rep, next_step=f"Send the quote {n}", next_step_due=due
    )
    return {"email": rep.email, "step": step, "summary": f"Send the quote {n} · 西南电网 {n}"}


def test_a_rep_makes_a_calendar_address_and_a_calendar_reads_it(live_server, desktop, locale):
    seeded = live_server.seed(lambda: _rep_with_steps(locale))
    url = live_server.url
    log_in(desktop, url, seeded["email"])
    desktop.click("#your-account")
    desktop.wait_for_url(f"{url}/me")
    section = desktop.locator("#calendar")
    assert translate("You have no calendar address.", locale) in section.inner_text()
    google = translate(
        "Outlook and Apple Calendar check the address every hour. Google Calendar "
        "refreshes subscribed calendars only every 8 to 24 hours, so a change can "
        "take up to a day to show there.",
        locale,
    )
    assert google in section.inner_text()
    section.locator("form[action='/me/calendar'] button[type=submit]").click()
    address = desktop.locator("#calendar-url")
    address.wait_for()
    feed_url = address.input_value()
    assert feed_url.startswith(f"{url}/calendar/") and feed_url.endswith(".ics")
    desktop.click("#copy-calendar-url")
    desktop.locator("#copy-calendar-url", has_text=translate("Copied", locale)).wait_for()
    assert_accessible(desktop)

    feed = desktop.context.request.get(feed_url)  # what a calendar app does: no cookies needed
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert event["SUMMARY"] == seeded["summary"]
    assert event["UID"] == f"interaction-{seeded['step']}@127.0.0.1"
    assert event["DTSTART"].params["VALUE"] == "DATE"

    desktop.goto(f"{url}/me")  # shown once: the address itself is not kept
    assert feed_url not in desktop.content()
    desktop.goto(f"{url}/interactions/{seeded['step']}")
    with desktop.expect_download() as download:
        desktop.click("#next-step-ics")
    assert download.value.suggested_filename == f"next-step-{seeded['step']}.ics"
