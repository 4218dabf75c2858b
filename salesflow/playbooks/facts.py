"""What the exit gates of one opportunity look at, as small immutable values.

Built by a handful of set-wise queries when opportunities arrive (STYLE.md rule 11); the gates
evaluate them as pure functions, so every rule of PLAYBOOKS.md's gate table is tested without a
database.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class RoleFact:
    """One iron-triangle seat on the opportunity."""

    role: str  # AR, SR, FR
    user_id: int
    user_name: str
    active: bool = True


@dataclass(frozen=True)
class ContactFact:
    """A contact of the opportunity's account; `current` = neither deleted nor left."""

    id: int
    name: str
    decision_role: str
    attitude: str = "unknown"
    level: str | None = None
    current: bool = True


@dataclass(frozen=True)
class InteractionFact:
    """A logged interaction on the account; `on_opportunity` when linked to this opportunity."""

    id: int
    kind: str
    occurred_at: datetime
    attendee_ids: frozenset[int] = frozenset()
    on_opportunity: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class ApprovalFact:
    """One approval decision, in the order they were given."""

    key: str
    decision: str  # approve / reject
    by_role: str
    at: datetime


@dataclass(frozen=True)
class RequestFact:
    """A request between our people on the opportunity that the colleague asked marked done."""

    kind: str
    done_at: datetime


@dataclass(frozen=True)
class OpportunityFacts:
    amount: Decimal | None = None
    expected_close: date | None = None
    customer_need: str | None = None
    competitors: str | None = None
    roles: tuple[RoleFact, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    interactions: tuple[InteractionFact, ...] = ()
    ticked: frozenset[str] = field(default_factory=frozenset)  # checklist keys, current stage
    approvals: tuple[ApprovalFact, ...] = ()
    requests_done: tuple[RequestFact, ...] = ()
