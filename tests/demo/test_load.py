"""`flask demo load` on a fresh database: consistent bilingual data, demo logins that work,
`--if-empty` a no-op the second time. Real commits (bulk inserts), so a database of its own."""

from datetime import timedelta

import sqlalchemy as sa

from salesflow.accounts.models import Account, AccountMember
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.teams.models import Team
from salesflow.teams.services import create_team
from tests.conftest import FROZEN_NOW
from tests.demo.conftest import ACCOUNTS


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def _totals() -> dict[str, int]:
    return {
        model.__tablename__: _count(sa.select(model.id))
        for model in (Team, User, Account, Contact, Interaction)
    }


def test_load_makes_the_requested_accounts_with_contacts_and_history(loaded):
    totals = _totals()
    assert totals["accounts"] == ACCOUNTS and totals["teams"] == 3
    assert totals["contacts"] >= 4 * ACCOUNTS and totals["interactions"] >= 40 * ACCOUNTS
    assert f"{ACCOUNTS} accounts" in loaded


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
