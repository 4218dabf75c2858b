import itertools

from tests import factories as f
from tests.e2e.helpers import log_in, translate

_n = itertools.count()


def test_login_page_speaks_the_browsers_language_and_logs_in(live_server, phone, locale):
    email = f"login{next(_n)}-{locale}@example.com"
    live_server.seed(lambda: {"user": f.make_user(email=email, name="Li Ming")})
    phone.goto(f"{live_server.url}/login")
    heading = phone.locator("h1").inner_text()
    assert heading == translate("Log in to salesflow", locale)
    log_in(phone, live_server.url, email)
    phone.goto(f"{live_server.url}/accounts")
    assert "Li Ming" in phone.locator("nav.navbar").text_content()
    assert phone.locator("h1").inner_text() == translate("Accounts", locale)
