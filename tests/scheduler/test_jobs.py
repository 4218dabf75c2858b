"""The jobs' effects with a frozen clock: who is told, of what, with which link, and nothing
twice."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import login, sql_statements


def _told() -> list[tuple[int, str, str | None]]:
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.user_id))
    return [(n.user_id, n.kind, n.link) for n in rows]


def test_a_stage_breach_tells_the_ar_and_the_teams_director_once(app, world, now):
    late = f.make_opportunity(
        account=world.account_a,
        stage="shape",
        days_in_stage=46,
        name="Grid upgrade",
        roles={world.rep_a: "AR"},
    )
    # exactly at its limit (21 days): no breach yet; closed: never
    at_limit = f.make_opportunity(
        account=world.account_b, stage="validate", days_in_stage=21, roles={world.rep_b: "AR"}
    )
    f.make_opportunity(
        account=world.account_b,
        stage="shape",
        days_in_stage=60,
        status="won",
        roles={world.rep_b: "AR"},
    )
    assert runner.run("stage_sla_breaches", now=now).detail == "2 notifications"
    mine = f"/pipeline/review/deals?figure=late&user_id={world.rep_a.id}"
    team = f"/pipeline/review/deals?figure=late&team_id={world.team_a.id}"
    assert _told() == sorted(
        [
            (world.rep_a.id, "stage_sla_breaches", mine),
            (world.director_a.id, "stage_sla_breaches", team),
        ]
    )
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == world.rep_a.id)
    )
    assert render(notice.kind, notice.params) == (
        f"Grid upgrade ({late.account.name}) passed its stage's time limit: 46 days in Shape the "
        "requirements before the bid, limit 45."
    )
    # the next day the deal at its limit is over it; the late one is not told again
    tomorrow = now + timedelta(days=1)
    assert runner.run("stage_sla_breaches", now=tomorrow).detail == "2 notifications"
    newest = db.session.scalars(
        sa.select(Notification.params).where(Notification.created_at == tomorrow)
    ).all()
    assert {(p["deal"], p["count"]) for p in newest} == {(at_limit.name, 1)}
    assert {user for user, _kind, _link in _told()} == {
        world.rep_a.id,
        world.director_a.id,
        world.rep_b.id,
        world.director_b.id,
    }
    assert runner.run("stage_sla_breaches", now=tomorrow, force=True).detail == "0 notifications"
    assert len(_told()) == 4


def test_many_breaches_arrive_as_one_notification_per_person_and_day(world, now):
    for days in (50, 60, 70):
        f.make_opportunity(
            account=world.account_a,
            stage="shape",
            days_in_stage=days,
            name=f"Deal {days}",
            roles={world.rep_a: "AR"},
        )
    f.make_opportunity(
        account=world.account_a, stage="shape", days_in_stage=55, roles={world.rep_a2: "AR"}
    )
    assert runner.run("stage_sla_breaches", now=now).detail == "3 notifications"
    by_user = {n.user_id: n for n in db.session.scalars(sa.select(Notification))}
    assert set(by_user) == {world.rep_a.id, world.rep_a2.id, world.director_a.id}
    rep, director = by_user[world.rep_a.id], by_user[world.director_a.id]
    assert (rep.params["count"], director.params["count"]) == (3, 4)
    assert render(rep.kind, rep.params).startswith(
        "3 deals passed their stage's time limit, among them Deal 70 ("
    )
    # another run the same day tells nobody again, and the day after tells only what is new
    assert runner.run("stage_sla_breaches", now=now, force=True).detail == "0 notifications"
    f.make_opportunity(
        account=world.account_a,
        stage="shape",
        days_in_stage=45,
        name="Deal 45",
        roles={world.rep_a: "AR"},
    )  # over its limit of 45 days by tomorrow
    tomorrow = now + timedelta(days=1)
    assert runner.run("stage_sla_breaches", now=tomorrow).detail == "2 notifications"
    newest = db.session.scalars(
        sa.select(Notification).where(Notification.created_at == tomorrow)
    ).all()
    assert {(n.user_id, n.params["count"], n.params["deal"]) for n in newest} == {
        (world.rep_a.id, 1, "Deal 45"),
        (world.director_a.id, 1, "Deal 45"),
    }


def test_a_rep_opens_the_list_of_their_deals_over_the_limit_from_the_notification(
    client, world, now
):
    mine = f.make_opportunity(
        account=world.account_a, stage="shape", days_in_stage=50, roles={world.rep_a: "AR"}
    )
    other = f.make_opportunity(
        account=world.account_a, stage="shape", days_in_stage=50, roles={world.rep_a2: "AR"}
    )
    runner.run("stage_sla_breaches", now=now)
    link = db.session.scalar(
        sa.select(Notification.link).where(Notification.user_id == world.rep_a.id)
    )
    login(client, world.rep_a)
    page = client.get(link)
    assert page.status_code == 200
    assert (
        f"/opportunities/{mine.id}" in page.text and f"/opportunities/{other.id}" not in page.text
    )
    assert 'id="back-to-review"' not in page.text  # the review itself is not theirs
    # the review's other lists, and other people's deals over the limit, stay the reviewers'
    assert client.get("/pipeline/review/deals?figure=late").status_code == 403
    others = f"/pipeline/review/deals?figure=late&user_id={world.rep_a2.id}"
    assert client.get(others).status_code == 403
    assert (
        client.get(f"/pipeline/review/deals?figure=won&user_id={world.rep_a.id}").status_code == 403
    )


def test_a_deactivated_ar_is_not_told_and_a_deal_without_ar_tells_the_director(world, now):
    world.rep_a.active = False
    f.make_opportunity(
        account=world.account_a, stage="shape", days_in_stage=50, roles={world.rep_a: "AR"}
    )
    f.make_opportunity(account=world.account_b, stage="shape", days_in_stage=50)
    runner.run("stage_sla_breaches", now=now)
    assert {user for user, _kind, _link in _told()} == {world.director_a.id, world.director_b.id}


def test_the_breach_job_reads_a_fixed_number_of_queries(world, now):
    def statements_for(deals: int) -> int:
        for _ in range(deals):
            f.make_opportunity(
                account=world.account_a, stage="shape", days_in_stage=50, roles={world.rep_a: "AR"}
            )
        db.session.execute(sa.delete(Notification))  # each run tells everyone afresh
        db.session.flush()
        with sql_statements() as statements:
            runner.run("stage_sla_breaches", now=now, force=True)
        return len(statements)

    assert statements_for(2) == statements_for(20)


def test_owners_of_overdue_next_steps_get_one_reminder_a_day(world, now):
    today = now.date()  # 2026-11-20 in Shanghai too (17:30)
    for days in (1, 9):
        f.make_interaction(
            account=world.account_a,
            owner=world.rep_a,
            next_step="Send the quote",
            next_step_due=today - timedelta(days=days),
        )
    f.make_interaction(
        account=world.account_a, owner=world.rep_a2, next_step="Call back", next_step_due=today
    )  # (due today: not overdue)
    f.make_interaction(
        account=world.account_b,
        owner=world.rep_b,
        next_step="Visit",
        next_step_due=today - timedelta(days=3),
        deleted=True,
    )
    done = f.make_interaction(
        account=world.account_b,
        owner=world.rep_b,
        next_step="Demo",
        next_step_due=today - timedelta(days=3),
    )
    done.next_step_done_at = now
    db.session.flush()
    assert runner.run("overdue_next_steps", now=now).detail == "1 notification"
    assert _told() == [(world.rep_a.id, "next_steps_overdue", "/")]
    notice = db.session.scalar(sa.select(Notification))
    assert render(notice.kind, notice.params) == (
        "2 of your next steps are overdue; the oldest was due Nov 11, 2026."
    )
    assert runner.run("overdue_next_steps", now=now, force=True).detail == "0 notifications"
    tomorrow = runner.run("overdue_next_steps", now=now + timedelta(days=1))
    assert tomorrow.detail == "2 notifications"  # Zhao Lei's step is overdue by then


def test_idle_key_contacts_of_a_tier_accounts_are_flagged_to_the_ar_once(app, world, now):
    idle_days = app.config["KEY_CONTACT_IDLE_DAYS"]  # 60
    key = f.make_account(
        team=world.team_a,
        name="Key Steel",
        tier="A",
        members={world.rep_a: "AR", world.rep_a2: "SR"},
    )
    boss = f.make_contact(account=key, name="Boss", decision_role="decision_maker")
    chief = f.make_contact(account=key, name="Chief", decision_role="user", influence="high")
    met = f.make_contact(account=key, name="Met", decision_role="decision_maker")
    f.make_contact(account=key, name="Clerk", decision_role="user", influence="low")  # not key
    f.make_contact(account=key, name="Gone", decision_role="decision_maker", left_on=now.date())
    f.make_interaction(account=key, owner=world.rep_a, contacts=[boss], days_ago=idle_days + 1)
    f.make_interaction(account=key, owner=world.rep_a, contacts=[met], days_ago=idle_days)
    b_tier = f.make_account(team=world.team_a, name="Ordinary", members={world.rep_a: "AR"})
    f.make_contact(account=b_tier, name="Other boss", decision_role="decision_maker")
    assert runner.run("idle_key_contacts", now=now).detail == "2 notifications"
    assert sorted(link for _user, _kind, link in _told()) == sorted(
        [f"/contacts/{boss.id}", f"/contacts/{chief.id}"]
    )
    assert {user for user, _kind, _link in _told()} == {world.rep_a.id}  # the AR only
    texts = {render(n.kind, n.params) for n in db.session.scalars(sa.select(Notification))}
    assert texts == {
        "Nobody of ours has met Boss (Key Steel), a key contact, for 61 days.",
        "Chief (Key Steel), a key contact, has never been met by any of us.",
    }
    later = now + timedelta(days=3)
    assert runner.run("idle_key_contacts", now=later).detail == "1 notification"  # Met, now 63
    assert len(_told()) == 3  # Boss and Chief are not told again while still idle


def test_overdue_handovers_remind_the_successor_and_the_planner_weekly(world, now):
    from tests.handovers.conftest import plan

    due = now.date() - timedelta(days=1)
    handover = plan(world, now=now - timedelta(days=30), due_date=due)
    plan(world, now=now - timedelta(days=30), due_date=now.date())  # due today: not overdue yet
    assert runner.run("overdue_handovers", now=now).detail == "2 notifications"
    link = f"/handovers/{handover.id}"
    overdue = sorted(t for t in _told() if t[1] == "handover_overdue")
    assert overdue == sorted(
        [
            (world.rep_a2.id, "handover_overdue", link),
            (world.director_a.id, "handover_overdue", link),
        ]
    )
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.kind == "handover_overdue")
    )
    assert render(notice.kind, notice.params) == (
        "The handover from Li Ming to Zhao Lei was due Nov 19, 2026: 3 of 3 items are not "
        "proven yet."
    )
    # Saturday: the second one is overdue too; the first is not told again this week
    assert runner.run("overdue_handovers", now=now + timedelta(days=1)).detail == "2 notifications"
    assert runner.run("overdue_handovers", now=now + timedelta(days=2)).detail == "0 notifications"
    monday = runner.run("overdue_handovers", now=now + timedelta(days=3))
    assert monday.detail == "4 notifications"  # a new week: both again


def test_each_director_gets_the_weekly_digest_of_their_team_once_a_week(world, now):
    f.make_opportunity(account=world.account_a, stage="shape", days_in_stage=50)  # a breach
    f.make_opportunity(account=world.account_a, stage="shape", days_in_stage=5)
    f.make_opportunity(account=world.account_b, status="lost")
    f.make_interaction(
        account=world.shared,
        owner=world.rep_a,
        next_step="Send the offer",
        next_step_due=now.date() - timedelta(days=2),
    )
    runner.run("dependency_snapshot", now=now)  # every World account is at high risk
    assert runner.run("weekly_digest", now=now).detail == "2 notifications"
    by_user = {
        n.user_id: n
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.kind == "weekly_digest")
        )
    }
    assert set(by_user) == {world.director_a.id, world.director_b.id}
    north = by_user[world.director_a.id]
    assert north.link == f"/pipeline/review?team_id={world.team_a.id}"  # the review, not the board
    assert render(north.kind, north.params) == (
        "Your week in North: 2 open deals, 1 past their stage's limit, 1 overdue next steps, "
        "2 accounts at high dependency risk."
    )
    south = render(by_user[world.director_b.id].kind, by_user[world.director_b.id].params)
    assert south.startswith("Your week in South: 0 open deals")
    # the weekly run is keyed by ISO week: the same week skips, a manual run tells nobody twice
    assert runner.run("weekly_digest", now=now + timedelta(days=2)) is None
    assert runner.run("weekly_digest", now=now, force=True).detail == "0 notifications"
