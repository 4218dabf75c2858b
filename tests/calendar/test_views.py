"""The calendar from the outside: the feed URL without a login (404 once replaced, turned off or
its user deactivated), the "Your calendar" section of the account page, the .ics download of
one next step, and POST /api/v1/me/calendar."""

from datetime import date

import pytest
from icalendar import Calendar

from salesflow.extensions import db
from tests import factories as f
from tests.conftest import api_as, login


@pytest.fixture
def step(world, now):
    made = f.make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        next_step="Call back",
        next_step_due=date(2026, 11, 25),
    )
    db.session.commit()
    return made


def _path(url: str) -> str:
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def test_the_api_makes_an_address_whose_feed_needs_no_login(app, client, world, step):
    api = api_as(app, world.rep_a)
    response = api.post("/me/calendar")
    assert response.status_code == 201 and set(response.json) == {"url"}
    feed = client.get(_path(response.json["url"]))  # no session, no token: the URL is the key
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.headers["Cache-Control"] == "no-store"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Call back · Huadong Power"]


def test_a_new_address_ends_the_old_and_delete_turns_it_off(app, client, world, step):
    api = api_as(app, world.rep_a)
    first = _path(api.post("/me/calendar").json["url"])
    second = _path(api.post("/me/calendar").json["url"])
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert api.delete("/me/calendar").status_code == 204
    assert client.get(second).status_code == 404


def test_a_deactivated_users_feed_is_404(app, client, world, step):
    path = _path(api_as(app, world.rep_a).post("/me/calendar").json["url"])
    admin = api_as(app, world.admin)
    response = admin.patch(f"/users/{world.rep_a.id}", json={"active": False})
    assert response.status_code == 200
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("token", ["unknown", "x" * 500, "%00", "..%2F..%2Fetc"])
def test_unknown_tokens_are_404(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_api_needs_a_token(client):
    assert client.post("/api/v1/me/calendar").status_code == 401
    assert client.delete("/api/v1/me/calendar").status_code == 401


def test_the_account_page_shows_a_new_address_once(client, world, step):
    login(client, world.rep_a)
    page = client.get("/me").text
    assert "You have no calendar address." in page and "8 to 24 hours" in page
    made = client.post("/me/calendar")
    assert made.status_code == 200
    url = made.text.split('id="calendar-url" type="text" readonly value="')[1].split('"')[0]
    assert client.get(_path(url)).status_code == 200
    assert f'href="webcal://localhost{_path(url)}"' in made.text
    again = client.get("/me").text
    assert _path(url) not in again and "Your calendar address was made on" in again
    remade = client.post("/me/calendar").text
    assert client.get(_path(url)).status_code == 404 and "calendar-url" in remade
    off = client.post("/me/calendar/revoke", follow_redirects=True)
    assert (
        "Your calendar address is off" in off.text and "You have no calendar address." in off.text
    )


def test_one_next_step_downloads_as_an_ics_file(client, world, step, now):
    login(client, world.rep_a)
    page = client.get(f"/interactions/{step.id}").text
    assert f'href="/interactions/{step.id}/next-step.ics"' in page
    response = client.get(f"/interactions/{step.id}/next-step.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert event["DTSTART"].dt == date(2026, 11, 25) and "REFRESH-INTERVAL" not in response.text
    assert event["UID"] == f"interaction-{step.id}@127.0.0.1"  # the feed's own: no duplicate


def test_no_download_without_an_open_step_or_outside_the_scope(client, world, step, now):
    login(client, world.rep_a)
    bare = world.interaction_a  # no next step
    assert "next-step.ics" not in client.get(f"/interactions/{bare.id}").text
    assert client.get(f"/interactions/{bare.id}/next-step.ics").status_code == 404
    login(client, world.rep_b)
    assert client.get(f"/interactions/{step.id}/next-step.ics").status_code == 404
