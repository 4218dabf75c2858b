"""Rep dependency of one account: pure functions over small values, no database.

Every definition is PRODUCT.md's "Dependency analytics — exact definitions"; the comments name
each one. The set-wise loader (`dependency.queries`) builds an AccountInput per account from a
few queries, so the whole company's report never runs a query per account.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from salesflow.contacts.models import DecisionRole, key_role

ROLE_WEIGHTS = {
    "decision_maker": 3.0,
    "technical_evaluator": 2.0,
    "coach": 2.0,
    "user": 1.0,
    "influencer": 1.0,
    "gatekeeper": 1.0,
    "procurement": 1.0,
    "unknown": 0.5,
}
INFLUENCE_WEIGHTS = {"high": 1.5, "medium": 1.0, "low": 0.5}


class Risk(IntEnum):
    """Ordered, so "risk rises" is a comparison."""

    low = 0
    medium = 1
    high = 2


@dataclass(frozen=True)
class ContactIn:
    """A current contact of the account (deleted and left contacts take no part at all)."""

    id: int
    decision_role: str
    influence: str

    @property
    def importance(self) -> float:
        """role weight × influence weight."""
        return ROLE_WEIGHTS[self.decision_role] * INFLUENCE_WEIGHTS[self.influence]

    @property
    def is_key(self) -> bool:
        """Key contact (Contact.is_key; every ContactIn is current)."""
        return key_role(self.decision_role, self.influence)


@dataclass(frozen=True)
class AccountInput:
    account_id: int
    contacts: tuple[ContactIn, ...]
    # live tie strength s(E, C) > 0 per (user id, contact id); contacts of this account only
    ties: Mapping[tuple[int, int], float] = field(default_factory=dict)

    def without(self, user_ids: Iterable[int]) -> "AccountInput":
        """The account as if these users had no ties (the departure simulation)."""
        gone = set(user_ids)
        kept = {key: s for key, s in self.ties.items() if key[0] not in gone}
        return AccountInput(self.account_id, self.contacts, kept)


@dataclass(frozen=True)
class AccountMetrics:
    account_id: int
    shares: dict[int, float]  # by user; empty when there are no relationships
    top_share: float | None
    holder_id: int | None
    effective_holders: float | None  # 1 / HHI; None: no relationships
    key_contacts: tuple[int, ...]
    uncovered_key_contacts: tuple[int, ...]
    single_threaded_key_contacts: tuple[int, ...]
    multi_threaded_coverage: float | None  # None: no key contacts
    bus_factor: int
    risk: Risk


def shares(inp: AccountInput) -> dict[int, float]:
    """Share of each user: Σ_C importance(C)·s(E,C) over the account's total (Share)."""
    importance = {c.id: c.importance for c in inp.contacts}
    weight: dict[int, float] = {}
    for (user_id, contact_id), strength in inp.ties.items():
        if contact_id in importance:
            weight[user_id] = weight.get(user_id, 0.0) + importance[contact_id] * strength
    total = sum(weight.values())
    if total <= 0:
        return {}
    return {user_id: w / total for user_id, w in weight.items() if w > 0}


def _tied_users(inp: AccountInput) -> dict[int, set[int]]:
    """Per contact, the users with a live tie to them."""
    tied: dict[int, set[int]] = {c.id: set() for c in inp.contacts}
    for (user_id, contact_id), strength in inp.ties.items():
        if strength > 0 and contact_id in tied:
            tied[contact_id].add(user_id)
    return tied


def bus_factor(
    inp: AccountInput, share: Mapping[int, float], tied: Mapping[int, set[int]] | None = None
) -> int:
    """The fewest users whose removal leaves at least half of the key-contact importance with no
    live tie, computed greedily: each round removes the user whose removal uncovers the most
    key-contact importance; among equals the larger share, then the lowest id (Bus factor).
    `tied`: _tied_users(inp), when the caller has it (copied, not changed)."""
    keys = [c for c in inp.contacts if c.is_key]
    total = sum(c.importance for c in keys)
    tied = {cid: set(users) for cid, users in (tied or _tied_users(inp)).items()}
    users = {u for c in keys for u in tied[c.id]}

    def uncovered() -> float:
        return sum(c.importance for c in keys if not tied[c.id])

    removed = 0
    while total > 0 and uncovered() < total / 2 and users:

        def gain(user: int) -> float:
            return sum(c.importance for c in keys if tied[c.id] == {user})

        best = min(users, key=lambda u: (-gain(u), -share.get(u, 0.0), u))
        users.discard(best)
        for cid in tied:
            tied[cid].discard(best)
        removed += 1
    return removed


def account_metrics(inp: AccountInput) -> AccountMetrics:
    """Every figure of one account (PRODUCT.md, Dependency analytics)."""
    share = shares(inp)
    holder = min(share, key=lambda u: (-share[u], u)) if share else None
    hhi = sum(s * s for s in share.values())
    effective = 1 / hhi if hhi > 0 else None
    tied = _tied_users(inp)
    keys = [c for c in inp.contacts if c.is_key]
    uncovered = tuple(c.id for c in keys if not tied[c.id])
    single = tuple(c.id for c in keys if len(tied[c.id]) == 1)
    multi = sum(1 for c in keys if len(tied[c.id]) >= 2)
    coverage = multi / len(keys) if keys else None
    decision_makers = {c.id for c in keys if c.decision_role == DecisionRole.decision_maker}
    if effective is None or effective < 1.5 or decision_makers & set(uncovered + single):
        risk = Risk.high
    elif effective < 2.5 or single:
        risk = Risk.medium
    else:
        risk = Risk.low
    return AccountMetrics(
        account_id=inp.account_id,
        shares=share,
        top_share=share[holder] if holder is not None else None,
        holder_id=holder,
        effective_holders=effective,
        key_contacts=tuple(c.id for c in keys),
        uncovered_key_contacts=uncovered,
        single_threaded_key_contacts=single,
        multi_threaded_coverage=coverage,
        bus_factor=bus_factor(inp, share, tied),
        risk=risk,
    )


def has_live_decision_maker_tie(inp: AccountInput) -> bool:
    """Whether anyone of ours has a live tie to a current decision maker of the account."""
    tied = _tied_users(inp)
    return any(tied[c.id] for c in inp.contacts if c.decision_role == DecisionRole.decision_maker)


@dataclass(frozen=True)
class AccountDeparture:
    account_id: int
    before: AccountMetrics
    after: AccountMetrics
    newly_uncovered_key_contacts: tuple[int, ...]
    holder_left: bool  # a departing user is the account's holder (the largest share)
    loses_decision_makers: bool  # the account loses its last live tie to a decision maker

    @property
    def risk_rises(self) -> bool:
        return self.after.risk > self.before.risk


def _decision_maker_tied(inp: AccountInput, m: AccountMetrics) -> bool:
    """has_live_decision_maker_tie, from the account's metrics (a decision maker is a key
    contact: tied unless uncovered)."""
    uncovered = set(m.uncovered_key_contacts)
    return any(
        c.decision_role == DecisionRole.decision_maker and c.id not in uncovered
        for c in inp.contacts
    )


def departure(
    inp: AccountInput, user_ids: Iterable[int], before: AccountMetrics | None = None
) -> AccountDeparture:
    """One account recomputed without the departing users' ties (Departure simulation);
    `before`: the account's metrics as they are, when the caller has them (today's snapshot)."""
    gone = set(user_ids)
    before = before or account_metrics(inp)
    touched = any(user in gone for user, _contact in inp.ties)
    after = account_metrics(inp.without(gone)) if touched else before
    newly = tuple(c for c in after.uncovered_key_contacts if c not in before.uncovered_key_contacts)
    # the dashboard's rule: the holder is the person with the largest share
    held = before.holder_id in gone
    loses = _decision_maker_tied(inp, before) and not _decision_maker_tied(inp, after)
    return AccountDeparture(inp.account_id, before, after, newly, held, loses)
