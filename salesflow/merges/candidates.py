"""Duplicate candidates: which records look like the same customer or person, and why.

Pure functions over plain tuples (STYLE.md rule 11); the keys are salesflow.matching's, the same
the import matches rows with. Records sharing a key form a group (transitively: A and B share an
e-mail, B and C a phone). Accounts match on the company name without its legal form and on the
website's domain; contacts, within one account, on e-mail, phone (E.164) and name, and similar
names (matching.similarity) are only *suggested* — a person decides every merge anyway.

Speed (100,000 contacts): every key but the phone is a few microseconds; parsing a phone number
takes ~20 µs, so phones are first bucketed by their last digits and parsed only where two
numbers could be the same.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from salesflow import matching

# A key shared by more records than this identifies nobody (a switchboard number, info@): it
# makes no group.
MAX_SHARED = 10
SIMILAR = 0.85  # matching.similarity at or above this suggests the same person
_NOT_DIGIT = re.compile(r"\D+")
_EXTENSION = re.compile(r"(ext\.?|x|#|转|分机).*$", re.IGNORECASE)


class Reason(StrEnum):
    """Why records are candidates, strongest first."""

    email = "email"
    phone = "phone"
    domain = "domain"
    name = "name"
    similar_name = "similar_name"


STRENGTH = {reason: n for n, reason in enumerate(Reason)}


@dataclass(frozen=True)
class Record:
    """What a record is compared by: its id, the block it is compared within (contacts: their
    account; accounts: none) and its raw values by reason."""

    id: int
    block: int | None
    values: dict[Reason, str | None]


@dataclass
class Group:
    ids: list[int]
    # reason → the matched keys (an e-mail, a domain …; empty for similar names)
    reasons: dict[Reason, set[str]] = field(default_factory=dict)

    @property
    def strength(self) -> int:
        return min((STRENGTH[r] for r in self.reasons), default=len(STRENGTH))

    @property
    def only_suggested(self) -> bool:
        """Matched by a similar name only: a suggestion, not a shared key."""
        return set(self.reasons) == {Reason.similar_name}


def _phone_bucket(value: str | None) -> str | None:
    """A cheap necessary condition for two phones to be the same number: their last 7 digits
    (an extension cut off), so only those few are parsed."""
    if not value:
        return None
    digits = _NOT_DIGIT.sub("", _EXTENSION.sub("", unicodedata.normalize("NFKC", value)))
    return digits[-7:] if len(digits) >= 7 else None


Key = Callable[[str | None], str | None]
ACCOUNT_KEYS: dict[Reason, Key] = {
    Reason.name: matching.company_key,
    Reason.domain: matching.domain_key,
}
CONTACT_KEYS: dict[Reason, Key] = {
    Reason.email: matching.email_key,
    Reason.phone: matching.phone_key,
    Reason.name: matching.person_key,
}
# Keys first bucketed by something cheaper (see the module's docstring).
PRE_KEYS: dict[Reason, Key] = {Reason.phone: _phone_bucket}


class _Union:
    """Union-find over record ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, ids: list[int]) -> None:
        root = self.find(ids[0])
        for other in ids[1:]:
            self.parent[self.find(other)] = root


def _buckets(records: list[Record], reason: Reason, key: Key) -> dict[tuple[Any, str], list[int]]:
    """(block, key) → ids sharing it, for keys held by 2 to MAX_SHARED records."""
    pre = PRE_KEYS.get(reason)
    if pre is not None:  # parse only where a cheap bucket holds two or more
        rough: dict[tuple[Any, str], list[Record]] = defaultdict(list)
        for record in records:
            if (cheap := pre(record.values.get(reason))) is not None:
                rough[(record.block, cheap)].append(record)
        records = [r for bucket in rough.values() if len(bucket) > 1 for r in bucket]
    found: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for record in records:
        if (value := key(record.values.get(reason))) is not None:
            found[(record.block, value)].append(record.id)
    return {k: ids for k, ids in found.items() if 1 < len(ids) <= MAX_SHARED}


def _similar_pairs(records: list[Record]) -> list[tuple[int, int]]:
    """Pairs in one block whose names are alike but not the same key: compared only within a
    block, with the same first character and lengths within two (a typo, a missing character)."""
    by_start: dict[tuple[Any, str], list[tuple[int, str]]] = defaultdict(list)
    for record in records:
        if (name := matching.person_key(record.values.get(Reason.name))) and len(name) >= 2:
            by_start[(record.block, name[0])].append((record.id, name))
    pairs = []
    for people in by_start.values():
        if len(people) > 50:  # a block this large is a list of everyone, not of duplicates
            continue
        for i, (a, name_a) in enumerate(people):
            for b, name_b in people[i + 1 :]:
                if (
                    name_a != name_b
                    and abs(len(name_a) - len(name_b)) <= 2
                    and (matching.similarity(name_a, name_b) >= SIMILAR)
                ):
                    pairs.append((a, b))
    return pairs


def find_groups(
    records: Iterable[Record], keys: dict[Reason, Key], *, suggest_similar: bool = False
) -> list[Group]:
    """The groups of records that share a key (or, with `suggest_similar`, have similar names),
    strongest reason first, then by lowest id; each with why."""
    records = list(records)
    union = _Union()
    shared: list[tuple[Reason, str, list[int]]] = []
    for reason, key in keys.items():
        for (_block, value), ids in _buckets(records, reason, key).items():
            union.join(ids)
            shared.append((reason, value, ids))
    similar = _similar_pairs(records) if suggest_similar else []
    for a, b in similar:
        union.join([a, b])
    members: dict[int, list[int]] = defaultdict(list)
    for record_id in union.parent:
        members[union.find(record_id)].append(record_id)
    groups = {root: Group(ids=sorted(ids)) for root, ids in members.items() if len(ids) > 1}
    for reason, value, ids in shared:
        groups[union.find(ids[0])].reasons.setdefault(reason, set()).add(value)
    for a, _b in similar:
        groups[union.find(a)].reasons.setdefault(Reason.similar_name, set())
    return sorted(groups.values(), key=lambda g: (g.strength, g.ids[0]))
