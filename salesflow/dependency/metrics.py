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


@dataclass(frozen=True)
class Holdings:
    """An account as its figures need it: each user's weight Σ_C importance(C)·s(E,C) over the
    account's current contacts, its key contacts, and per key contact the users with a live tie.
    Loaded set-wise in SQL for many accounts (dependency.live), or made from an AccountInput."""

    account_id: int
    weights: Mapping[int, float]
    keys: tuple[ContactIn, ...]
    tied: Mapping[int, frozenset[int]]  # key contact id → users; every key contact present

    def without(self, user_ids: Iterable[int]) -> "Holdings":
        """The account as if these users had no ties (the departure simulation)."""
        gone = set(user_ids)
        weights = {u: w for u, w in self.weights.items() if u not in gone}
        tied = {c: users - gone for c, users in self.tied.items()}
        return Holdings(self.account_id, weights, self.keys, tied)

    def touches(self, user_ids: Iterable[int]) -> bool:
        """Whether any of these users has a tie here."""
        return any(u in self.weights for u in user_ids)


def holdings(inp: AccountInput) -> Holdings:
    """The Holdings of an account given contact by contact."""
    importance = {c.id: c.importance for c in inp.contacts}
    weight: dict[int, float] = {}
    for (user_id, contact_id), strength in inp.ties.items():
        if contact_id in importance:
            weight[user_id] = weight.get(user_id, 0.0) + importance[contact_id] * strength
    tied = _tied_users(inp)
    keys = tuple(c for c in inp.contacts if c.is_key)
    return Holdings(inp.account_id, weight, keys, {c.id: frozenset(tied[c.id]) for c in keys})


def _shares(weights: Mapping[int, float]) -> dict[int, float]:
    total = sum(weights.values())
    if total <= 0:
        return {}
    return {user_id: w / total for user_id, w in weights.items() if w > 0}


def shares(inp: AccountInput) -> dict[int, float]:
    """Share of each user: Σ_C importance(C)·s(E,C) over the account's total (Share)."""
    return _shares(holdings(inp).weights)


def _tied_users(inp: AccountInput) -> dict[int, set[int]]:
    """Per contact, the users with a live tie to them."""
    tied: dict[int, set[int]] = {c.id: set() for c in inp.contacts}
    for (user_id, contact_id), strength in inp.ties.items():
        if strength > 0 and contact_id in tied:
            tied[contact_id].add(user_id)
    return tied


def bus_factor(
    inp: AccountInput | Holdings,
    share: Mapping[int, float],
    tied: Mapping[int, set[int]] | None = None,
) -> int:
    """The fewest users whose removal leaves at least half of the key-contact importance with no
    live tie, computed greedily: each round removes the user whose removal uncovers the most
    key-contact importance; among equals the larger share, then the lowest id (Bus factor)."""
    held = inp if isinstance(inp, Holdings) else holdings(inp)
    if not held.keys:  # no key contact: nothing to uncover
        return 0
    weight = [(c.id, c.importance) for c in held.keys]
    total = sum(w for _cid, w in weight)
    source = tied or held.tied
    tied = {cid: set(source[cid]) for cid, _w in weight}
    users = set().union(*tied.values())

    def uncovered() -> float:
        return sum(w for cid, w in weight if not tied[cid])

    removed = 0
    while total > 0 and uncovered() < total / 2 and users:
        # each user's gain: the importance of the key contacts only they are tied to
        gain: dict[int, float] = {}
        for cid, w in weight:
            if len(tied[cid]) == 1:
                (only,) = tied[cid]
                gain[only] = gain.get(only, 0) + w
        best = min(users, key=lambda u: (-gain.get(u, 0), -share.get(u, 0.0), u))
        users.discard(best)
        for people in tied.values():
            people.discard(best)
        removed += 1
    return removed


def account_metrics(inp: AccountInput | Holdings) -> AccountMetrics:
    """Every figure of one account (PRODUCT.md, Dependency analytics)."""
    held = inp if isinstance(inp, Holdings) else holdings(inp)
    share = _shares(held.weights)
    holder = min(share, key=lambda u: (-share[u], u)) if share else None
    hhi = sum(s * s for s in share.values())
    effective = 1 / hhi if hhi > 0 else None
    keys, tied = held.keys, held.tied
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
        account_id=held.account_id,
        shares=share,
        top_share=share[holder] if holder is not None else None,
        holder_id=holder,
        effective_holders=effective,
        key_contacts=tuple(c.id for c in keys),
        uncovered_key_contacts=uncovered,
        single_threaded_key_contacts=single,
        multi_threaded_coverage=coverage,
        bus_factor=bus_factor(held, share),
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


def _decision_maker_tied(held: Holdings) -> bool:
    """has_live_decision_maker_tie (a decision maker is always a key contact)."""
    return any(held.tied[c.id] for c in held.keys if c.decision_role == DecisionRole.decision_maker)


def departure(
    inp: AccountInput | Holdings, user_ids: Iterable[int], before: AccountMetrics | None = None
) -> AccountDeparture:
    """One account recomputed without the departing users' ties (Departure simulation);
    `before`: the account's metrics as they are, when the caller has them (today's snapshot)."""
    gone = set(user_ids)
    held = inp if isinstance(inp, Holdings) else holdings(inp)
    before = before or account_metrics(held)
    reduced = held.without(gone) if held.touches(gone) else held
    after = account_metrics(reduced) if reduced is not held else before
    newly = tuple(c for c in after.uncovered_key_contacts if c not in before.uncovered_key_contacts)
    # the dashboard's rule: the holder is the person with the largest share
    held_by_gone = before.holder_id in gone
    loses = _decision_maker_tied(held) and not _decision_maker_tied(reduced)
    return AccountDeparture(held.account_id, before, after, newly, held_by_gone, loses)
