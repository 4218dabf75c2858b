"""axe-core on the main pages of each persona — rep, director, leadership, admin — on a phone and
a laptop, in English and Chinese: no serious or critical violation. The admin's navbar fits one
line at 1440 px; every page names its icon; the playbook and help pages read in the browser."""

import itertools
from collections.abc import Iterator

import pytest

from salesflow import clock
from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.conftest import _page
from tests.e2e.helpers import assert_accessible
from tests.factories import PASSWORD

_n = itertools.count()

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture(params=["phone", "laptop"])
def screen(request, browser, locale) -> Iterator[object]:
    options = PHONE if request.param == "phone" else LAPTOP
    yield from _page(request, browser, f"-{request.param}", locale=locale, **options)


def _world() -> dict:
    """A team with its director, a rep holding an account with a decision chain of every
    attitude, ties, a deal with unmet gates, a deleted contact; leadership and an admin."""
    n = next(_n)
    team = f.make_team(name=f"Axe {n}")
    director = f.make_user(role=Role.director, team=team, name=f"Director Axe {n}")
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep Axe {n}")
    rep2 = f.make_user(team=team, name=f"Rep Two {n}")
    leader = f.make_user(role=Role.leadership, name=f"Leader Axe {n}")
    admin = f.make_user(role=Role.admin, name=f"Admin Axe {n}")
    account = f.make_account(team=team, name=f"华东电力 Axe {n}", members={rep: "AR", rep2: "SR"})
    boss = f.make_contact(
        account=account,
        name="Zhang Boss",
        decision_role="decision_maker",
        influence="high",
        attitude="champion",
        level="executive",
    )
    contacts = [boss] + [
        f.make_contact(
            account=account,
            name=f"Contact {attitude}",
            attitude=attitude,
            decision_role=role,
            influence="high",
            reports_to=boss,
        )
        for attitude, role in [
            ("supporter", "technical_evaluator"),
            ("neutral", "user"),
            ("skeptic", "coach"),
            ("opponent", "gatekeeper"),
            ("unknown", "procurement"),
        ]
    ]
    f.make_interaction(account=account, owner=rep, contacts=contacts[:3], days_ago=2)
    f.make_interaction(
        account=account,
        owner=rep2,
        participants=[rep2],
        contacts=[boss],
        days_ago=100,
        next_step="Send the offer",
        next_step_due=clock.today(clock.now()),
    )
    f.make_contact(account=account, name="Deleted Person", deleted=True)
    deal = f.make_opportunity(
        account=account, stage="shape", days_in_stage=40, roles={rep: "AR", rep2: "SR"}
    )
    return {
        "rep": rep.email,
        "director": director.email,
        "leadership": leader.email,
        "admin": admin.email,
        "account": account,
        "contact": boss,
        "deal": deal,
        "rep_id": rep,
    }


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


PAGES = {
    "rep": [
        "/",
        "/accounts",
        "/accounts/{account}",
        "/contacts/{contact}",
        "/opportunities/{deal}",
        "/pipeline",
        "/playbooks",
        "/playbooks/enterprise",
        "/help/figures",
        "/help/playbooks",
        "/help/api",
    ],
    "director": ["/pipeline/review", "/opportunities", "/deleted/contacts", "/handovers"],
    "leadership": [
        "/dependency",
        "/dependency/accounts/{account}",
        "/dependency/departure?user_ids={rep_id}",
    ],
    "admin": ["/admin/users", "/admin/users/{rep_id}/edit", "/admin/teams", "/notifications"],
}


@pytest.mark.parametrize("persona", list(PAGES))
def test_the_main_pages_have_no_serious_accessibility_failure(live_server, screen, persona):
    seeded = live_server.seed(_world)
    log_in(screen, live_server.url, seeded[persona])
    for path in PAGES[persona]:
        response = screen.goto(live_server.url + path.format(**seeded))
        assert response.status == 200, path
        if screen.locator(".chart[data-figure]").count():
            screen.wait_for_selector(".chart .main-svg")  # drawn before axe reads it
        assert_accessible(screen)


@pytest.mark.parametrize("width", [1366, 1440])  # the common laptops
def test_the_admins_navbar_fits_one_line_on_a_laptop(live_server, browser, request, width):
    seeded = live_server.seed(_world)
    for locale in ("en-US", "zh-CN"):
        viewport = {"viewport": {"width": width, "height": 900}}
        page = next(_page(request, browser, "-navbar", locale=locale, **viewport))
        log_in(page, live_server.url, seeded["admin"])
        boxes = _boxes(page, ".navbar-brand, #nav .nav-link, #nav form, #nav > a, #navbar-tools")
        tops = {round(box["y"] + box["height"] / 2) for box in boxes}
        assert max(tops) - min(tops) <= 4, f"the navbar wraps in {locale}: {sorted(tops)}"
        right = max(box["x"] + box["width"] for box in boxes)
        assert right <= width, f"the navbar overflows in {locale}: {right}"
        assert page.locator("nav.navbar").bounding_box()["height"] < 70
        page.context.close()


def _boxes(page, selector: str) -> list[dict]:
    return [b for b in (el.bounding_box() for el in page.locator(selector).all()) if b]


def test_the_icon_plays_and_the_playbook_page_reads(live_server, screen, locale):
    seeded = live_server.seed(_world)
    log_in(screen, live_server.url, seeded["rep"])
    icon = screen.locator("link[rel=icon]").get_attribute("href")
    assert (
        screen.request.get(live_server.url + icon).headers["content-type"].startswith("image/svg")
    )
    assert screen.request.get(live_server.url + "/favicon.ico").ok
    if not screen.locator("#nav-help").is_visible():
        screen.locator(".navbar-toggler").click()  # the phone's menu
    screen.locator("#nav-help").click()  # Help → Playbooks
    screen.locator("#nav-playbooks").click()
    screen.wait_for_url(f"{live_server.url}/playbooks")
    name = "大客户项目" if locale.startswith("zh") else "Enterprise deal"
    screen.get_by_role("link", name=name).click()
    screen.wait_for_url(f"{live_server.url}/playbooks/enterprise")
    decision = "投标决策" if locale.startswith("zh") else "Approve to bid"
    assert screen.locator("#stages").get_by_text(decision).count() >= 1
