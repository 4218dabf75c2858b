"""Account services: validation (every problem at once), version conflicts, soft delete and
restore, the account team, and the audit trail of each."""

import pytest
import sqlalchemy as sa

from salesflow.accounts import services
from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from tests import factories as f


def _audit(account, action):
    return db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "accounts",
            AuditEntry.entity_id == account.id,
            AuditEntry.action == action,
        )
    ).all()


def _fields(call) -> set[str]:
    with pytest.raises(ValidationFailed) as error:
        call()
    return set(error.value.fields)


# --- create -------------------------------------------------------------------------------


def test_rep_creates_account_in_own_team_by_default(world, now):
    account = services.create_account({"name": " 华东电力 "}, actor=world.rep_a, now=now)
    assert account.name == "华东电力" and account.team_id == world.team_a.id
    assert account.tier == "C" and account.created_by_id == world.rep_a.id
    [entry] = _audit(account, "create")
    assert entry.changes["name"] == [None, "华东电力"] and entry.actor_id == world.rep_a.id
    assert entry.account_id == account.id and entry.at == now


def test_leadership_creates_in_any_team_and_must_name_one(world, now):
    account = services.create_account(
        {"name": "Pearl Telecom", "team_id": world.team_b.id}, actor=world.leader, now=now
    )
    assert account.team_id == world.team_b.id
    assert _fields(lambda: services.create_account({"name": "X"}, actor=world.leader, now=now)) == {
        "team_id"
    }


def test_every_problem_is_reported_at_once(world, now):
    fields = _fields(
        lambda: services.create_account(
            {
                "name": "",
                "tier": "Z",
                "team_id": world.team_b.id,
                "website": "not a site",
                "parent_id": world.account_b.id,
                "industry": "x" * 81,
            },
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"name", "tier", "team_id", "website", "parent_id", "industry"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "x" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"region": "r" * 81}, "region"),
        ({"address": "a" * 301}, "address"),
        ({"notes": "n" * 20_001}, "notes"),
        ({"notes": "bad\x00byte"}, "notes"),
        ({"website": "ftp://example.com"}, "website"),
        ({"website": "https://nodot"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "x" * 296 + ".com"}, "website"),  # 300 characters, 308 with https://
        ({"team_id": "1"}, "team_id"),
        ({"team_id": 999_999}, "team_id"),
        ({"team_id": None}, "team_id"),
        ({"parent_id": "1"}, "parent_id"),
        ({"parent_id": 999_999}, "parent_id"),
        ({"tier": None}, "tier"),
    ],
)
def test_bad_fields_are_refused_with_the_field(world, now, data, field):
    data = {"name": "Acme", **data}
    assert _fields(lambda: services.create_account(data, actor=world.rep_a, now=now)) == {field}


def test_notes_keep_their_line_breaks(world, now):
    account = services.create_account(
        {"name": "Acme", "notes": "line one\n\tline two"}, actor=world.rep_a, now=now
    )
    assert account.notes == "line one\n\tline two"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("acme.example.com", "https://acme.example.com"),
        ("http://acme.cn/about", "http://acme.cn/about"),
        ("HTTPS://例子.中国", "HTTPS://例子.中国"),
        ("", None),
    ],
)
def test_website_gets_https_when_the_scheme_is_missing(world, now, typed, stored):
    account = services.create_account(
        {"name": "Acme", "website": typed}, actor=world.rep_a, now=now
    )
    assert account.website == stored


# --- update -------------------------------------------------------------------------------


def test_update_records_old_and_new_values(world, now):
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "tier": "A", "industry": "Power"},
        actor=world.rep_a,
        now=now,
    )
    [entry] = _audit(world.account_a, "update")
    assert entry.changes == {"tier": ["B", "A"], "industry": ["Manufacturing", "Power"]}
    assert entry.actor_id == world.rep_a.id and entry.account_id == world.account_a.id


def test_update_that_changes_nothing_records_nothing(world, now):
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "name": world.account_a.name},
        actor=world.rep_a,
        now=now,
    )
    assert _audit(world.account_a, "update") == []


def test_update_with_current_version_saves_and_bumps_it(world, now):
    version = world.account_a.version
    services.update_account(
        world.account_a, {"notes": "ok", "version": version}, actor=world.rep_a, now=now
    )
    assert world.account_a.notes == "ok" and world.account_a.version == version + 1


def test_stale_version_is_a_conflict_and_changes_nothing(world, now):
    version = world.account_a.version
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "notes": "first"},
        actor=world.rep_a,
        now=now,
    )
    with pytest.raises(Conflict):
        services.update_account(
            world.account_a, {"notes": "second", "version": version}, actor=world.rep_a2, now=now
        )
    assert world.account_a.notes == "first"
    assert len(_audit(world.account_a, "update")) == 1


def test_moving_an_account_needs_the_right_to_create_in_the_new_team(world, now):
    fields = _fields(
        lambda: services.update_account(
            world.account_a,
            {"version": world.account_a.version, "team_id": world.team_b.id},
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"team_id"} and world.account_a.team_id == world.team_a.id
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "team_id": world.team_b.id},
        actor=world.admin,
        now=now,
    )
    assert world.account_a.team_id == world.team_b.id


def test_rep_on_the_account_team_edits_another_teams_account_without_moving_it(world, now):
    services.update_account(
        world.shared,
        {"version": world.shared.version, "team_id": world.team_a.id, "tier": "A"},
        actor=world.rep_b,
        now=now,
    )
    assert world.shared.tier == "A" and world.shared.team_id == world.team_a.id


def test_deleted_account_cannot_be_edited(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    with pytest.raises(Forbidden):
        services.update_account(
            world.account_a,
            {"version": world.account_a.version, "notes": "x"},
            actor=world.admin,
            now=now,
        )
    with pytest.raises(Forbidden):
        services.set_account_team(world.account_a, [], actor=world.admin, now=now)


def test_parent_is_set_and_a_cycle_is_refused(world, now):
    child = f.make_account(team=world.team_a, name="Child")
    grandchild = f.make_account(team=world.team_a, name="Grandchild")
    services.update_account(
        child,
        {"version": child.version, "parent_id": world.account_a.id},
        actor=world.rep_a,
        now=now,
    )
    services.update_account(
        grandchild,
        {"version": grandchild.version, "parent_id": child.id},
        actor=world.rep_a,
        now=now,
    )
    for parent in (child, grandchild):
        fields = _fields(
            lambda p=parent: services.update_account(
                world.account_a,
                {"version": world.account_a.version, "parent_id": p.id},
                actor=world.rep_a,
                now=now,
            )
        )
        assert fields == {"parent_id"}
    assert _fields(
        lambda: services.update_account(
            child, {"version": child.version, "parent_id": child.id}, actor=world.rep_a, now=now
        )
    ) == {"parent_id"}
    assert world.account_a.parent_id is None


def test_parent_outside_scope_is_refused(world, now):
    fields = _fields(
        lambda: services.update_account(
            world.account_a,
            {"version": world.account_a.version, "parent_id": world.account_b.id},
            actor=world.rep_a,
            now=now,
        )
    )
    assert fields == {"parent_id"}


def test_parent_can_be_cleared(world, now):
    world.account_a.parent_id = world.shared.id
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "parent_id": None},
        actor=world.rep_a,
        now=now,
    )
    assert world.account_a.parent_id is None
    [entry] = _audit(world.account_a, "update")
    assert entry.changes == {"parent_id": [world.shared.id, None]}


# --- delete and restore -------------------------------------------------------------------


def test_rep_cannot_delete(world, now):
    with pytest.raises(Forbidden):
        services.delete_account(world.account_a, actor=world.rep_a, now=now)
    assert world.account_a.deleted_at is None and _audit(world.account_a, "delete") == []


def test_director_deletes_and_restores_own_team_only(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    assert world.account_a.deleted_at == now
    with pytest.raises(Forbidden):
        services.restore_account(world.account_a, actor=world.director_b, now=now)
    services.restore_account(world.account_a, actor=world.director_a, now=now)
    assert world.account_a.deleted_at is None
    [deleted] = _audit(world.account_a, "delete")
    [restored] = _audit(world.account_a, "restore")
    assert deleted.changes == {"deleted_at": [None, now.isoformat()]}
    assert restored.changes == {"deleted_at": [now.isoformat(), None]}
    with pytest.raises(Forbidden):
        services.delete_account(world.account_a, actor=world.director_b, now=now)


def test_admin_deletes_any_account_and_leadership_none(world, now):
    with pytest.raises(Forbidden):
        services.delete_account(world.account_b, actor=world.leader, now=now)
    services.delete_account(world.account_b, actor=world.admin, now=now)
    assert world.account_b.is_deleted
    with pytest.raises(Forbidden):  # already deleted
        services.delete_account(world.account_b, actor=world.admin, now=now)
    with pytest.raises(Forbidden):  # not deleted
        services.restore_account(world.account_a, actor=world.admin, now=now)


def test_soft_delete_keeps_contacts_and_team(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    db.session.expire_all()
    assert [m.user_id for m in world.account_a.members] == [world.rep_a.id]
    assert world.contact_a.account_id == world.account_a.id


# --- the account team ---------------------------------------------------------------------


def test_account_team_is_replaced_and_audited_as_one_change(world, now):
    services.set_account_team(
        world.account_a,
        [
            {"user_id": world.rep_a.id, "role": "AR"},
            {"user_id": world.rep_a2.id, "role": "SR"},
            {"user_id": world.rep_a2.id, "role": "FR"},
            {"user_id": world.director_a.id, "role": "sponsor"},
        ],
        actor=world.rep_a,
        now=now,
    )
    roles = sorted((m.user_id, m.role.value) for m in world.account_a.members)
    assert roles == sorted(
        [
            (world.rep_a.id, "AR"),
            (world.rep_a2.id, "SR"),
            (world.rep_a2.id, "FR"),
            (world.director_a.id, "sponsor"),
        ]
    )
    [entry] = _audit(world.account_a, "update")
    assert entry.changes["team"][0] == [[world.rep_a.id, "AR"]]
    assert sorted(map(tuple, entry.changes["team"][1])) == roles
    assert entry.account_id == world.account_a.id


def test_same_team_again_records_nothing(world, now):
    services.set_account_team(
        world.account_a, [{"user_id": world.rep_a.id, "role": "AR"}], actor=world.rep_a, now=now
    )
    assert _audit(world.account_a, "update") == []


def test_empty_list_clears_the_team(world, now):
    services.set_account_team(world.account_a, [], actor=world.rep_a, now=now)
    assert world.account_a.members == []
    [entry] = _audit(world.account_a, "update")
    assert entry.changes == {"team": [[[world.rep_a.id, "AR"]], []]}


@pytest.mark.parametrize(
    "member",
    [
        {"user_id": 999_999, "role": "AR"},
        {"user_id": None, "role": "AR"},
        {"user_id": "1", "role": "AR"},
        {"user_id": 1, "role": "XR"},
        {"user_id": 1, "role": None},
        {"role": "AR"},
        "not a row",
    ],
)
def test_account_team_refuses_unknown_users_and_roles(world, now, member):
    with pytest.raises(ValidationFailed) as error:
        services.set_account_team(world.account_a, [member], actor=world.rep_a, now=now)
    assert set(error.value.fields) == {"members"}
    assert [m.role.value for m in world.account_a.members] == ["AR"]


def test_account_team_refuses_new_inactive_people_and_duplicates_all_at_once(world, now):
    gone = f.make_user(team=world.team_a, active=False, name="Gone Person")
    with pytest.raises(ValidationFailed) as error:
        services.set_account_team(
            world.account_a,
            [
                {"user_id": gone.id, "role": "SR"},
                {"user_id": world.rep_a.id, "role": "AR"},
                {"user_id": world.rep_a.id, "role": "AR"},
            ],
            actor=world.rep_a,
            now=now,
        )
    problems = error.value.fields["members"]
    assert len(problems) == 2 and "Gone Person" in problems[0] and "Li Ming" in problems[1]


def test_a_leaver_already_on_the_team_may_stay_until_handed_over(world, now):
    world.rep_a.active = False
    services.set_account_team(
        world.account_a,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "SR"}],
        actor=world.director_a,
        now=now,
    )
    assert sorted(m.role.value for m in world.account_a.members) == ["AR", "SR"]
    with pytest.raises(ValidationFailed):  # but not into a new role
        services.set_account_team(
            world.account_a,
            [{"user_id": world.rep_a.id, "role": "FR"}],
            actor=world.director_a,
            now=now,
        )


def test_rep_on_the_account_team_cannot_move_the_account_into_their_own_team(world, now):
    with pytest.raises(ValidationFailed) as error:
        change = {"version": world.shared.version, "team_id": world.team_b.id}
        services.update_account(world.shared, change, actor=world.rep_b, now=now)
    assert "team_id" in error.value.fields
    assert world.shared.team_id == world.team_a.id
