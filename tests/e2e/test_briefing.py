"""A visit briefing in a real browser (issue 17), in Chinese: an AR picks three customer people
coming to visit, sees the colleague from one guest's hometown suggested as host (湖南省长沙市 on
the customer's side, 湖南长沙 on ours), prints the briefing to PDF with Chromium and gets one A4
page, then logs the visit with its cost from the briefing and sees the account plan's executive
exchange objective and the relationship budget move. axe-core on the briefing and the plan."""

import itertools
import re
from datetime import date

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.key_accounts import plans_services, spend
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import assert_accessible, log_in, translate

LOCALE = "zh-CN"
_n = itertools.count()
SUMMARY = (
    "详细讨论了配网自动化二期的技术路线、实施计划、付款方式以及售后服务承诺，"
    "客户提出多项具体要求，并希望下次带来样机演示。"
)

GUESTS = [  # name, title, decision role, influence, attitude, level, hometown, education
    (
        "周建国",
        "总经理",
        "decision_maker",
        "high",
        "neutral",
        "executive",
        "湖南省长沙市",
        "湖南大学",
    ),
    (
        "吴敏",
        "信息中心主任",
        "influencer",
        "high",
        "supporter",
        "management",
        "江苏南京",
        "东南大学",
    ),
    (
        "郑涛",
        "采购部经理",
        "procurement",
        "medium",
        "unknown",
        "operational",
        "浙江杭州",
        "浙江大学",
    ),
]
PROFILE = {
    "background": "二十年电网调度经验，主导过两次省级系统升级，重视长期合作与本地服务能力。",
    "interests": "围棋、马拉松、地方历史",
    "preferences": "喜欢先看数据再谈方案；不喜欢临时改动议程；用餐不饮酒。",
}


def _world() -> dict:
    n = next(_n)
    team = f.make_team(name=f"Briefing {n}")
    director = f.make_user(role=Role.director, team=team, name=f"梁艳 {n}")
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"林晓 {n}", email=f"brief-ar{n}@example.com")
    rep.locale = "zh"  # the setting is the key; zh_Hans is the catalog
    host = f.make_user(team=team, name=f"彭湘 {n}", email=f"brief-sr{n}@example.com")
    host.hometown = "湖南长沙"  # the same place as 周建国's, without 省/市
    other = f.make_user(team=team, name=f"高远 {n}", email=f"brief-fr{n}@example.com")
    other.hometown = "广东深圳"
    account = f.make_account(
        team=team, name=f"湘江电网 {n}", members={rep: "AR", host: "SR", other: "FR"}
    )
    guests = []
    for name, title, role, influence, attitude, level, hometown, school in GUESTS:
        guest = f.make_contact(
            account=account,
            name=name,
            title=title,
            decision_role=role,
            influence=influence,
            attitude=attitude,
            level=level,
        )
        guest.hometown, guest.education = hometown, school
        for field, value in PROFILE.items():
            setattr(guest, field, value)
        guests.append(guest)
    for days in (70, 100, 130):  # three last contacts each, all last quarter, long summaries
        f.make_interaction(
            account=account,
            owner=rep,
            participants=[rep, other],
            contacts=guests,
            days_ago=days,
            summary=SUMMARY,
        )
    f.make_opportunity(account=account, stage="shape", name="配网自动化二期", roles={rep: "AR"})
    now = clock.now()
    year = clock.today(now).year
    plans_services.save_plan(
        account,
        year,
        {
            "vision": "成为电网升级的首选伙伴",
            "objectives": [
                {
                    "kind": "executive_exchange",
                    "title": "每季度一次高层交流",
                    "due": date(year, 12, 31),
                }
            ],
        },
        actor=rep,
        now=now,
    )
    spend.save_budget(account, year, {"amounts": {"CNY": "10000"}}, actor=director, now=now)
    return {"account": account, "rep": rep.email, "guests": [g.id for g in guests]}


def _pages_in(pdf: bytes) -> int:
    """The page objects of a PDF, counted in its bytes (`/Type /Pages` is the tree, not a page)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_prepare_print_and_log_a_visit_in_chinese(live_server, browser):
    seeded = live_server.seed(_world)
    account_url = f"{live_server.url}/accounts/{seeded['account']}"
    context = browser.new_context(locale=LOCALE, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server.url, seeded["rep"])

        # Before the visit: the objective not started, the budget untouched.
        page.goto(f"{account_url}/plan")
        assert page.locator("#objectives .progress-bar").inner_text() == "25%"  # last quarter
        page.goto(account_url)
        before = page.locator("#spend-summary").inner_text()
        assert "10,000" in before

        # The chooser: three guests, the visit prepared.
        page.goto(f"{account_url}/briefing")
        for contact_id in seeded["guests"]:
            page.check(f"#briefing-chooser #contact-{contact_id}")
        page.click("#prepare-briefing")
        page.wait_for_selector("#log-this-visit")
        assert page.locator(".briefing-attendee").count() == 3
        boss = seeded["guests"][0]
        host = page.locator(f"#host-{boss}").inner_text()
        assert translate("Suggested host", "zh") in host and "彭湘" in host
        assert "湖南省长沙市" in page.locator(f"#attendee-{boss}").inner_text()
        assert page.locator(f"#host-{seeded['guests'][2]}").count() == 0  # nobody from 杭州
        assert_accessible(page)

        # Printed by Chromium: one A4 page.
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        page.emulate_media(media="screen")
        pages = _pages_in(pdf)
        if pages != 1:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "briefing-zh.pdf").write_bytes(pdf)
        assert pages == 1, f"{pages} pages: see test-artifacts/briefing-zh.pdf"

        # Logged from the briefing: the quick log opens with the three guests ticked.
        page.click("#log-this-visit")
        page.wait_for_selector("#save-interaction")
        for contact_id in seeded["guests"]:
            assert page.locator(f"#their-people #contact-{contact_id}").is_checked()
        page.fill("#summary", "拜访周总，介绍配网自动化二期方案")
        page.fill("#cost", "600")
        page.select_option("#spend_kind", "visit")
        page.click("#save-interaction")
        page.wait_for_url("**#interaction-*")

        # The budget moved by the visit's cost, the executive exchange counts for this quarter.
        page.goto(account_url)
        after = page.locator("#spend-summary").inner_text()
        assert after != before and "600" in after and "9,400" in after
        page.goto(f"{account_url}/plan")
        assert page.locator("#objectives .progress-bar").inner_text() == "50%"  # and this one
        assert "每季度一次高层交流" in page.locator("#objectives").inner_text()
        assert_accessible(page)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "briefing-zh.png"), full_page=True)
        raise
    finally:
        context.close()


def test_pages_counted_in_the_pdf_bytes():
    two = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> << /Type/Page >>"
    assert _pages_in(two) == 2
