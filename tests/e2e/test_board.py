"""The board on a laptop (1440×900), in English and Chinese, with axe-core: a rep sees their own
deals first; unticking Mine applies at once (no button); the six enterprise columns fit without
a sideways scroll; a card marks the decision asked on it. Then the rep closes a deal as lost for
a reason of the playbook's list: "other" without words is refused, a listed reason with a note
is shown back in the reader's language."""

import itertools
import re
from collections.abc import Iterator

import pytest

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.opportunities import services
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()
COMPETITOR = {"en-US": "Lost to a competitor", "zh-CN": "输给竞争对手"}


@pytest.fixture
def laptop(browser, locale) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Board {locale} {n}")
    boss = f.make_user(role=Role.director, team=team, name=f"Boss B{n}")
    team.director_id = boss.id
    rep = f.make_user(team=team, name=f"Rep B{n}", email=f"board{n}-{locale}@example.com")
    other = f.make_user(team=team, name=f"Other B{n}")
    account = f.make_account(team=team, name=f"江南电网 {n}", members={rep: "AR"})
    mine = f.make_opportunity(account=account, stage="shape", name=f"Meters {n}", roles={rep: "AR"})
    theirs = f.make_opportunity(
        account=account, stage="validate", name=f"Cables {n}", roles={other: "AR"}
    )
    services.decide(
        mine, {"stage": "shape", "gate": "atb", "decision": "requested"}, actor=rep, now=clock.now()
    )
    return {"mine": mine, "theirs": theirs, "email": rep.email}


def _open_other_moves(page) -> None:
    """The "Move back or close as lost" part of the deal page, unfolded (whatever it was)."""
    page.wait_for_load_state("load")  # any script of the page has run
    if not page.evaluate("document.querySelector('#other-moves details').open"):
        page.locator("#other-moves summary").click()
    page.locator("#loss-reason").wait_for(state="visible")


def test_a_rep_filters_the_board_and_closes_a_deal_as_lost_for_a_reason(
    live_server, laptop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    page = laptop
    log_in(page, url, seeded["email"])
    page.goto(f"{url}/pipeline?playbook=enterprise")
    mine, theirs = f"article[data-id='{seeded['mine']}']", f"article[data-id='{seeded['theirs']}']"
    assert page.locator(mine).count() == 1 and page.locator(theirs).count() == 0
    assert page.locator("#mine").is_checked()
    assert page.locator(f"{mine} .pending-decision").count() == 1
    assert not page.locator("#board-filters button[type=submit]").is_visible()  # applies itself
    assert page.locator(".board-column").count() == 6
    assert page.evaluate(
        "(() => { const b = document.querySelector('.board');"
        " return b.scrollWidth <= b.clientWidth; })()"
    ), "the six columns fit 1440 px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#new-deal").is_visible()
    assert_accessible(page)
    # unticking Mine applies at once: the team's deals
    page.locator("#mine").uncheck()
    page.wait_for_url(re.compile(r".*/pipeline\?.*filtered=1.*"))
    assert page.locator(theirs).count() == 1 and not page.locator("#mine").is_checked()
    # closing as lost: "other" needs words, a listed reason takes a note
    page.goto(f"{url}/opportunities/{seeded['mine']}")
    _open_other_moves(page)
    page.select_option("#loss-reason", "other")
    page.locator("#lost-form button[type=submit]").click()
    refused = translate("Say in words what the other reason is.", locale)
    page.wait_for_selector(f"text={refused}")
    _open_other_moves(page)
    page.select_option("#loss-reason", "competitor")
    page.fill("#loss-note", "Acme")
    page.locator("#lost-form button[type=submit]").click()
    page.wait_for_selector("#loss-reason-shown")
    assert COMPETITOR[locale] in page.locator("#loss-reason-shown").inner_text()
    assert "Acme" in page.locator("#closed-banner").inner_text()
    assert_accessible(page)
