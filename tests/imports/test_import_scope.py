"""Who may import what (scope.can_import, importable_accounts), the World's table:

| who        | may import                                  | into                       |
|------------|---------------------------------------------|----------------------------|
| rep_a      | accounts, contacts, their own interactions  | team A's accounts only     |
| director_a | every kind                                  | team A's accounts          |
| admin      | every kind                                  | every team                 |
| leader     | nothing                                     |                            |

rep_b sits on the account team of "Shared Steel" (team A): they see it, but it is not theirs to
import into. Accounts outside sight are "not found", never "another team's"."""

import pytest

from salesflow import scope
from salesflow.errors import Forbidden, NotFound
from salesflow.imports import services
from tests.imports.import_helpers import csv_bytes, dry_run, messages, outcomes, rows

CONTACTS = csv_bytes(
    ["客户名称", "姓名"], ["Huadong Power", "甲"], ["Nanfang Grid", "乙"], ["Shared Steel", "丙"]
)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep_a", {1: "create", 2: "error", 3: "create"}),
        ("rep_b", {1: "error", 2: "create", 3: "error"}),
        ("director_a", {1: "create", 2: "error", 3: "create"}),
        ("director_b", {1: "error", 2: "create", 3: "error"}),
        ("admin", {1: "create", 2: "create", 3: "create"}),
    ],
)
def test_each_imports_into_their_own_teams_accounts_only(world, now, who, expected):
    imp = dry_run(CONTACTS, getattr(world, who), now, kind="contacts")
    assert outcomes(imp) == expected


def test_a_rep_on_another_teams_account_team_is_told_it_is_not_theirs(world, now):
    found = rows(dry_run(CONTACTS, world.rep_b, now, kind="contacts"))
    assert "another team" in messages(found[3])  # Shared Steel: they see it
    assert "that you can see" in messages(found[1])  # Huadong Power: they do not


def test_leadership_imports_nothing_and_reps_no_deals(world, now):
    assert not scope.can_import(world.leader)
    with pytest.raises(Forbidden):
        dry_run(CONTACTS, world.leader, now, kind="contacts")
    assert scope.can_import(world.rep_a, "contacts")
    assert not scope.can_import(world.rep_a, "opportunities")


def test_a_director_cannot_create_accounts_in_another_team(world, now):
    data = csv_bytes(["name", "team"], ["新客户", "South"], ["新客户二", "North"])
    imp = dry_run(data, world.director_a, now, kind="accounts")
    assert outcomes(imp) == {1: "error", 2: "create"}


def test_vcards_into_one_account_must_be_an_account_of_your_team(world, now):
    from salesflow.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        dry_run(CONTACTS, world.rep_a, now, kind="contacts", account_id=world.account_b.id)
    assert "account_id" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        dry_run(CONTACTS, world.director_a, now, kind="interactions", account_id=world.account_a.id)
    assert "Only contacts" in caught.value.fields["account_id"][0]


def test_imports_are_seen_by_their_importer_their_director_and_admins(world, now):
    imp = dry_run(CONTACTS, world.rep_a, now, kind="contacts")
    for who in ("rep_a", "director_a", "admin"):
        assert services.visible(getattr(world, who), imp.id) is imp
    for who in ("rep_a2", "director_b", "rep_b", "leader"):
        with pytest.raises(NotFound):
            services.visible(getattr(world, who), imp.id)


def test_only_the_importer_commits_or_remaps(world, now):
    imp = dry_run(CONTACTS, world.rep_a, now, kind="contacts")
    with pytest.raises(Forbidden):
        services.claim_commit(imp, actor=world.director_a, now=now)
    with pytest.raises(Forbidden):
        services.remap(imp, {"mode": "create"}, actor=world.director_a, now=now)
