"""Scoped reads of interactions: timelines, My day."""

from salesflow.auth.models import User
from salesflow.interactions.models import Interaction


def timeline(
    user: User,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    limit: int = 20,
) -> list[Interaction]:
    """Newest first, participants and attendees loaded with it. (Being built.)"""
    return []
