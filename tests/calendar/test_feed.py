"""The calendar feed, parsed back with `icalendar` and checked against RFC 5545: which next steps
it holds (open ones of interactions the user logged or took part in, in their scope), all-day
events with a stable UID and a SEQUENCE that grows, and the address's life: regenerated, turned
off, or its user deactivated, the old address answers 404."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from salesflow.audit.models import AuditEntry
from salesflow.auth import services as auth_services
from salesflow.calendar import ics, services
from salesflow.calendar.models import CalendarFeed
from salesflow.errors import Forbidden
from salesflow.extensions import db
from salesflow.interactions import services as interaction_services
from tests import factories as f

DUE = date(2026, 12, 3)
ZERO = timedelta(0)


@pytest.fixture
def steps(world, now):
    """rep_a's next steps, and some that are not theirs to see in the feed."""
    step = dict(next_step_due=DUE)
    made = {
        "own": f.make_interaction(
            account=world.account_a, owner=world.rep_a, next_step="Send the quote", **step
        ),
        "with_me": f.make_interaction(
            account=world.shared,
            owner=world.rep_a2,
            participants=[world.rep_a2, world.rep_a],
            next_step="Book the demo",
            next_step_due=DUE + timedelta(3),
        ),
        "overdue": f.make_interaction(
            account=world.account_a,
            owner=world.rep_a,
            next_step="Chase the PO",
            next_step_due=DUE - timedelta(30),
        ),
        "done": f.make_interaction(
            account=world.account_a, owner=world.rep_a, next_step="Done already", **step
        ),
        "no_date": f.make_interaction(
            account=world.account_a, owner=world.rep_a, next_step="Some day"
        ),
        "deleted": f.make_interaction(
            account=world.account_a,
            owner=world.rep_a,
            next_step="Deleted one",
            deleted=True,
            **step,
        ),
        "others": f.make_interaction(
            account=world.account_a, owner=world.rep_a2, next_step="Not mine", **step
        ),
        "out_of_scope": f.make_interaction(
            account=world.account_b,
            owner=world.rep_b,
            participants=[world.rep_b, world.rep_a],
            next_step="Their team's",
            **step,
        ),
    }
    made["done"].next_step_done_at = now
    db.session.flush()
    return made


def _parse(body: bytes) -> Calendar:
    calendar = Calendar.from_ical(body)
    assert not [c.errors for c in calendar.walk() if c.errors]
    # RFC 5545 3.1: lines are folded at 75 octets, ended by CRLF
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines) and lines[-1] == b""
    return calendar


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(e["SUMMARY"]).split(" · ")[0]: e for e in calendar.walk("VEVENT")}


def test_the_feed_holds_the_users_open_next_steps_as_all_day_events(world, steps):
    calendar = _parse(ics.feed(world.rep_a))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    refresh = calendar["REFRESH-INTERVAL"]
    assert refresh.dt == timedelta(hours=1) and refresh.params["VALUE"] == "DURATION"
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"  # an X- property: kept as text
    assert calendar["X-WR-CALNAME"] == "salesflow next steps · Li Ming"
    events = _events(calendar)
    assert set(events) == {"Send the quote", "Book the demo", "Chase the PO"}
    own, interaction = events["Send the quote"], steps["own"]
    assert own["UID"] == f"interaction-{interaction.id}@127.0.0.1"
    assert own["SUMMARY"] == "Send the quote · Huadong Power"
    assert own["DTSTART"].dt == DUE and own["DTSTART"].params["VALUE"] == "DATE"
    assert own["DTEND"].dt == DUE + timedelta(days=1)  # one whole day
    assert own["DTSTAMP"].dt == interaction.updated_at and own["DTSTAMP"].dt.utcoffset() == ZERO
    assert (
        own.to_ical().decode().count("DTSTAMP:" + interaction.updated_at.strftime("%Y%m%dT%H%M%SZ"))
    )
    assert own["SEQUENCE"] == 0 and own["TRANSP"] == "TRANSPARENT"
    link = f"http://localhost/interactions/{interaction.id}"
    assert link in own["DESCRIPTION"] and own["URL"] == link


def test_the_uid_stays_and_the_sequence_grows_when_the_step_changes(world, steps, now):
    before = _events(_parse(ics.feed(world.rep_a)))["Send the quote"]
    interaction = steps["own"]
    later = now + timedelta(hours=2)
    interaction_services.update_interaction(
        interaction,
        {
            "next_step": "Send the revised quote",
            "next_step_due": DUE + timedelta(1),
            "version": interaction.version,
        },
        actor=world.rep_a,
        now=later,
    )
    db.session.flush()
    after = _events(_parse(ics.feed(world.rep_a)))["Send the revised quote"]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["DTSTART"].dt == DUE + timedelta(days=1)
    assert after["DTSTAMP"].dt >= before["DTSTAMP"].dt
    interaction_services.complete_next_step(
        interaction, {"version": interaction.version}, actor=world.rep_a, now=later
    )
    db.session.flush()
    assert "Send the revised quote" not in _events(_parse(ics.feed(world.rep_a)))


def test_a_capped_feed_drops_the_oldest_overdue_steps_first(world, steps, monkeypatch):
    monkeypatch.setattr(ics, "FEED_LIMIT", 2)
    assert set(_events(_parse(ics.feed(world.rep_a)))) == {"Send the quote", "Book the demo"}


def test_a_new_address_replaces_the_old_one(world, now):
    first = services.create_feed(world.rep_a, actor=world.rep_a, now=now)
    assert services.user_for_token(first) == world.rep_a
    second = services.create_feed(world.rep_a, actor=world.rep_a, now=now)
    assert second != first
    assert services.user_for_token(first) is None and services.user_for_token(second) == world.rep_a
    feeds = db.session.scalars(sa.select(CalendarFeed)).all()
    assert len(feeds) == 1 and second not in feeds[0].token_hash  # only the hash is kept
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "calendar_feeds")
    ).all()
    assert actions == ["create", "update"]


def test_turning_the_address_off_and_unknown_tokens(world, now):
    token = services.create_feed(world.rep_a, actor=world.rep_a, now=now)
    assert services.revoke_feed(world.rep_a, actor=world.rep_a, now=now) is True
    assert services.user_for_token(token) is None
    assert services.revoke_feed(world.rep_a, actor=world.rep_a, now=now) is False
    assert services.user_for_token("") is None and services.user_for_token("x" * 5000) is None


def test_deactivating_a_user_revokes_their_feed(world, now):
    token = services.create_feed(world.rep_a, actor=world.rep_a, now=now)
    auth_services.update_user(world.rep_a, {"active": False}, actor=world.admin, now=now)
    assert services.feed_of(world.rep_a) is None and services.user_for_token(token) is None
    auth_services.update_user(world.rep_a, {"active": True}, actor=world.admin, now=now)
    assert services.user_for_token(token) is None  # back at work: a new address is needed


def test_only_the_user_makes_their_address_and_an_admin_may_turn_it_off(world, now):
    with pytest.raises(Forbidden):
        services.create_feed(world.rep_a, actor=world.admin, now=now)
    services.create_feed(world.rep_a, actor=world.rep_a, now=now)
    with pytest.raises(Forbidden):
        services.revoke_feed(world.rep_a, actor=world.director_a, now=now)
    assert services.revoke_feed(world.rep_a, actor=world.admin, now=now) is True
