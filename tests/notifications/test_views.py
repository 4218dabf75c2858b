"""The notifications page: my notifications only, the bell's unread count, open (marks read and
goes to the page it is about), mark as read, mark all as read."""

import re

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications import services
from salesflow.notifications.models import Notification
from tests.conftest import login


def _tell(user, now, link="/handovers/1"):
    return services.notify(
        [user],
        "handover_complete",
        params={"from_user": "Li Ming", "to_user": "Zhao Lei"},
        link=link,
        now=now,
    )[0]


def test_the_page_lists_my_notifications_and_the_bell_counts_unread(client, world, now):
    mine = _tell(world.rep_a, now)
    _tell(world.rep_a2, now)
    db.session.commit()
    login(client, world.rep_a)
    page = client.get("/notifications").text
    assert "The handover from Li Ming to Zhao Lei is complete" in page
    assert re.findall(r'id="notification-(\d+)"', page) == [str(mine.id)]
    assert '<span class="badge text-bg-danger" id="unread-count">1</span>' in page


def test_open_marks_read_and_goes_to_the_page(client, world, now):
    notification = _tell(world.rep_a, now)
    db.session.commit()
    login(client, world.rep_a)
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/handovers/1"
    assert notification.read_at == now
    assert 'id="unread-count"' not in client.get("/notifications").text


def test_mark_read_and_mark_all_read(client, world, now):
    first, _second = _tell(world.rep_a, now), _tell(world.rep_a, now)
    db.session.commit()
    login(client, world.rep_a)
    client.post(f"/notifications/{first.id}/read")
    assert first.read_at == now
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "All notifications marked as read." in response.text
    unread = (
        sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))
    )
    assert db.session.scalar(unread) == 0


def test_someone_elses_notification_is_404(client, world, now):
    theirs = _tell(world.rep_a2, now)
    db.session.commit()
    login(client, world.rep_a)
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert theirs.read_at is None


def test_an_outside_link_is_never_followed(client, world, now):
    notification = _tell(world.rep_a, now, link="//evil.example/")
    db.session.commit()
    login(client, world.rep_a)
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == "/notifications"
