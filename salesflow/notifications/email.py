"""Sending the notifications marked for e-mail: in each recipient's language, over one SMTP
connection per batch. A failure is logged and the message retried later with a growing pause,
up to EMAIL_MAX_ATTEMPTS; the in-app notification is never touched by it."""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from salesflow import SUPPORTED_LOCALES, links
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.notifications.messages import render
from salesflow.notifications.models import Notification

log = logging.getLogger(__name__)
BATCH = 200
FIRST_PAUSE = timedelta(minutes=5)


def _message(notification: Notification, user: User) -> EmailMessage:
    config = current_app.config
    with force_locale(SUPPORTED_LOCALES.get(user.locale or "", config["BABEL_DEFAULT_LOCALE"])):
        text = render(notification.kind, notification.params)
        subject = _("salesflow: %(text)s", text=text if len(text) <= 80 else text[:79] + "…")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], user.email, subject
    link = links.absolute(notification.link) if notification.link else ""
    message.set_content(f"{text}\n\n{link}\n" if link else f"{text}\n")
    return message


def _failed(notification: Notification, error: Exception, now: datetime) -> None:
    notification.email_attempts += 1
    notification.email_error = repr(error)[:1000]
    if notification.email_attempts >= current_app.config["EMAIL_MAX_ATTEMPTS"]:
        notification.email_state, notification.email_next_at = "failed", None
    else:
        pause = FIRST_PAUSE * 2 ** (notification.email_attempts - 1)
        notification.email_next_at = now + pause


def send_pending(*, now: datetime) -> tuple[int, int]:
    """Send the notifications due for e-mail; returns (sent, failed this time). Flushes, never
    commits."""
    config = current_app.config
    due = db.session.execute(
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.email_state == "pending", Notification.email_next_at <= now)
        .order_by(Notification.email_next_at, Notification.id)
        .limit(BATCH)
    ).all()
    if not due or not config["SMTP_HOST"]:
        return 0, 0
    sent = failed = 0
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            for notification, user in due:
                try:
                    smtp.send_message(_message(notification, user))
                except smtplib.SMTPException as error:  # this message only
                    log.warning("e-mail of notification %s failed: %r", notification.id, error)
                    _failed(notification, error, now)
                    failed += 1
                    continue
                notification.email_state, notification.email_sent_at = "sent", now
                notification.email_next_at, notification.email_error = None, None
                sent += 1
    except (OSError, smtplib.SMTPException) as error:  # the server: every unsent one waits
        log.warning("SMTP server %s:%s failed: %r", config["SMTP_HOST"], config["SMTP_PORT"], error)
        for notification, _user in due:
            if notification.email_state == "pending" and notification.email_sent_at is None:
                _failed(notification, error, now)
                failed += 1
    db.session.flush()
    return sent, failed
