"""Scoped reads of contacts for pages and the API."""

from dataclasses import dataclass, field
from datetime import datetime

from salesflow.auth.models import User
from salesflow.contacts.models import Contact


@dataclass
class ChainNode:
    """One box of the decision-chain org chart: the contact, their reports, our live ties."""

    contact: Contact
    children: list["ChainNode"] = field(default_factory=list)
    # Our people with a live tie to this contact (an interaction together within the tie window),
    # strongest first, with the tie strength of PRODUCT.md's definition.
    ties: list[tuple[User, float]] = field(default_factory=list)


def decision_chain(account_id: int, *, now: datetime) -> list[ChainNode]:
    """The account's current contacts as a forest by reports_to, roots first. (Being built.)"""
    return []
