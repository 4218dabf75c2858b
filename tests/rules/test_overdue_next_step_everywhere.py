"""An overdue next step is open (not done, its interaction not deleted) and due before the
company's today (Interaction.step_overdue): one due yesterday is marked on the deal page and the
account page, listed as overdue on My day, counted by the daily reminder and the weekly digest;
one due today is none of these."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def steps(world, now):
    today = clock.today(now)
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})

    def step(text: str, due, **extra) -> Interaction:
        return f.make_interaction(
            account=world.account_a,
            owner=world.rep_a,
            opportunity=deal,
            contacts=[world.contact_a],
            days_ago=1,
            next_step=text,
            next_step_due=due,
            **extra,
        )

    late = step("Send the revised quote", today - timedelta(days=1))
    step("Call the buyer back", today)
    step("Deleted, never counted", today - timedelta(days=3), deleted=True)
    db.session.commit()
    return deal, late


def _marked(page: str, text: str) -> bool:
    before = page.split(f"</span> {text}", 1)[0]
    paragraph = before.rsplit("<p ", 1)[1]
    return "overdue" in paragraph


def test_the_rule_in_python_and_in_sql(world, steps, now):
    _deal, late = steps
    today = clock.today(now)
    overdue = db.session.scalars(
        sa.select(Interaction.id).where(Interaction.step_overdue(today))
    ).all()
    assert overdue == [late.id] and late.step_overdue(today)


def test_the_deal_and_account_pages_mark_it(client, world, steps):
    deal, _late = steps
    login(client, world.rep_a)
    for path in (f"/opportunities/{deal.id}", f"/accounts/{world.account_a.id}"):
        page = client.get(path).text
        assert _marked(page, "Send the revised quote"), path
        assert not _marked(page, "Call the buyer back"), path


def test_my_day_lists_it_as_overdue(client, world, steps):
    page = login(client, world.rep_a).get("/").text
    steps = page.split('id="steps-today"', 1)[1].split('id="recent-contacts"', 1)[0]
    today, overdue = steps.split('id="steps-overdue"', 1)
    assert "Send the revised quote" in overdue and "Call the buyer back" not in overdue
    assert "Call the buyer back" in today
    assert "Deleted, never counted" not in page


def test_the_reminder_and_the_digest_count_it(world, steps, now):
    assert runner.run("overdue_next_steps", now=now).detail == "1 notification"
    reminder = db.session.scalar(
        sa.select(Notification).where(Notification.kind == "next_steps_overdue")
    )
    assert reminder.user_id == world.rep_a.id and reminder.params["count"] == 1
    runner.run("weekly_digest", now=now)
    digest = db.session.scalar(
        sa.select(Notification).where(
            Notification.kind == "weekly_digest", Notification.user_id == world.director_a.id
        )
    )
    assert digest.params["steps"] == 1
