"""Who sees which interactions: timelines, pages and the API all follow scope.py."""

import pytest

from salesflow.interactions.queries import timeline
from tests.conftest import login
from tests.factories import make_interaction


def test_timeline_excludes_deleted_and_out_of_scope(now, world):
    deleted = make_interaction(account=world.account_a, owner=world.rep_a, deleted=True)
    ids = {i.id for i in timeline(world.rep_a)}
    assert world.interaction_a.id in ids and world.interaction_shared.id in ids
    assert world.interaction_b.id not in ids and deleted.id not in ids
    assert [i.id for i in timeline(world.rep_b, account_id=world.account_a.id)] == []
    assert [i.id for i in timeline(world.rep_b, contact_id=world.contact_b.id)] == [
        world.interaction_b.id
    ]


def test_timeline_is_newest_first_and_limited(now, world):
    old = make_interaction(account=world.account_a, owner=world.rep_a, days_ago=10)
    older = make_interaction(account=world.account_a, owner=world.rep_a, days_ago=20)
    items = timeline(world.rep_a, account_id=world.account_a.id)
    assert [i.id for i in items] == [world.interaction_a.id, old.id, older.id]
    assert len(timeline(world.rep_a, account_id=world.account_a.id, limit=2)) == 2


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("rep_a", {"a", "shared"}),
        ("rep_b", {"b", "shared"}),
        ("director_b", {"b"}),
        ("leader", {"a", "b", "shared"}),
        ("admin", {"a", "b", "shared"}),
    ],
)
def test_each_role_sees_the_interactions_of_its_scope(now, world, who, visible):
    ids = {i.id for i in timeline(getattr(world, who))}
    expected = {getattr(world, f"interaction_{name}").id for name in visible}
    assert ids == expected


def test_rep_gets_404_for_other_teams_interaction_by_url(client, now, world):
    login(client, world.rep_a)
    interaction = world.interaction_b
    assert client.get(f"/interactions/{interaction.id}").status_code == 404
    assert client.get(f"/interactions/{interaction.id}/edit").status_code == 404
    assert client.post(f"/interactions/{interaction.id}/done").status_code == 404
    assert client.post(f"/interactions/{interaction.id}/delete").status_code == 404


def test_rep_who_took_no_part_cannot_edit(client, now, world):
    login(client, world.rep_a2)
    page = client.get(f"/interactions/{world.interaction_a.id}").get_data(as_text=True)
    assert f"/interactions/{world.interaction_a.id}/edit" not in page
    response = client.post(
        f"/interactions/{world.interaction_a.id}/edit",
        data={"kind": "visit", "occurred_at": "2026-11-20T10:00", "summary": "Hijack"},
    )
    assert response.status_code == 403
    assert world.interaction_a.summary != "Hijack"
