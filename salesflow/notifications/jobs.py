"""The notifications' scheduled job (scheduler/registry.py names it): sending the e-mails due.
It takes the moment it runs for and returns a one-line summary."""

from datetime import datetime

from flask_babel import gettext as _

from salesflow.notifications import email


def send_emails(now: datetime) -> str:
    sent, failed = email.send_pending(now=now)
    return _("%(sent)d e-mails sent, %(failed)d to retry or failed", sent=sent, failed=failed)
