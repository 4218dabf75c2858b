"""A rep changes their password on their phone from "Your account": they stay logged in, and
afterwards only the new password opens the app."""

import itertools

from tests import factories as f
from tests.e2e.helpers import log_in, translate

_n = itertools.count()
NEW_PASSWORD = "a-much-longer-secret-7"


def _open_menu(phone) -> None:
    """Open the phone's collapsed menu and wait until it has finished opening (a click during
    Bootstrap's transition can miss its target)."""
    phone.click("button.navbar-toggler")
    phone.locator("#nav.collapse.show").wait_for()


def test_rep_changes_their_password_and_stays_logged_in(live_server, phone, locale):
    email = f"change{next(_n)}-{locale}@example.com"
    live_server.seed(lambda: {"user": f.make_user(email=email, name="Li Ming")})
    log_in(phone, live_server.url, email)
    _open_menu(phone)
    phone.click("#your-account")
    phone.wait_for_url(f"{live_server.url}/me")
    assert phone.locator("h1").inner_text() == translate("Your account", locale)
    phone.fill("input[name=current_password]", f.PASSWORD)
    phone.fill("input[name=password]", NEW_PASSWORD)
    phone.fill("input[name=confirm]", NEW_PASSWORD)
    phone.click("form[action='/me/password'] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/me")
    changed = translate("Password changed. You were logged out everywhere else.", locale)
    assert changed in phone.locator(".alert-success").inner_text()
    phone.goto(f"{live_server.url}/accounts")  # still logged in
    assert phone.locator("h1").inner_text() == translate("Accounts", locale)

    _open_menu(phone)
    phone.click("nav form[action='/logout'] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/login")
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password]", f.PASSWORD)
    phone.click("button[type=submit]")
    wrong = translate("Wrong e-mail or password.", locale)
    assert wrong in phone.locator(".invalid-feedback").first.inner_text()
    phone.fill("input[name=password]", NEW_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
