"""The quick log records a perception in the same form (issue 17): three optional fields on the
interaction form, and the service that logs the contact and, when a score is given, the
customer's perception from it — in one unit of work, so a refused perception keeps no log."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.interactions import services as interactions
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import expectations
from salesflow.key_accounts.expectations_models import PerceptionRecord, PerceptionSource

_SCORES = [SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(1, 6)]
_SOURCES = [SelectChoice("", "—")] + [
    SelectChoice(s.value, label)
    for s, label in (
        (PerceptionSource.meeting, _l("Meeting")),
        (PerceptionSource.survey, _l("Survey")),
        (PerceptionSource.complaint, _l("Complaint")),
    )
]
# the service's field names → the quick log's (the other problems go above the form)
_FIELDS = {"perceived": "perceived", "expected": "expected", "source": "perception_source"}


class PerceptionFields:
    """The quick log's optional perception: perceived and expected (1–5) and the source."""

    perceived = SelectField(_l("Perceived (1–5)"), choices=_SCORES, validate_choice=False)
    expected = SelectField(_l("Expected (1–5)"), choices=_SCORES, validate_choice=False)
    perception_source = SelectField(_l("Source"), choices=_SOURCES, validate_choice=False)

    def perception_data(self) -> dict[str, Any]:
        return {
            "perceived": self.perceived.data or None,  # type: ignore[attr-defined]
            "expected": self.expected.data or None,  # type: ignore[attr-defined]
            "source": self.perception_source.data or None,  # type: ignore[attr-defined]
        }


def _given(perception: dict[str, Any]) -> bool:
    return any(perception.get(k) not in (None, "") for k in _FIELDS)


def record_from_log(
    interaction: Interaction, perception: dict[str, Any], *, actor: User, now: datetime
) -> PerceptionRecord | None:
    """The perception of a logged contact (none when no field is given), at the contact's time
    (not later than now). Raises ValidationFailed with the quick log's field names."""
    if not _given(perception):
        return None
    account = db.session.get(Account, interaction.account_id)
    data = {**perception, "interaction_id": interaction.id, "at": min(interaction.occurred_at, now)}
    try:
        return expectations.record_perception(account, data, actor=actor, now=now)
    except ValidationFailed as refused:
        fields: dict[str, list[str]] = {}
        for name, messages in refused.fields.items():
            fields.setdefault(_FIELDS.get(name, "perception"), []).extend(messages)
        raise ValidationFailed(fields=fields) from refused


def log_with_perception(
    data: dict[str, Any], perception: dict[str, Any], *, actor: User, now: datetime
) -> Interaction:
    """Log the contact (interactions.services.log_interaction) and the perception it gave."""
    interaction = interactions.log_interaction(data, actor=actor, now=now)
    record_from_log(interaction, perception, actor=actor, now=now)
    return interaction
