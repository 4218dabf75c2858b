"""What the contact page shows: the profile, the reporting line, our people with a live tie, the
contact history and the contact's own history, and what the reader may do — computed here, so
the template renders."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salesflow import clock, scope
from salesflow.audit import words
from salesflow.auth.models import User
from salesflow.contacts import queries
from salesflow.contacts.forms import LeaveForm
from salesflow.contacts.models import Contact
from salesflow.forms import ButtonForm
from salesflow.interactions import timeline
from salesflow.merges import chooser
from salesflow.merges.models import MergeKind
from salesflow.ties.queries import live_ties


@dataclass
class ContactPage:
    contact: Contact
    reports: list[Contact]  # direct reports
    ties: list[tuple[User, float]]  # our people with a live tie, strongest first
    timeline: timeline.Timeline  # a page of it
    history: list[words.HistoryRow]  # in words: the managers by name, the values by label
    can_edit: bool
    can_delete: bool
    can_mark_left: bool  # still at the customer, not deleted, and the reader may edit
    can_add_report: bool  # a current contact the reader may edit
    leave_form: LeaveForm
    version_form: ButtonForm
    merge_panel: Any = None


def build(contact: Contact, user: User, now: datetime, *, before: int | None = None) -> ContactPage:
    """Everything the contact page shows, as `user` may see it, as of `now` (the contact history
    from the newest, or older than interaction `before`)."""
    can_edit = scope.can_edit_contact(user, contact)
    return ContactPage(
        contact=contact,
        reports=queries.direct_reports(contact),
        ties=live_ties(contact.account_id, now=now, contact_id=contact.id).get(contact.id, []),
        timeline=timeline.of(user, now=now, before=before, contact_id=contact.id),
        history=words.history("contacts", contact.id, user),
        can_edit=can_edit,
        can_delete=scope.can_delete(user, contact.account),
        can_mark_left=can_edit and not contact.is_deleted and contact.left_on is None,
        can_add_report=can_edit and contact.is_current,
        leave_form=LeaveForm(left_on=clock.today(now), version=contact.version),
        version_form=ButtonForm(version=contact.version),
        merge_panel=chooser.panel(user, MergeKind.contacts, contact.id, now),
    )
