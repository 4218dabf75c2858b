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
            AuditEntry.entity_type == "accounts", AuditEntry.entity_id == account.id,
            AuditEntry.action == action,
        )
    ).all()  # fmt: skip


def test_rep_creates_account_in_own_team_by_default(world, now):
    account = services.create_account({"name": " 华东电力 "}, actor=world.rep_a, now=now)
    assert account.name == "华东电力" and account.team_id == world.team_a.id
    assert account.tier == "C" and account.created_by_id == world.rep_a.id
    [entry] = _audit(account, "create")
    assert entry.changes["name"] == [None, "华东电力"] and entry.actor_id == world.rep_a.id


def test_every_problem_is_reported_at_once(world, now):
    with pytest.raises(ValidationFailed) as error:
        services.create_account(
            {"name": "", "tier": "Z", "team_id": world.team_b.id, "website": "not a site"},
            actor=world.rep_a, now=now,
        )  # fmt: skip
    assert set(error.value.fields) == {"name", "tier", "team_id", "website"}


def test_website_without_scheme_gets_https(world, now):
    account = services.create_account(
        {"name": "Acme", "website": "acme.example.com"}, actor=world.rep_a, now=now
    )
    assert account.website == "https://acme.example.com"


def test_update_records_old_and_new_values(world, now):
    services.update_account(world.account_a, {"tier": "A", "industry": "Power"},
                            actor=world.rep_a, now=now)  # fmt: skip
    [entry] = _audit(world.account_a, "update")
    assert entry.changes == {"tier": ["B", "A"], "industry": ["Manufacturing", "Power"]}


def test_update_that_changes_nothing_records_nothing(world, now):
    services.update_account(world.account_a, {"name": world.account_a.name},
                            actor=world.rep_a, now=now)  # fmt: skip
    assert _audit(world.account_a, "update") == []


def test_stale_version_is_a_conflict_and_changes_nothing(world, now):
    version = world.account_a.version
    services.update_account(world.account_a, {"notes": "first"}, actor=world.rep_a, now=now)
    with pytest.raises(Conflict):
        services.update_account(world.account_a, {"notes": "second", "version": version},
                                actor=world.rep_a2, now=now)  # fmt: skip
    assert world.account_a.notes == "first"


def test_parent_cycle_is_refused(world, now):
    child = f.make_account(team=world.team_a, name="Child")
    services.update_account(child, {"parent_id": world.account_a.id}, actor=world.rep_a, now=now)
    with pytest.raises(ValidationFailed) as error:
        services.update_account(world.account_a, {"parent_id": child.id}, actor=world.rep_a,
                                now=now)  # fmt: skip
    assert "parent_id" in error.value.fields
    with pytest.raises(ValidationFailed):
        services.update_account(child, {"parent_id": child.id}, actor=world.rep_a, now=now)


def test_parent_outside_scope_is_refused(world, now):
    with pytest.raises(ValidationFailed) as error:
        services.update_account(world.account_a, {"parent_id": world.account_b.id},
                                actor=world.rep_a, now=now)  # fmt: skip
    assert "parent_id" in error.value.fields


def test_rep_cannot_delete(world, now):
    with pytest.raises(Forbidden):
        services.delete_account(world.account_a, actor=world.rep_a, now=now)


def test_director_deletes_and_restores_own_team_only(world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    assert world.account_a.deleted_at == now
    services.restore_account(world.account_a, actor=world.director_a, now=now)
    assert world.account_a.deleted_at is None
    assert len(_audit(world.account_a, "delete")) == len(_audit(world.account_a, "restore")) == 1
    with pytest.raises(Forbidden):
        services.delete_account(world.account_a, actor=world.director_b, now=now)


def test_account_team_is_replaced_and_audited(world, now):
    services.set_account_team(
        world.account_a,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "SR"},
         {"user_id": world.director_a.id, "role": "sponsor"}],
        actor=world.rep_a, now=now,
    )  # fmt: skip
    roles = sorted((m.user_id, m.role.value) for m in world.account_a.members)
    assert roles == sorted([(world.rep_a.id, "AR"), (world.rep_a2.id, "SR"),
                            (world.director_a.id, "sponsor")])  # fmt: skip
    [entry] = _audit(world.account_a, "update")
    assert entry.changes["team"][0] == [[world.rep_a.id, "AR"]]


@pytest.mark.parametrize(
    "member",
    [{"user_id": 999_999, "role": "AR"}, {"user_id": None, "role": "XR"}],
)
def test_account_team_refuses_unknown_users_and_roles(world, now, member):
    with pytest.raises(ValidationFailed):
        services.set_account_team(world.account_a, [member], actor=world.rep_a, now=now)
    assert [m.role.value for m in world.account_a.members] == ["AR"]


def test_account_team_refuses_inactive_users_and_duplicates(world, now):
    gone = f.make_user(team=world.team_a, active=False)
    with pytest.raises(ValidationFailed) as error:
        services.set_account_team(
            world.account_a,
            [{"user_id": gone.id, "role": "SR"}, {"user_id": world.rep_a.id, "role": "AR"},
             {"user_id": world.rep_a.id, "role": "AR"}],
            actor=world.rep_a, now=now,
        )  # fmt: skip
    assert len(error.value.fields["members"]) == 2
