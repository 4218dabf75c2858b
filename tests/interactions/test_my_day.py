"""My day on a phone: today first, overdue newest first and collapsed beyond a few; the navbar's
bell and language switch outside the menu; the quick log's way back and its error summary."""

from datetime import date, timedelta

from salesflow.extensions import db
from salesflow.interactions.my_day import OVERDUE_SHOWN
from salesflow.notifications.models import Notification
from tests.conftest import login
from tests.factories import make_interaction

TODAY = date(2026, 11, 20)


def _steps(world, days: list[int], owner=None):
    return [
        make_interaction(
            account=world.account_a,
            owner=owner or world.rep_a,
            next_step=f"Step {d:+d}",
            next_step_due=TODAY + timedelta(days=d),
        )
        for d in days
    ]


def _section(page: str, name: str) -> str:
    return page.split(f'id="steps-{name}"', 1)[1].split("</section>", 1)[0]


def test_overdue_newest_first_a_few_shown_the_rest_behind_show_all(client, now, world):
    _steps(world, [-1, -2, -3, -4, -5, -6, -7, 0])
    page = login(client, world.rep_a).get("/").text
    assert page.index('id="steps-today"') < page.index('id="steps-overdue"')
    overdue = _section(page, "overdue")
    shown, more = overdue.split('<details class="mt-2" id="overdue-more">', 1)
    order = [f"Step -{d}<" for d in range(1, 8)]
    assert all(step in shown for step in order[:OVERDUE_SHOWN])
    assert all(step in more for step in order[OVERDUE_SHOWN:])
    assert [overdue.index(step) for step in order] == sorted(overdue.index(s) for s in order)
    assert "Show all 7 overdue" in more and 'badge text-bg-danger">7<' in shown


def test_no_show_all_when_few_are_overdue_and_nothing_due_today_says_so(client, now, world):
    _steps(world, [-1, 2])
    page = login(client, world.rep_a).get("/").text
    assert "overdue-more" not in page and "Nothing due today." in _section(page, "today")
    assert "Step +2" in _section(page, "upcoming") and "Step -1" in _section(page, "overdue")


def test_the_bell_and_the_language_sit_outside_the_collapsed_menu(client, now, world):
    db.session.add_all(
        Notification(
            user_id=world.rep_a.id, kind="next_steps_overdue", params={"count": 1}, created_at=now
        )
        for _ in range(3)
    )
    page = login(client, world.rep_a).get("/").text
    tools, menu = page.split('id="navbar-tools"', 1)[1].split('id="nav"', 1)
    assert 'id="notification-bell"' in tools and 'aria-label="3 unread notifications"' in tools
    assert '<span class="badge text-bg-danger" id="unread-count">3</span>' in tools
    assert 'id="language-switch"' in tools and 'name="locale" value="zh"' in tools
    assert "notification-bell" not in menu


def test_the_language_switch_offers_english_to_a_chinese_reader(client, now, world):
    login(client, world.rep_a)
    client.post("/language", data={"locale": "zh", "next": "/"})
    tools = client.get("/").text.split('id="navbar-tools"', 1)[1].split('id="nav"', 1)[0]
    assert 'name="locale" value="en"' in tools and ">English<" in tools


def test_the_quick_log_comes_back_where_it_started(client, now, world):
    login(client, world.rep_a)
    contact_page = client.get(f"/contacts/{world.contact_a.id}").text
    assert f'next=/contacts/{world.contact_a.id}"' in contact_page  # the navbar's + Log
    picker = client.get("/interactions/new?next=/").text  # My day's "Log a contact"
    assert 'name="next" value="/"' in picker
    assert f'/interactions/new?account_id={world.account_a.id}&amp;next=/"' in picker
    form = client.get(f"/interactions/new?account_id={world.account_a.id}&next=/").text
    assert 'name="next" type="hidden" value="/"' in form


def test_a_missing_summary_is_listed_at_the_top_linked_to_the_field(client, now, world):
    login(client, world.rep_a)
    response = client.post(
        "/interactions/new",
        data={
            "account_id": str(world.account_a.id),
            "kind": "visit",
            "occurred_at": "2026-11-20T16:00",
            "participant_ids": [str(world.rep_a.id)],
            "summary": "",
        },
    )
    assert response.status_code == 422
    page = response.text
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#summary"' in summary and "Say what happened." in summary
    assert page.index('id="error-summary"') < page.index('name="kind"')  # above the form
    field = (
        page.split('name="summary"', 1)[0].rsplit("<textarea", 1)[1]
        + page.split('name="summary"', 1)[1].split(">", 1)[0]
    )
    assert "required" in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="summary-error"' in field


def test_the_summary_is_marked_required_and_the_time_takes_a_phone_row(client, now, world):
    page = login(client, world.rep_a).get(f"/interactions/new?account_id={world.account_a.id}")
    html = page.text
    label = html.split('for="summary"', 1)[1].split("</label>", 1)[0]
    assert 'class="required-mark"' in label
    assert html.split('name="summary"', 1)[1].split(">", 1)[0].count("required")
    for name in ("kind", "occurred_at"):
        wrapper = html.split(f'name="{name}"', 1)[0].rsplit('<div class="mb-3 ', 1)[1]
        assert wrapper.startswith("col-12 col-sm-6"), name
