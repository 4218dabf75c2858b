"""Handover services: completion moves only when the data proves each item — roles held, a joint
contact with both people, the successor's own confirmation — and planning refuses bad input
with every problem at once, saving nothing."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesflow.accounts import services as account_services
from salesflow.audit import services as audit
from salesflow.audit.models import AuditEntry
from salesflow.contacts import services as contact_services
from salesflow.errors import Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.handovers import checklist, services
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.interactions import services as interaction_services
from salesflow.notifications.models import Notification
from tests import factories as f
from tests.handovers.conftest import plan, state

MISSING = object()


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _joint(world, at, *, people=None, contacts=None, **kwargs):
    """A contact logged on account_a with Zhang Wei, by default with both people."""
    return f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        occurred_at=at,
        participants=people if people is not None else [world.rep_a, world.rep_a2],
        contacts=contacts if contacts is not None else [world.contact_a],
        **kwargs,
    )


def _notified(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


# the checklist at the start


def test_a_new_handover_has_every_item_open(world, handover):
    assert state(handover) == {
        "percent": 0,
        "items": {
            ("roles_transferred", None): False,
            ("joint_contact", world.contact_a.id): False,
            ("confirmed", world.contact_a.id): False,
        },
    }


def test_creation_snapshots_roles_key_contacts_and_risk(world, now):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    f.make_opportunity(account=world.account_a, roles={world.rep_a: "SR"}, status="lost")
    handover = plan(world, now=now)
    link = handover.accounts[0]
    assert link.roles == {"team": ["AR"], "opportunities": [[deal.id, "AR"]]}
    assert link.key_contact_ids == [world.contact_a.id]
    assert link.risk_before == "high"  # Li Ming alone holds the decision maker
    assert handover.created_at == now and handover.created_by_id == world.director_a.id


# roles transferred


def test_transfer_gives_the_successor_every_role_and_proves_the_item(world, handover, later):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR", world.rep_b: "SR"})
    closed = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"}, status="won")
    assert services.transfer_roles(handover, actor=world.director_a, now=later) == 2
    assert [(m.user_id, m.role.value) for m in world.account_a.members] == [(world.rep_a2.id, "AR")]
    assert {(r.user_id, r.role.value) for r in deal.roles} == {
        (world.rep_a2.id, "AR"),
        (world.rep_b.id, "SR"),
    }
    assert [r.user_id for r in closed.roles] == [world.rep_a.id]  # closed deals keep history
    assert state(handover)["items"][("roles_transferred", None)] is True
    assert state(handover)["percent"] == 33
    audited = _count(
        AuditEntry, AuditEntry.entity_type == "handovers", AuditEntry.action == "transfer"
    )
    assert audited == 1


@pytest.mark.parametrize("planner", ["director_a", "leader", "admin"])
def test_every_planner_transfers_roles_where_the_leaver_is_not_the_ar(world, now, later, planner):
    """Planners replace people on teams and deals they are not AR of (scope.can_set_account_team
    and can_set_roles allow the account's director, leadership and admins)."""
    account = f.make_account(team=world.team_a, members={world.rep_b: "AR", world.rep_a: "SR"})
    deal = f.make_opportunity(account=account, roles={world.rep_b: "AR", world.rep_a: "FR"})
    handover = plan(world, actor=getattr(world, planner), accounts=[account], now=now)
    assert services.transfer_roles(handover, actor=getattr(world, planner), now=later) == 2
    assert sorted((m.user_id, m.role.value) for m in account.members) == sorted(
        [(world.rep_b.id, "AR"), (world.rep_a2.id, "SR")]
    )
    assert sorted((r.user_id, r.role.value) for r in deal.roles) == sorted(
        [(world.rep_b.id, "AR"), (world.rep_a2.id, "FR")]
    )


def test_roles_item_is_proven_by_the_data_however_the_team_changed(world, handover, later):
    account_services.set_account_team(
        world.account_a, [{"user_id": world.rep_a2.id, "role": "AR"}], actor=world.rep_a, now=later
    )
    assert state(handover)["items"][("roles_transferred", None)] is True


@pytest.mark.parametrize(
    "team",
    [
        [{"user_id": "old", "role": "AR"}, {"user_id": "new", "role": "AR"}],  # old still on it
        [{"user_id": "new", "role": "member"}],  # successor without the AR role
        [],  # nobody took over
    ],
)
def test_roles_item_stays_open_until_both_sides_hold(world, handover, later, team):
    ids = {"old": world.rep_a.id, "new": world.rep_a2.id}
    members = [{"user_id": ids[m["user_id"]], "role": m["role"]} for m in team]
    account_services.set_account_team(world.account_a, members, actor=world.rep_a, now=later)
    assert state(handover)["items"][("roles_transferred", None)] is False


def test_old_persons_seat_on_an_open_deal_keeps_the_roles_item_open(world, handover, later):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "FR"})
    account_services.set_account_team(
        world.account_a, [{"user_id": world.rep_a2.id, "role": "AR"}], actor=world.rep_a, now=later
    )
    items = checklist.of(handover).accounts[0].item(checklist.ItemKind.roles_transferred)
    assert not items.done and items.roles.old_deals == ((deal.id, "FR"),)


def test_an_account_with_no_roles_then_or_now_has_no_roles_item(world, now):
    handover = plan(world, accounts=[world.shared], now=now)
    assert ("roles_transferred", None) not in state(handover)["items"]


# joint contacts


def test_a_joint_contact_with_both_people_proves_the_item(world, handover, later):
    interaction = _joint(world, later)
    item = (
        checklist.of(handover)
        .accounts[0]
        .item(checklist.ItemKind.joint_contact, world.contact_a.id)
    )
    assert item.done and item.interaction_id == interaction.id
    assert state(handover)["percent"] == 33


def test_a_joint_contact_logged_through_the_quick_log_service_counts(world, handover, later):
    interaction_services.log_interaction(
        {
            "account_id": world.account_a.id,
            "kind": "meeting",
            "occurred_at": later,
            "summary": "Introduced Zhao Lei",
            "contact_ids": [world.contact_a.id],
            "participant_ids": [world.rep_a.id, world.rep_a2.id],
        },
        actor=world.rep_a,
        now=later,
    )
    assert state(handover)["items"][("joint_contact", world.contact_a.id)] is True


@pytest.mark.parametrize(
    "case",
    [
        "without the old person",
        "without the successor",
        "deleted",
        "before the handover",
        "with another contact",
    ],
)
def test_a_contact_that_is_not_a_joint_contact_does_not_count(world, handover, later, now, case):
    other = f.make_contact(account=world.account_a, name="Someone else")
    kwargs = {
        "without the old person": {"people": [world.rep_a2]},
        "without the successor": {"people": [world.rep_a, world.rep_b]},
        "deleted": {"deleted": True},
        "before the handover": {"at": now - timedelta(days=1)},
        "with another contact": {"contacts": [other]},
    }[case]
    _joint(world, kwargs.pop("at", later), **kwargs)
    assert state(handover)["percent"] == 0
    assert state(handover)["items"][("joint_contact", world.contact_a.id)] is False


def test_deleting_the_joint_contact_moves_completion_back(world, handover, later):
    interaction = _joint(world, later)
    assert state(handover)["percent"] == 33
    interaction_services.delete_interaction(interaction, actor=world.director_a, now=later)
    assert state(handover)["percent"] == 0


# confirmation by the successor


def test_the_successors_confirmation_proves_the_item(world, handover, later):
    services.confirm_contact(handover, world.contact_a.id, {}, actor=world.rep_a2, now=later)
    item = checklist.of(handover).accounts[0].item(checklist.ItemKind.confirmed, world.contact_a.id)
    assert item.done and item.confirmed_at == later
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "confirm"))
    assert (entry.entity_type, entry.entity_id, entry.actor_id) == (
        "contacts",
        world.contact_a.id,
        world.rep_a2.id,
    )
    assert entry.changes == {"attitude": ["unknown", "unknown"], "influence": ["high", "high"]}


def test_confirming_other_values_changes_the_contact_first(world, handover, later):
    services.confirm_contact(
        handover,
        world.contact_a.id,
        {"attitude": "supporter", "influence": "medium"},
        actor=world.rep_a2,
        now=later,
    )
    assert (world.contact_a.attitude, world.contact_a.influence) == ("supporter", "medium")
    actions = list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.entity_type == "contacts", AuditEntry.entity_id == world.contact_a.id)
            .order_by(AuditEntry.id)
        )
    )
    assert actions[-2:] == ["update", "confirm"]
    # rated down, the contact is still on the list: rating someone down ticks nothing
    assert ("joint_contact", world.contact_a.id) in state(handover)["items"]


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_nobody_but_the_successor_may_confirm(world, handover, later, who):
    with pytest.raises(Forbidden):
        services.confirm_contact(
            handover, world.contact_a.id, {}, actor=getattr(world, who), now=later
        )
    assert state(handover)["items"][("confirmed", world.contact_a.id)] is False


def test_a_confirm_entry_by_someone_else_or_before_the_handover_does_not_count(
    world, handover, later, now
):
    for actor, at in ((world.rep_a, later), (world.rep_a2, now - timedelta(days=1))):
        audit.record(
            world.contact_a, "confirm", {}, actor=actor, now=at, account_id=world.account_a.id
        )
    change = {"version": world.contact_a.version, "attitude": "champion"}
    contact_services.update_contact(
        world.contact_a, change, actor=world.rep_a2, now=later
    )  # an edit is not a confirmation
    assert state(handover)["items"][("confirmed", world.contact_a.id)] is False


def test_confirming_a_contact_outside_the_checklist_is_not_found(world, handover, later):
    minor = f.make_contact(account=world.account_a, decision_role="user", influence="low")
    with pytest.raises(NotFound):
        services.confirm_contact(handover, minor.id, {}, actor=world.rep_a2, now=later)
    with pytest.raises(NotFound):
        services.confirm_contact(handover, world.contact_b.id, {}, actor=world.rep_a2, now=later)


def test_confirming_a_value_outside_the_vocabulary_is_refused(world, handover, later):
    with pytest.raises(ValidationFailed) as error:
        services.confirm_contact(
            handover, world.contact_a.id, {"attitude": "ecstatic"}, actor=world.rep_a2, now=later
        )
    assert "attitude" in error.value.fields


# which contacts are on the list


def test_key_contacts_are_those_at_creation_still_current_plus_new_key_ones(world, later):
    left = f.make_contact(account=world.account_a, decision_role="decision_maker")
    handover = plan(world, now=later)  # snapshot holds Zhang Wei and `left`
    change = {"version": left.version, "left_on": date(2026, 11, 20)}
    contact_services.update_contact(left, change, actor=world.rep_a, now=later)
    newly = f.make_contact(account=world.account_a, influence="high")
    f.make_contact(account=world.account_a, influence="medium")  # never key
    ids = {c.id for c in checklist.of(handover).accounts[0].contacts}
    assert ids == {world.contact_a.id, newly.id}


# completion


def test_completion_reaches_100_only_when_every_item_is_proven_and_tells_the_creator(
    world, handover, later
):
    services.transfer_roles(handover, actor=world.director_a, now=later)
    _joint(world, later)
    assert handover.completed_at is None and state(handover)["percent"] == 66
    services.confirm_contact(handover, world.contact_a.id, {}, actor=world.rep_a2, now=later)
    assert state(handover)["percent"] == 100
    assert handover.completed_at == later
    assert _notified(world.director_a).count("handover_complete") == 1
    assert services.note_completions(now=later) == 0  # already told


def test_a_joint_contact_logged_last_is_noticed_by_the_check(world, handover, later):
    services.transfer_roles(handover, actor=world.director_a, now=later)
    services.confirm_contact(handover, world.contact_a.id, {}, actor=world.rep_a2, now=later)
    assert handover.completed_at is None
    _joint(world, later)
    assert services.note_completions(now=later) == 1
    assert handover.completed_at == later
    assert _notified(world.director_a).count("handover_complete") == 1


# planning


def test_planning_tells_both_people_and_the_teams_director_but_not_the_planner(world, now):
    plan(world, actor=world.leader, now=now)
    assert _notified(world.rep_a) == ["handover_planned"]
    assert _notified(world.rep_a2) == ["handover_planned"]
    assert _notified(world.director_a) == ["handover_planned"]
    assert _notified(world.leader) == [] and _notified(world.director_b) == []
    plan(world, now=now)  # planned by the director: not told of their own plan
    assert _notified(world.director_a) == ["handover_planned"]


def test_without_account_ids_every_account_of_the_person_is_handed_over(world, now):
    dealt = f.make_account(team=world.team_a, name="Deal only")
    f.make_opportunity(account=dealt, roles={world.rep_a: "SR"})
    tied = f.make_account(team=world.team_a, name="Tie only")
    f.make_interaction(
        account=tied, owner=world.rep_a, contacts=[f.make_contact(account=tied)], days_ago=30
    )
    stale = f.make_account(team=world.team_a, name="Old tie")
    f.make_interaction(
        account=stale, owner=world.rep_a, days_ago=400, contacts=[f.make_contact(account=stale)]
    )
    handover = plan(world, now=now, account_ids=None)
    # shared: Li Ming logged its interaction today (a live tie)
    assert set(handover.account_ids) == {world.account_a.id, dealt.id, tied.id, world.shared.id}


def _valid(world, **overrides) -> dict:
    data = {
        "from_user_id": world.rep_a.id,
        "to_user_id": world.rep_a2.id,
        "account_ids": [world.account_a.id],
        "due_date": date(2026, 12, 1),
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not MISSING}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"to_user_id": "same"}, {"to_user_id"}),
        ({"to_user_id": "inactive"}, {"to_user_id"}),
        ({"to_user_id": MISSING, "from_user_id": 999_999}, {"to_user_id", "from_user_id"}),
        ({"due_date": date(2026, 11, 19)}, {"due_date"}),
        ({"due_date": "2026-12-01"}, {"due_date"}),
        ({"due_date": MISSING}, {"due_date"}),
        ({"account_ids": []}, {"account_ids"}),
        ({"account_ids": [999_999]}, {"account_ids"}),
        ({"account_ids": ["1"]}, {"account_ids"}),
        ({"account_ids": "deleted"}, {"account_ids"}),
        (
            {"to_user_id": "same", "due_date": date(2020, 1, 1), "account_ids": []},
            {"to_user_id", "due_date", "account_ids"},
        ),
    ],
)
def test_bad_input_is_refused_with_every_problem_and_nothing_saved(world, now, overrides, fields):
    gone = f.make_account(team=world.team_a, deleted=True)
    values = {
        "same": world.rep_a.id,
        "deleted": [gone.id],
        "inactive": f.make_user(team=world.team_a, active=False).id,
    }
    overrides = {k: values.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationFailed) as error:
        services.create_handover(_valid(world, **overrides), actor=world.leader, now=now)
    assert set(error.value.fields) == fields
    assert (_count(Handover), _count(HandoverAccount), _count(Notification)) == (0, 0, 0)


def test_due_today_is_fine_and_a_leaver_may_hand_over(world, now):
    world.rep_a.active = False
    handover = services.create_handover(
        _valid(world, due_date=date(2026, 11, 20)), actor=world.leader, now=now
    )
    assert handover.from_user_id == world.rep_a.id
    assert _notified(world.rep_a) == []  # a deactivated user reads nothing


def test_a_person_with_no_accounts_cannot_hand_over_everything(world, now):
    idle = f.make_user(team=world.team_a)
    with pytest.raises(ValidationFailed) as error:
        services.create_handover(
            _valid(world, from_user_id=idle.id, account_ids=None), actor=world.leader, now=now
        )
    assert "account_ids" in error.value.fields
