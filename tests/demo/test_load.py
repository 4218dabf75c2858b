"""`flask demo load` on a fresh database: consistent bilingual data, demo logins that work,
`--if-empty` a no-op the second time. Real commits (bulk inserts), so a database of its own."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account, AccountMember
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.opportunities.facts import gate_results
from salesflow.opportunities.models import Opportunity, OpportunityRole, StageChange
from salesflow.pipeline.models import PipelineMoveBuild, PipelineMoveDay, PipelineSnapshot
from salesflow.playbooks import registry
from salesflow.teams.models import Team
from salesflow.teams.services import create_team
from tests.conftest import FROZEN_NOW
from tests.demo.conftest import ACCOUNTS


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def _totals() -> dict[str, int]:
    return {
        model.__tablename__: _count(sa.select(model.id))
        for model in (Team, User, Account, Contact, Opportunity, Interaction)
    }


def test_load_makes_the_requested_accounts_with_contacts_and_history(loaded):
    totals = _totals()
    assert totals["accounts"] == ACCOUNTS and totals["teams"] == 3
    assert totals["contacts"] >= 4 * ACCOUNTS and totals["interactions"] >= 40 * ACCOUNTS
    assert f"{ACCOUNTS} accounts" in loaded
    # About ten deals per account, plus the showcase deals of each team's first two accounts.
    assert 3 * ACCOUNTS <= totals["opportunities"] <= 25 * ACCOUNTS
    assert f"{totals['opportunities']:,} opportunities" in loaded


def test_every_contact_reports_to_someone_in_the_same_account(loaded):
    boss = sa.orm.aliased(Contact)
    crossing = (
        sa.select(Contact.id)
        .join(boss, boss.id == Contact.reports_to_id)
        .where(boss.account_id != Contact.account_id)
    )
    assert _count(crossing) == 0
    assert _count(sa.select(Contact.id).where(Contact.reports_to_id.is_not(None))) > 0
    tops = db.session.execute(
        sa.select(Contact.account_id, sa.func.count())
        .where(Contact.reports_to_id.is_(None))
        .group_by(Contact.account_id)
    ).all()
    # One person at the top of each chart (a chairman on key accounts, else the GM/CEO).
    assert len(tops) == ACCOUNTS and all(count == 1 for _, count in tops)


def test_every_account_has_an_ar_and_a_decision_maker(loaded):
    with_ar = sa.select(AccountMember.account_id).where(AccountMember.role == "AR")
    assert _count(sa.select(Account.id).where(Account.id.not_in(with_ar))) == 0
    with_dm = sa.select(Contact.account_id).where(Contact.decision_role == "decision_maker")
    assert _count(sa.select(Account.id).where(Account.id.not_in(with_dm))) == 0


def test_attendees_belong_to_the_interactions_account(loaded):
    att = interaction_attendees.c
    wrong = (
        sa.select(att.contact_id)
        .join(Contact, Contact.id == att.contact_id)
        .join(Interaction, Interaction.id == att.interaction_id)
        .where(Contact.account_id != Interaction.account_id)
    )
    assert _count(wrong) == 0
    assert _count(sa.select(att.contact_id)) > 0


def test_participants_are_on_the_account_team(loaded):
    par = interaction_participants.c
    on_team = sa.select(AccountMember.id).where(
        AccountMember.account_id == Interaction.account_id,
        AccountMember.user_id == par.user_id,
    )
    outsiders = (
        sa.select(par.user_id)
        .join(Interaction, Interaction.id == par.interaction_id)
        .where(~on_team.exists())
    )
    assert _count(outsiders) == 0
    owners_taking_part = sa.select(par.interaction_id).where(
        par.interaction_id == Interaction.id, par.user_id == Interaction.owner_id
    )
    assert _count(sa.select(Interaction.id).where(~owners_taking_part.exists())) == 0


def test_nobody_attends_after_leaving_the_customer(loaded):
    att = interaction_attendees.c
    late = (
        sa.select(att.contact_id)
        .join(Contact, Contact.id == att.contact_id)
        .join(Interaction, Interaction.id == att.interaction_id)
        .where(Contact.left_on.is_not(None), Interaction.occurred_at >= Contact.left_on)
    )
    assert _count(late) == 0


def test_history_covers_the_last_year_and_nothing_in_the_future(loaded):
    first, last = db.session.execute(
        sa.select(sa.func.min(Interaction.occurred_at), sa.func.max(Interaction.occurred_at))
    ).one()
    assert last.replace(tzinfo=None) <= FROZEN_NOW.replace(tzinfo=None)
    assert first.replace(tzinfo=None) >= (FROZEN_NOW - timedelta(days=366)).replace(tzinfo=None)


def test_demo_reps_have_next_steps_for_my_day(loaded):
    rep = db.session.scalar(sa.select(User).where(User.email == "ar.east.1@example.com"))
    open_steps = sa.select(Interaction.next_step_due).where(
        Interaction.owner_id == rep.id,
        Interaction.next_step_done_at.is_(None),
        Interaction.next_step_due.is_not(None),
    )
    dues = set(db.session.scalars(open_steps))
    today = FROZEN_NOW.date()
    assert any(d < today for d in dues) and any(d >= today for d in dues)


def test_generated_data_writes_no_audit_entries(loaded):
    assert _count(sa.select(AuditEntry.id)) == 0


def test_printed_demo_logins_work(demo, loaded):
    app, output = demo
    assert "admin@example.com" in output and "demo-admin-1" in output
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "admin@example.com", "password": "demo-admin-1"}
    )
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_if_empty_is_a_no_op_on_a_second_run(demo, loaded):
    app, _ = demo
    before = _totals()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "no demo data loaded" in result.output
    assert _totals() == before


def test_second_load_without_if_empty_refuses_and_adds_nothing(demo, loaded):
    app, _ = demo
    before = _totals()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--accounts", "2"])
    assert result.exit_code != 0 and "already has users" in result.output
    assert _totals() == before


def test_new_records_get_fresh_ids_after_the_load(loaded):
    """Ids were assigned in Python: PostgreSQL's sequences must have been moved past them."""
    team = create_team({"name": "West 西部"}, actor=None, now=FROZEN_NOW)
    db.session.flush()
    assert team.id > max(db.session.scalars(sa.select(Team.id).where(Team.id != team.id)))
    db.session.rollback()


def test_every_deal_is_in_a_stage_of_its_playbook_version(loaded):
    deals = db.session.scalars(sa.select(Opportunity)).all()
    keys = set()
    for deal in deals:
        playbook = registry.playbook(deal.playbook_version)
        keys.add(playbook.key)
        assert playbook.stage(deal.stage_key)
        assert (deal.closed_at is None) == deal.is_open
        if deal.status == "lost":
            assert deal.loss_reason and (deal.loss_reason != "other" or deal.close_reason)
    assert keys == {"enterprise", "transactional"}


def test_deal_roles_are_held_by_active_users_and_every_deal_has_an_ar(loaded):
    inactive = sa.select(OpportunityRole.id).join(User).where(~User.active)
    assert _count(inactive) == 0
    with_ar = sa.select(OpportunityRole.opportunity_id).where(OpportunityRole.role == "AR")
    assert _count(sa.select(Opportunity.id).where(Opportunity.id.not_in(with_ar))) == 0


def test_every_deal_starts_with_one_created_move(loaded):
    created = db.session.execute(
        sa.select(StageChange.opportunity_id, sa.func.count(), sa.func.min(StageChange.at))
        .where(StageChange.move == "created")
        .group_by(StageChange.opportunity_id)
    ).all()
    assert len(created) == _count(sa.select(Opportunity.id))
    assert all(count == 1 for _, count, _ in created)
    first = dict(
        db.session.execute(
            sa.select(StageChange.opportunity_id, sa.func.min(StageChange.at)).group_by(
                StageChange.opportunity_id
            )
        ).all()
    )
    assert all(first[deal_id] == at for deal_id, _, at in created)


def test_interactions_on_a_deal_belong_to_the_deals_account(loaded):
    linked = sa.select(Interaction.id).where(Interaction.opportunity_id.is_not(None))
    other = linked.join(Opportunity, Opportunity.id == Interaction.opportunity_id).where(
        Opportunity.account_id != Interaction.account_id
    )
    assert _count(other) == 0
    assert 0.15 <= _count(linked) / _count(sa.select(Interaction.id)) <= 0.45


def _deals_of(email: str) -> list[Opportunity]:
    return list(
        db.session.scalars(
            sa.select(Opportunity)
            .join(OpportunityRole)
            .join(User, User.id == OpportunityRole.user_id)
            .where(User.email == email, Opportunity.status == "open")
        )
    )


def test_each_demo_rep_works_several_open_deals_in_different_stages(demo, loaded):
    _app, output = demo
    reps = {line.split("|")[1].strip() for line in output.splitlines() if "| Rep " in line}
    assert len(reps) == 9  # AR, SR and FR of each of the three teams
    for email in reps:
        deals = _deals_of(email)
        assert len(deals) >= 3 and len({d.stage_key for d in deals}) >= 2, email


def _unmet(deal: Opportunity) -> list[str]:
    return [r.gate for r in gate_results(deal, now=FROZEN_NOW) if not r.met]


def test_demo_shows_deals_waiting_at_the_gates(loaded):
    """On the east AR's deals: a shape deal waiting only for the approve-to-bid, a validate deal
    with most criteria met, a bid deal whose decision maker was last met too long ago."""
    unmet = {}
    for deal in _deals_of("ar.east.1@example.com"):
        unmet.setdefault((deal.stage_key, tuple(_unmet(deal))), deal)
    assert ("shape", ("approval",)) in unmet
    assert ("validate", ("checklist",)) in unmet
    assert ("bid", ("contacted",)) in unmet


def test_new_deal_rows_get_fresh_ids_after_the_load(loaded):
    deal = db.session.scalars(sa.select(Opportunity).order_by(Opportunity.id.desc())).first()
    copy = Opportunity(
        account_id=deal.account_id,
        playbook_version_id=deal.playbook_version_id,
        name="Fresh id",
        currency="CNY",
        stage_key=deal.stage_key,
        stage_entered_at=FROZEN_NOW,
    )
    db.session.add(copy)
    db.session.flush()
    move = StageChange(opportunity_id=copy.id, at=FROZEN_NOW, move="created", to_stage="x")
    db.session.add(move)
    db.session.flush()
    assert copy.id > deal.id
    assert move.id > db.session.scalar(
        sa.select(sa.func.max(StageChange.id)).where(StageChange.id != move.id)
    )
    db.session.rollback()


def test_the_demos_tie_counts_equal_a_rebuild_from_its_interactions(loaded):
    from salesflow.ties import touches
    from salesflow.ties.models import TieTouch

    def counts() -> set:
        key = (TieTouch.account_id, TieTouch.contact_id, TieTouch.user_id, TieTouch.day)
        return set(db.session.execute(sa.select(*key, TieTouch.touches)))

    loaded_counts = counts()
    assert loaded_counts
    touches.rebuild()
    assert counts() == loaded_counts
    db.session.rollback()


def test_the_demo_has_a_dependency_trend_and_todays_pipeline_snapshot(loaded):
    days = list(
        db.session.scalars(sa.select(AccountSnapshot.day).distinct().order_by(AccountSnapshot.day))
    )
    assert len(days) == 13 and days[-1] - days[0] == timedelta(weeks=12)
    latest = _count(sa.select(AccountSnapshot.id).where(AccountSnapshot.day == days[-1]))
    assert latest == _count(sa.select(Account.id).where(Account.deleted_at.is_(None)))
    open_deals = _count(sa.select(Opportunity.id).where(Opportunity.status == "open"))
    assert _count(sa.select(PipelineSnapshot.id)) == open_deals > 0


def test_the_demo_review_reads_its_daily_moves_up_to_yesterday(loaded):
    """A fresh demo's review counts from the aggregate at once, not live until the first
    morning's job."""
    build = db.session.scalar(sa.select(PipelineMoveBuild))
    assert build is not None and build.through == clock.today(build.built_at) - timedelta(days=1)
    assert _count(sa.select(PipelineMoveDay.id)) > 0


def test_each_decision_asked_in_the_demo_is_an_open_request_to_the_teams_director(loaded):
    from salesflow.opportunities.models import Approval
    from salesflow.requests.models import InternalRequest

    asked = db.session.execute(
        sa.select(Approval.opportunity_id, Approval.gate_key, Approval.actor_id, Approval.at).where(
            Approval.decision == "requested"
        )
    ).all()
    requests = db.session.execute(
        sa.select(
            InternalRequest.opportunity_id,
            InternalRequest.gate_key,
            InternalRequest.requester_id,
            InternalRequest.created_at,
            InternalRequest.assignee_id,
            Team.director_id,
        )
        .join(Account, Account.id == InternalRequest.account_id)
        .join(Team, Team.id == Account.team_id)
        .where(InternalRequest.kind == "decision", InternalRequest.status == "open")
    ).all()
    assert asked and sorted(asked) == sorted(tuple(r[:4]) for r in requests)
    assert all(assignee == director for *_, assignee, director in requests)


def test_the_demo_has_service_requests_in_every_state_with_their_history(loaded):
    from salesflow import scope
    from salesflow.requests.models import InternalRequest, RequestChange

    found = db.session.scalars(
        sa.select(InternalRequest).where(InternalRequest.kind != "decision")
    ).all()
    assert found and len({r.status for r in found}) >= 2
    last = dict(
        db.session.execute(
            sa.select(RequestChange.request_id, RequestChange.to_status).order_by(RequestChange.id)
        ).all()
    )
    for request in found:
        assert last[request.id] == request.status
        assert scope.can_see_account(request.assignee, request.account)
        assert request.requester_id != request.assignee_id
        assert request.needed_by >= clock.today(request.created_at)
        assert (request.done_at is not None) == (request.status in ("done", "declined"))
        assert request.done_at is None or request.done_at >= request.created_at
        assert request.rating is None or request.status == "done"
        assert (request.rush_reason is not None) == request.rush
