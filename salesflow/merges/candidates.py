"""Duplicate candidates: which records look like the same customer or person, and why.

Pure functions over plain rows (STYLE.md rule 11); the keys are salesflow.matching's, the same
the import matches rows with. Records sharing a key form a group (transitively: A and B share an
e-mail, B and C a phone). Accounts match on the company name without its legal form and on the
website's domain; contacts, within one account, on e-mail, phone (E.164) and name, and similar
names (matching.similarity) are only *suggested* — a person decides every merge anyway.

A row is `(id, block, value, …)`: records are compared only within their block (contacts: their
account; accounts: None, all together), and each reason reads the value at its position
(ACCOUNT_KEYS, CONTACT_KEYS say which). Plain tuples straight from the database, because a page
may compare 100,000 of them: every key but the phone costs a few microseconds; parsing a phone
takes ~20 µs, so phones are first bucketed by their last digits and parsed only where two
numbers could be the same.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from salesflow import matching

# A key shared by more records than this identifies nobody (a switchboard number, info@): it
# makes no group.
MAX_SHARED = 10
SIMILAR = 0.85  # matching.similarity at or above this suggests the same person
_EXTENSION = re.compile(r"(ext\.?|x|#|转|分机).*$", re.IGNORECASE)


class Reason(StrEnum):
    """Why records are candidates, strongest first."""

    email = "email"
    phone = "phone"
    domain = "domain"
    name = "name"
    similar_name = "similar_name"


STRENGTH = {reason: n for n, reason in enumerate(Reason)}


Row = tuple[Any, ...]  # (id, block, value, …)


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


_NOT_DIGIT_BYTES = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)


def _phone_bucket(value: str | None) -> str | None:
    """A cheap necessary condition for two phones to be the same number: their last 7 digits
    (an extension cut off), so only those few are parsed. Bytes, not regular expressions, for
    the common case: 100,000 phones in a few tens of milliseconds."""
    if not value:
        return None
    if not value.isascii():  # full-width digits, 转 or 分机
        value = _EXTENSION.sub("", unicodedata.normalize("NFKC", value))
    elif "x" in value or "X" in value or "#" in value:
        value = _EXTENSION.sub("", value)
    digits = value.encode("ascii", "ignore").translate(None, _NOT_DIGIT_BYTES)
    return digits[-7:].decode() if len(digits) >= 7 else None


Key = Callable[[str | None], str | None]
# reason → (the position of its value in a row, its key)
ACCOUNT_KEYS: dict[Reason, tuple[int, Key]] = {  # (id, None, name, website)
    Reason.name: (2, matching.company_key),
    Reason.domain: (3, matching.domain_key),
}
CONTACT_KEYS: dict[Reason, tuple[int, Key]] = {  # (id, account_id, name, email, phone)
    Reason.name: (2, matching.person_key),
    Reason.email: (3, matching.email_key),
    Reason.phone: (4, matching.phone_key),
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


def _keyed(rows: list[Row], reason: Reason, at: int, key: Key) -> list[tuple[Any, int, str]]:
    """(block, id, key) of the rows that have one; a key with a cheaper pre-key is computed
    only for rows whose pre-key another row of the block shares."""
    pre = PRE_KEYS.get(reason)
    if pre is not None:
        alike = _buckets(
            [
                (row[1], i, cheap)
                for i, row in enumerate(rows)
                if (cheap := pre(row[at])) is not None
            ],
            limit=None,
        )
        rows = [rows[i] for positions in alike.values() for i in positions]
    return [(row[1], row[0], value) for row in rows if (value := key(row[at])) is not None]


def _buckets(
    keyed: list[tuple[Any, int, str]], limit: int | None = MAX_SHARED
) -> dict[tuple[Any, str], list[int]]:
    """(block, key) → ids sharing it, for keys held by 2 to `limit` records (a list only where
    a second record comes: most keys are held by one)."""
    first: dict[tuple[Any, str], int] = {}
    found: dict[tuple[Any, str], list[int]] = {}
    for block, record_id, value in keyed:
        bucket = (block, value)
        if bucket in found:
            found[bucket].append(record_id)
        elif bucket in first:
            found[bucket] = [first[bucket], record_id]
        else:
            first[bucket] = record_id
    return {k: ids for k, ids in found.items() if limit is None or len(ids) <= limit}


def _similar_pairs(names: list[tuple[Any, int, str]]) -> list[tuple[int, int]]:
    """Pairs of one block whose name keys are alike but not the same: compared only with the
    same first character, and only where two cheap upper bounds of the similarity (their
    lengths, then the characters they share) could reach SIMILAR — two- and three-character
    Chinese names that differ never can."""
    by_start: dict[tuple[Any, str], list[tuple[int, str]]] = defaultdict(list)
    for block, record_id, name in names:
        if len(name) >= 2:
            by_start[(block, name[0])].append((record_id, name))
    pairs = []
    for people in by_start.values():
        # one person alone is the common case; a block this large lists everyone, not twins
        if 1 < len(people) <= 50:
            pairs += _alike(people)
    return pairs


def _alike(people: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """The pairs of `people` (one block, one first character) whose names are similar, each
    pair's cheap bounds checked before the similarity is computed."""
    pairs = []
    chars: dict[int, Counter[str]] = {}
    for i, (a, name_a) in enumerate(people):
        for j in range(i + 1, len(people)):
            b, name_b = people[j]
            size = len(name_a) + len(name_b)
            if name_a == name_b or 2 * min(len(name_a), len(name_b)) < SIMILAR * size:
                continue
            if i not in chars:
                chars[i] = Counter(name_a)
            if j not in chars:
                chars[j] = Counter(name_b)
            if 2 * sum((chars[i] & chars[j]).values()) < SIMILAR * size:
                continue
            if matching.similarity(name_a, name_b) >= SIMILAR:
                pairs.append((a, b))
    return pairs


def find_groups(
    rows: Iterable[Row], keys: dict[Reason, tuple[int, Key]], *, suggest_similar: bool = False
) -> list[Group]:
    """The groups of records that share a key (or, with `suggest_similar`, have similar names),
    strongest reason first, then by lowest id; each with why."""
    rows = list(rows)
    union = _Union()
    shared: list[tuple[Reason, str, list[int]]] = []
    keyed = {reason: _keyed(rows, reason, at, key) for reason, (at, key) in keys.items()}
    for reason in keys:
        for (_block, value), ids in _buckets(keyed[reason]).items():
            union.join(ids)
            shared.append((reason, value, ids))
    similar = _similar_pairs(keyed.get(Reason.name, [])) if suggest_similar else []
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
