"""E-mail of the digest and urgent notifications through a real local SMTP server (aiosmtpd):
in the reader's language with the link; a server that fails is logged and retried later, and
the in-app notification stays whatever happens."""

import asyncio
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from salesflow.extensions import db
from salesflow.notifications import services
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner

BREACH = {"deal": "Grid upgrade", "stage": {"en": "Shape", "zh": "塑造"}, "days": 50, "sla": 45}


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://crm.example.com")
    yield inbox
    controller.stop()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_urgent_notifications_are_mailed_in_the_readers_language(smtp, world, now):
    world.rep_a2.locale = "zh"
    services.notify(
        [world.rep_a, world.rep_a2],
        "stage_sla_breach",
        params=BREACH,
        link="/opportunities/7",
        key="sla:7",
        now=now,
    )
    services.notify([world.rep_a], "handover_planned", params={}, now=now)  # in-app only
    assert runner.run("send_emails", now=now).detail == "2 e-mails sent, 0 to retry or failed"
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {world.rep_a.email, world.rep_a2.email}
    english = by_to[world.rep_a.email]
    assert _subject(english).startswith("salesflow: Grid upgrade has been in the stage Shape")
    assert "https://crm.example.com/opportunities/7" in english.get_payload(decode=True).decode()
    assert "塑造" in _subject(by_to[world.rep_a2.email])
    states = db.session.execute(sa.select(Notification.kind, Notification.email_state)).all()
    assert sorted(states, key=str) == sorted(
        [("stage_sla_breach", "sent"), ("stage_sla_breach", "sent"), ("handover_planned", None)],
        key=str,
    )


def test_a_failing_server_is_logged_and_retried_and_nothing_is_lost(
    app, smtp, monkeypatch, caplog, world, now
):
    working = app.config["SMTP_PORT"]
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    services.notify([world.rep_a], "stage_sla_breach", params=BREACH, key="sla:7", now=now)
    with caplog.at_level(logging.WARNING, logger="salesflow.notifications.email"):
        result = runner.run("send_emails", now=now)
    assert result.detail == "0 e-mails sent, 1 to retry or failed"
    assert "SMTP server 127.0.0.1" in caplog.text
    notification = db.session.scalar(sa.select(Notification))
    assert (notification.email_state, notification.email_attempts) == ("pending", 1)
    assert notification.email_next_at == now + timedelta(minutes=5)
    assert notification.read_at is None and notification.kind == "stage_sla_breach"  # in-app
    # not due yet a minute later; once the server is back, the next try after the pause sends it
    monkeypatch.setitem(app.config, "SMTP_PORT", working)
    assert runner.run("send_emails", now=now + timedelta(minutes=1), force=True).detail == (
        "0 e-mails sent, 0 to retry or failed"
    )
    assert runner.run("send_emails", now=now + timedelta(minutes=5)).detail == (
        "1 e-mails sent, 0 to retry or failed"
    )
    assert [m["To"] for m in smtp.messages] == [world.rep_a.email]
    db.session.refresh(notification)
    assert notification.email_state == "sent" and notification.email_error is None


def test_it_gives_up_after_the_last_attempt(app, smtp, monkeypatch, world, now):
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())
    monkeypatch.setitem(app.config, "EMAIL_MAX_ATTEMPTS", 2)
    services.notify([world.rep_a], "weekly_digest", params={"team": "North"}, key="d", now=now)
    runner.run("send_emails", now=now)
    runner.run("send_emails", now=now + timedelta(minutes=5))
    notification = db.session.scalar(sa.select(Notification))
    assert (notification.email_state, notification.email_attempts) == ("failed", 2)
    assert "Connection refused" in notification.email_error or "Errno" in notification.email_error


def test_without_smtp_nothing_is_marked_for_e_mail(world, now):
    services.notify([world.rep_a], "stage_sla_breach", params=BREACH, key="sla:7", now=now)
    assert db.session.scalar(sa.select(Notification.email_state)) is None
