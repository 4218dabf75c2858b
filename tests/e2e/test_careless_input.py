"""Careless input in a real browser: a date no one means is refused in words with nothing saved,
and two people saving the same account get a clear conflict instead of a silent overwrite. Both
in English and Chinese, with axe-core checking the pages that carry the messages."""

import itertools

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()
SAVE = "form:has(input[name=industry]) button[type=submit]"


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Careless {locale} {n}")
    rep = f.make_user(team=team, name=f"Rep {n}", email=f"careless{n}-{locale}@example.com")
    other = f.make_user(team=team, name=f"Other {n}", email=f"other{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"南方电网 {n}", members={rep: "AR"})
    contact = f.make_contact(account=account, name="李娜", decision_role="decision_maker")
    return {"rep": rep.email, "other": other.email, "account": account, "contact": contact}


def _interactions(live_server, account_id: int) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Interaction)
            .where(Interaction.account_id == account_id)
        )
        db.session.remove()
    return count


def test_a_date_out_of_range_is_refused_in_words_and_nothing_is_saved(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["rep"])
    phone.goto(f"{live_server.url}/interactions/new?account_id={seeded['account']}")
    phone.fill("input[name=occurred_at]", "0001-01-01T00:00")
    phone.check(f"input[name=contact_ids][value='{seeded['contact']}']")
    phone.fill("textarea[name=summary]", "Typed the year wrong on a bumpy train")
    phone.click("#save-interaction")
    message = translate("Enter a date from 1900 to 2199.", locale)
    feedback = phone.locator("input[name=occurred_at] ~ .invalid-feedback")
    assert message in feedback.inner_text()
    assert phone.input_value("textarea[name=summary]") == "Typed the year wrong on a bumpy train"
    assert _interactions(live_server, seeded["account"]) == 0
    assert_accessible(phone)


def test_two_people_saving_one_account_get_a_conflict_not_an_overwrite(
    live_server, browser, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    edit = f"{live_server.url}/accounts/{seeded['account']}/edit"
    other_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
    other = other_context.new_page()
    try:
        log_in(desktop, live_server.url, seeded["rep"])
        log_in(other, live_server.url, seeded["other"])
        desktop.goto(edit)
        other.goto(edit)  # both read the same version
        other.fill("input[name=industry]", "Utilities")
        other.click(SAVE)
        other.wait_for_url(f"{live_server.url}/accounts/{seeded['account']}")

        desktop.fill("input[name=industry]", "Power grid")
        desktop.click(SAVE)
        alert = desktop.locator(".alert-danger").inner_text()
        assert (
            translate(
                "Someone else saved this account while you were editing it. Under each field "
                "that differs you see what is saved now; check them, then save again to keep "
                "your version.",
                locale,
            )
            in alert
        )
        assert "Utilities" in desktop.locator("input[name=industry] ~ .form-text").inner_text()
        assert desktop.input_value("input[name=industry]") == "Power grid"  # the input stays
        assert_accessible(desktop)

        desktop.click(SAVE)  # saving again is a decision taken knowingly
        desktop.wait_for_url(f"{live_server.url}/accounts/{seeded['account']}")
        assert "Power grid" in desktop.locator("main").inner_text()
    finally:
        other_context.close()
