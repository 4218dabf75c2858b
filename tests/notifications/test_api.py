"""GET /notifications: the caller's own, newest first, in pages of {"items", "next_cursor"};
marking one read."""

from salesflow.notifications import services
from tests.conftest import api_as

FIELDS = {"id", "kind", "message", "params", "link", "created_at", "read_at"}


def _tell(user, now):
    return services.notify(
        [user],
        "roles_transferred",
        params={"actor": "Director North", "from_user": "Li Ming", "to_user": "Zhao Lei"},
        link="/handovers/7",
        now=now,
    )[0]


def test_the_callers_notifications_newest_first_in_pages(app, world, now):
    ids = [_tell(world.rep_a, now).id for _ in range(3)]
    _tell(world.rep_a2, now)
    api = api_as(app, world.rep_a)
    first = api.get("/notifications?limit=2").get_json()
    assert set(first) == {"items", "next_cursor"}
    assert [n["id"] for n in first["items"]] == [ids[2], ids[1]] and first["next_cursor"]
    item = first["items"][0]
    assert set(item) == FIELDS
    assert item["message"] == "Director North transferred the roles of Li Ming to Zhao Lei."
    assert (item["kind"], item["link"], item["read_at"]) == (
        "roles_transferred",
        "/handovers/7",
        None,
    )
    second = api.get(f"/notifications?limit=2&cursor={first['next_cursor']}").get_json()
    assert [n["id"] for n in second["items"]] == [ids[0]] and second["next_cursor"] is None


def test_reading_one_and_listing_unread(app, world, now):
    read, unread = _tell(world.rep_a, now), _tell(world.rep_a, now)
    theirs = _tell(world.rep_a2, now)
    api = api_as(app, world.rep_a)
    response = api.post(f"/notifications/{read.id}/read")
    assert response.status_code == 200 and response.get_json()["read_at"]
    assert [n["id"] for n in api.get("/notifications?unread=true").get_json()["items"]] == [
        unread.id
    ]
    assert api.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert api.get("/notifications?limit=0").status_code == 422
