"""A decision reaches the director and the answer reaches the rep (issue 14): a rep on a phone asks
for approve-to-bid and lands back at the decision points (the message there, the button gone);
the director sees it on My day and in the bell, approves from the deal page and lands back at the
decision points; the rep is told. In English and Chinese, with axe-core on each page."""

import itertools

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Decisions {locale} {n}")
    boss = f.make_user(
        role=Role.director, team=team, name=f"Boss D{n}", email=f"boss{n}-{locale}@example.com"
    )
    team.director_id = boss.id
    rep = f.make_user(team=team, name=f"Rep D{n}", email=f"asker{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"太湖水务 {n}", members={rep: "AR"})
    deal = f.make_opportunity(
        account=account, stage="shape", name=f"Water meters {n}", roles={rep: "AR"}
    )
    return {"deal": deal, "rep": rep.email, "boss": boss.email}


def _at_section(page, section: str) -> None:
    """The page is at `section` (the URL's fragment, the section at the top of the viewport) and
    the message of what happened is inside it."""
    assert page.url.endswith(f"#{section}")
    top = page.evaluate(f"document.getElementById('{section}').getBoundingClientRect().top")
    height = page.evaluate("window.innerHeight")
    # The browser scrolls to the fragment on device pixels: the top may land a fraction above 0.
    assert -1 < top < height / 3, top
    assert page.locator(f"#{section} .alert[role=alert]").count() == 1


def _unread(page) -> int:
    badge = page.locator("#unread-count")
    return int(badge.first.inner_text()) if badge.count() else 0


def test_a_decision_asked_on_a_phone_reaches_the_director_and_the_answer_the_rep(
    live_server, phone, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    deal_url = f"{live_server.url}/opportunities/{seeded['deal']}"
    point = "#decisions .decision-point[data-gate=atb]"

    log_in(phone, live_server.url, seeded["rep"])
    phone.goto(deal_url)
    phone.click(f"{point} button[value=requested]")
    phone.wait_for_url(f"{deal_url}#decisions")
    _at_section(phone, "decisions")
    assert phone.locator(f"{point} button[value=requested]").count() == 0
    assert phone.locator(f"{point} .decision-pending").count() == 1
    assert_accessible(phone)

    log_in(desktop, live_server.url, seeded["boss"])
    waiting = desktop.locator("#decisions-waiting .decision-waiting")
    assert waiting.count() == 1 and "Water meters" in waiting.inner_text()
    assert _unread(desktop) >= 1
    assert_accessible(desktop)
    desktop.goto(f"{live_server.url}/notifications")
    assert "Water meters" in desktop.locator("main").inner_text()
    desktop.goto(f"{live_server.url}/")
    waiting.locator("a").click()
    desktop.wait_for_url(f"{deal_url}#decisions")
    desktop.fill(f"{point} input[name=comment]", "Margin is fine; go")
    desktop.click(f"{point} button[value=approve]")
    desktop.wait_for_url(f"{deal_url}#decisions")
    _at_section(desktop, "decisions")
    assert desktop.locator(f"{point} button[value=approve]").count() == 0
    assert desktop.locator(f"{point} .badge.text-bg-success").count() == 1
    assert_accessible(desktop)
    desktop.goto(f"{live_server.url}/")
    assert desktop.locator("#decisions-waiting").count() == 0

    phone.goto(f"{live_server.url}/")
    assert _unread(phone) >= 1
    phone.goto(f"{live_server.url}/notifications")
    told = phone.locator("main").inner_text()
    assert "Boss D" in told and "Water meters" in told and "Margin is fine; go" in told
