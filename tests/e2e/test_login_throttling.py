"""Someone guessing a rep's password cannot lock the rep out: the rep's own phone, which logged in
before, still gets in, while a browser that never logged in as the rep is told to wait — in the
reader's language, with axe-core checking the page that says so."""

import itertools

from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()


def _attempt(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_guessers_failures_do_not_lock_out_the_reps_own_phone(
    live_server, browser, phone, locale
):
    email = f"guessed{next(_n)}-{locale}@example.com"
    live_server.seed(lambda: {"user": f.make_user(email=email, name="Wang Fang")})
    log_in(phone, live_server.url, email)  # the rep's phone: it now holds a device cookie
    phone.context.clear_cookies(name="session")  # the session ends; the device cookie stays

    guesser_context = browser.new_context(locale=locale)
    guesser = guesser_context.new_page()
    try:
        for n in range(5):
            _attempt(guesser, live_server.url, email, f"guess-number-{n}")
        _attempt(guesser, live_server.url, email, f.PASSWORD)  # even the right one now waits
        waiting = guesser.locator(".invalid-feedback").first.inner_text()
        wait = translate("Too many failed logins. Try again in %(num)d minute.", locale)
        assert wait % {"num": 1} in waiting
        assert_accessible(guesser)

        log_in(phone, live_server.url, email)  # the rep's phone is not held to the guesser's count
        assert phone.locator("#log-contact").is_visible()
    finally:
        guesser_context.close()
