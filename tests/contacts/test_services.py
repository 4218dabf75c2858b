"""Contact services: validation of every field at once, the reporting line, left / deleted,
conflicts and the audit trail."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts import services
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Influence, Level
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from tests.factories import make_contact


def _audit(contact: Contact) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity_type == "contacts", AuditEntry.entity_id == contact.id)
            .order_by(AuditEntry.id)
        )
    )


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.fields


def test_create_contact_keeps_every_field_and_records_who_did_it(now, world):
    contact = services.create_contact(
        world.account_a,
        {
            "name": "  Qian Hua ",
            "title": "CIO",
            "department": "IT",
            "level": "executive",
            "reports_to_id": world.contact_a.id,
            "decision_role": "technical_evaluator",
            "influence": "high",
            "attitude": "supporter",
            "email": "qian@example.cn",
            "phone": "+86 138 0000 0000",
            "hometown": "Suzhou",
            "preferences": "Green tea, no alcohol",
        },
        actor=world.rep_a,
        now=now,
    )
    assert contact.name == "Qian Hua"
    assert contact.level == Level.executive
    assert contact.decision_role == DecisionRole.technical_evaluator
    assert contact.reports_to_id == world.contact_a.id
    assert contact.preferences == "Green tea, no alcohol"
    [entry] = _audit(contact)
    assert (entry.action, entry.actor_id, entry.account_id) == (
        "create",
        world.rep_a.id,
        world.account_a.id,
    )
    assert entry.changes["name"] == [None, "Qian Hua"]
    assert entry.at == now


def test_new_contact_gets_the_vocabulary_defaults(now, world):
    contact = services.create_contact(world.account_a, {"name": "Wu"}, actor=world.rep_a, now=now)
    assert (contact.decision_role, contact.influence, contact.attitude) == (
        DecisionRole.unknown,
        Influence.medium,
        Attitude.unknown,
    )


def test_every_problem_is_reported_at_once(now, world):
    fields = _refusal(
        lambda: services.create_contact(
            world.account_a,
            {
                "title": "x" * 121,
                "level": "intern",
                "decision_role": "boss",
                "influence": None,
                "attitude": 7,
                "email": "not-an-address",
                "phone": "1" * 41,
                "left_on": now.date() + timedelta(days=2),
                "reports_to_id": world.contact_b.id,
            },
            actor=world.rep_a,
            now=now,
        )
    )
    assert set(fields) == {
        "name",
        "title",
        "level",
        "decision_role",
        "influence",
        "attitude",
        "email",
        "phone",
        "left_on",
        "reports_to_id",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 3


@pytest.mark.parametrize(
    ("name", "ok"), [("x" * 120, True), ("x" * 121, False), ("   ", False), (123, False)]
)
def test_name_is_required_and_at_most_120_characters(now, world, name, ok):
    def create():
        return services.create_contact(world.account_a, {"name": name}, actor=world.rep_a, now=now)

    if ok:
        assert create().name == name
    else:
        assert "name" in _refusal(create)


def test_reports_to_a_contact_of_another_account_is_refused(now, world):
    fields = _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "reports_to_id": world.contact_b.id},
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"reports_to_id": ["Choose a current contact of the same account."]}


def test_a_contact_cannot_report_to_themselves(now, world):
    fields = _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "reports_to_id": world.contact_a.id},
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"reports_to_id": ["A contact cannot report to themselves."]}


def test_a_two_person_loop_is_refused(now, world):
    b = make_contact(account=world.account_a, name="B", reports_to=world.contact_a)
    fields = _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "reports_to_id": b.id},
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"reports_to_id": ["This would make a loop in the reporting line."]}
    assert world.contact_a.reports_to_id is None


def test_a_longer_loop_is_refused_but_a_sideways_move_is_fine(now, world):
    top = world.contact_a
    middle = make_contact(account=world.account_a, name="Middle", reports_to=top)
    bottom = make_contact(account=world.account_a, name="Bottom", reports_to=middle)
    other = make_contact(account=world.account_a, name="Other", reports_to=top)
    assert "reports_to_id" in _refusal(
        lambda: services.update_contact(
            top, {"version": top.version, "reports_to_id": bottom.id}, actor=world.rep_a, now=now
        )
    )
    services.update_contact(
        bottom, {"version": bottom.version, "reports_to_id": other.id}, actor=world.rep_a, now=now
    )
    assert bottom.reports_to_id == other.id


@pytest.mark.parametrize("state", ["left", "deleted"])
def test_reports_to_must_be_a_current_contact(now, world, state):
    gone = make_contact(
        account=world.account_a,
        left_on=date(2026, 1, 1) if state == "left" else None,
        deleted=state == "deleted",
    )
    assert "reports_to_id" in _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "reports_to_id": gone.id},
            actor=world.rep_a,
            now=now,
        )
    )


def test_an_unchanged_manager_who_left_is_kept_as_history(now, world):
    boss = make_contact(account=world.account_a, name="Boss")
    worker = make_contact(account=world.account_a, name="Worker", reports_to=boss)
    services.update_contact(
        boss, {"version": boss.version, "left_on": date(2026, 6, 1)}, actor=world.rep_a, now=now
    )
    services.update_contact(
        worker,
        {"version": worker.version, "title": "Engineer", "reports_to_id": boss.id},
        actor=world.rep_a,
        now=now,
    )
    assert (worker.title, worker.reports_to_id) == ("Engineer", boss.id)


def test_marking_left_and_back_is_audited_and_keeps_the_record(now, world):
    contact = world.contact_a
    services.update_contact(
        contact,
        {"version": contact.version, "left_on": date(2026, 11, 1)},
        actor=world.rep_a,
        now=now,
    )
    assert contact.left_on == date(2026, 11, 1) and not contact.is_current
    services.update_contact(
        contact, {"version": contact.version, "left_on": None}, actor=world.rep_a, now=now
    )
    assert contact.is_current
    changes = [e.changes for e in _audit(contact) if e.action == "update"]
    assert changes == [{"left_on": [None, "2026-11-01"]}, {"left_on": ["2026-11-01", None]}]


def test_left_on_may_be_today_where_the_company_works_but_not_later(world):
    # 20:00 UTC is already the next morning in Shanghai (the configured time zone).
    evening = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    services.update_contact(
        world.contact_a,
        {"version": world.contact_a.version, "left_on": date(2026, 11, 21)},
        actor=world.rep_a,
        now=evening,
    )
    assert "left_on" in _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "left_on": date(2026, 11, 22)},
            actor=world.rep_a,
            now=evening,
        )
    )


def test_left_on_must_be_a_date(now, world):
    assert "left_on" in _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "left_on": "yesterday"},
            actor=world.rep_a,
            now=now,
        )
    )


def test_a_stale_version_is_a_conflict_and_changes_nothing(now, world):
    contact = world.contact_a
    seen = contact.version
    services.update_contact(contact, {"title": "CEO", "version": seen}, actor=world.rep_a, now=now)
    with pytest.raises(Conflict):
        services.update_contact(
            contact, {"title": "CFO", "version": seen}, actor=world.rep_a2, now=now
        )
    assert contact.title == "CEO"
    assert contact.version == seen + 1


def test_an_update_that_changes_nothing_records_nothing(now, world):
    services.update_contact(
        world.contact_a,
        {"version": world.contact_a.version, "name": "Zhang Wei"},
        actor=world.rep_a,
        now=now,
    )
    assert [e.action for e in _audit(world.contact_a)] == []


def test_a_contact_stays_with_its_account(now, world):
    assert "account_id" in _refusal(
        lambda: services.update_contact(
            world.contact_a,
            {"version": world.contact_a.version, "account_id": world.shared.id},
            actor=world.rep_a,
            now=now,
        )
    )


@pytest.mark.parametrize("who", ["rep_a", "rep_a2"])
def test_reps_never_delete(now, world, who):
    with pytest.raises(Forbidden):
        services.delete_contact(world.contact_a, actor=getattr(world, who), now=now)
    assert world.contact_a.deleted_at is None


def test_director_of_another_team_cannot_delete(now, world):
    with pytest.raises(Forbidden):
        services.delete_contact(world.contact_a, actor=world.director_b, now=now)


@pytest.mark.parametrize("who", ["director_a", "admin"])
def test_directors_and_admins_soft_delete_and_restore_with_audit(now, world, who):
    actor = getattr(world, who)
    contact = services.delete_contact(world.contact_a, actor=actor, now=now)
    assert contact.deleted_at == now
    assert db.session.get(Contact, contact.id) is not None  # still there
    services.restore_contact(contact, actor=actor, now=now)
    assert contact.deleted_at is None
    entries = _audit(contact)
    assert [e.action for e in entries] == ["delete", "restore"]
    assert all(e.account_id == world.account_a.id and e.actor_id == actor.id for e in entries)


def test_rep_cannot_restore(now, world):
    contact = services.delete_contact(world.contact_a, actor=world.director_a, now=now)
    with pytest.raises(Forbidden):
        services.restore_contact(contact, actor=world.rep_a, now=now)


def test_a_deleted_contact_is_restored_before_it_is_changed(now, world):
    contact = services.delete_contact(world.contact_a, actor=world.director_a, now=now)
    with pytest.raises(Forbidden):
        services.update_contact(
            contact, {"version": contact.version, "title": "CEO"}, actor=world.director_a, now=now
        )


def test_profile_object_is_flattened_for_the_service():
    assert services.flatten_profile(
        {"name": "A", "profile": {"hometown": "Xi'an", "notes": None}}
    ) == {"name": "A", "hometown": "Xi'an", "notes": None}
