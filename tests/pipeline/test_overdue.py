"""Open deals whose expected close date has passed are overdue: a forecast row of their own (never
a month to come), a drill-down, and a daily nudge to their AR to update the date or close them.
The frozen clock reads 20 November 2026, 17:30 in Shanghai."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from salesflow.pipeline import figures
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import login

TODAY = date(2026, 11, 20)


def _deal(world, close, amount=100_000, ar=None, **extra):
    return f.make_opportunity(
        account=world.account_a,
        stage="validate",  # 10 %
        amount=amount,
        expected_close=close,
        roles={ar or world.rep_a: "AR"},
        **extra,
    )


def test_a_passed_close_date_is_overdue_not_a_month_to_come(world, now):
    _deal(world, TODAY - timedelta(days=40))
    _deal(world, TODAY - timedelta(days=1), amount=50_000)  # yesterday: overdue
    _deal(world, TODAY, amount=20_000)  # today: still this month
    _deal(world, date(2027, 1, 10), amount=30_000)
    db.session.flush()
    assert figures.forecast(world.leader, figures.Filters(), now=now) == [
        ("overdue", {"CNY": Decimal("15000.00")}),
        ("2026-11", {"CNY": Decimal("2000.00")}),
        ("2027-01", {"CNY": Decimal("3000.00")}),
    ]


def test_the_overdue_row_drills_to_its_deals_and_the_month_leaves_them_out(client, world, now):
    late = _deal(world, TODAY - timedelta(days=1), name="Late deal")
    due = _deal(world, TODAY + timedelta(days=3), name="Due deal")
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/pipeline/review").text
    row = page.split('id="forecast-overdue"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue: close date passed" in row and "10,000" in row
    overdue = client.get("/pipeline/review/deals?figure=overdue").text
    assert "Open deals whose expected close date has passed" in overdue
    assert f"/opportunities/{late.id}" in overdue and f"/opportunities/{due.id}" not in overdue
    month = client.get("/pipeline/review/deals?figure=month&key=2026-11").text
    assert f"/opportunities/{due.id}" in month and f"/opportunities/{late.id}" not in month


def test_the_ar_is_nudged_once_for_each_close_date_that_passed(client, world, now):
    for days in (1, 5):
        _deal(world, TODAY - timedelta(days=days), name=f"Deal {days}")
    _deal(world, TODAY, name="Due today")  # not passed yet
    _deal(world, TODAY - timedelta(days=9), ar=world.rep_a2, status="won")  # closed: never
    assert runner.run("close_dates_passed", now=now).detail == "1 notification"
    notice = db.session.scalar(sa.select(Notification))
    assert (notice.user_id, notice.kind) == (world.rep_a.id, "close_date_passed")
    assert render(notice.kind, notice.params).startswith(
        "2 of your deals passed their expected close date, among them Deal 5 (Huadong Power)"
    )
    assert runner.run("close_dates_passed", now=now, force=True).detail == "0 notifications"
    # tomorrow "Due today" has passed: the AR hears of it alone, and of the three overdue in all
    tomorrow = now + timedelta(days=1)
    assert runner.run("close_dates_passed", now=tomorrow).detail == "1 notification"
    newest = db.session.scalar(sa.select(Notification).where(Notification.created_at == tomorrow))
    assert (newest.params["count"], newest.params["overdue"]) == (1, 3)
    assert render(newest.kind, newest.params).startswith("Due today (Huadong Power) was expected")
    # the link lists the rep's own overdue deals, which a rep may open
    login(client, world.rep_a)
    listed = client.get(newest.link)
    assert listed.status_code == 200 and "Deal 5" in listed.text and "Due today" not in listed.text
    others = f"/pipeline/review/deals?figure=overdue&user_id={world.rep_a2.id}"
    assert client.get(others).status_code == 403
