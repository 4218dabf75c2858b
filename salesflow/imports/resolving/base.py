"""What every kind of row shares: the import's context, one row's mapped cells, its plan (which
record it matches, which other row it needs first) and its result (the outcome, and for a commit
what to write), and the lookups of accounts and people by the names people write.

Lookups are loaded once per import, set-wise (never a query per row): the accounts the importer
may see, each with whether they may import into it; our active users by e-mail; the remembered
external ids of the source.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.imports.models import Import, ImportKey, Outcome
from salesflow.matching import company_key, domain_key, email_key
from salesflow.validation import Errors, add

_DIGITS = re.compile(r"\D+")


@dataclass(slots=True)
class Cells:
    """One data row: its cells as uploaded, and the text of each mapped field."""

    number: int
    raw: list[str]
    values: dict[str, str]
    problem: str | None = None

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass(slots=True)
class Planned:
    """What the first pass over the file found for a row: the record it matches (how), the
    problems seen already, and the file row it needs written first (a boss created by the same
    file), which puts it one level later."""

    number: int
    account_id: int | None = None
    record_id: int | None = None
    matched_by: str | None = None
    errors: Errors | None = None
    notes: Errors | None = None
    depends_on: int | None = None
    target: int | None = None  # an existing record the row refers to (reports_to, parent)
    level: int = 0
    keys: tuple[Any, ...] = ()

    def error(self, name: str, message: Any) -> None:
        if self.errors is None:
            self.errors = {}
        add(self.errors, name, message)

    def note(self, name: str, message: Any) -> None:
        if self.notes is None:
            self.notes = {}
        add(self.notes, name, message)


@dataclass
class Result:
    """A row's outcome; `write` (commit only) makes it so and returns the record's id."""

    outcome: Outcome
    record_id: int | None = None
    matched_by: str | None = None
    errors: Errors | None = None
    notes: Errors | None = None
    before: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    after_version: int | None = None
    linked: list[list[Any]] | None = None
    external_id: str | None = None


@dataclass
class Context:
    """One run (dry run or commit) of one import."""

    imp: Import
    actor: User
    now: datetime
    commit: bool
    zone: ZoneInfo = field(init=False)
    accounts: "AccountIndex" = field(init=False)
    users: dict[str, User] = field(init=False)
    keys: dict[str, int] = field(init=False)
    written: dict[int, Result] = field(default_factory=dict)  # rows other rows depend on

    def __post_init__(self) -> None:
        self.zone = clock.zone()
        self.accounts = AccountIndex(self.actor)
        self.users = active_users()
        self.keys = external_keys(self.imp.source, self.imp.kind.value)

    def user(self, raw: str, name: str, planned: Planned | Result) -> User | None:
        """One of our active users by e-mail, else the problem noted on `name`."""
        user = self.users.get(email_key(raw) or "")
        if user is None:
            _problem(planned, name, _l("No active user has the e-mail %(email)s.", email=raw))
        return user


# A service's field names as the import's fields (the column a person can fix).
IMPORT_FIELDS = {
    "team_id": "team",
    "parent_id": "parent",
    "reports_to_id": "reports_to",
    "account_id": "account",
    "participant_ids": "participants",
    "contact_ids": "attendees",
    "roles": "row",
    "members": "row",
}


def refused(result: "Result", fields: dict[str, list[str]]) -> None:
    """Add a service's ValidationFailed fields to a row's errors (a field already refused by the
    import's own reading of the cell keeps that one message)."""
    for name, messages in fields.items():
        name = IMPORT_FIELDS.get(name, name)
        if result.errors and name in result.errors:
            continue
        for message in messages:
            _problem(result, name, message)


def _problem(target: Planned | Result, name: str, message: Any) -> None:
    if isinstance(target, Planned):
        target.error(name, message)
    else:
        target.errors = target.errors or {}
        add(target.errors, name, message)


def active_users() -> dict[str, User]:
    """Our active users by their e-mail's key (a few hundred: one query)."""
    users = db.session.scalars(sa.select(User).where(User.active.is_(True))).all()
    return {key: u for u in users if (key := email_key(u.email))}


def external_keys(source: str, kind: str) -> dict[str, int]:
    """The source's remembered ids for this kind: external id → record id."""
    rows = db.session.execute(
        sa.select(ImportKey.external_id, ImportKey.record_id).where(
            ImportKey.source == source, ImportKey.kind == kind
        )
    )
    return {external: record for external, record in rows}


def phone_tail(value: str | None) -> str | None:
    """The last eight digits of a phone number: cheap, so only numbers with the same tail are
    compared in E.164 (phonenumbers is slow for 100,000 rows)."""
    digits = _DIGITS.sub("", value or "")
    return digits[-8:] if len(digits) >= 7 else None


class AccountIndex:
    """The accounts the importer may see, by id, name key and website domain, each marked with
    whether an import by the importer may write to it (scope.importable_accounts)."""

    def __init__(self, actor: User) -> None:
        importable = sa.case((scope.importable_accounts(actor), True), else_=False).label("ours")
        rows = db.session.execute(
            sa.select(
                Account.id,
                Account.name,
                Account.website,
                Account.team_id,
                Account.parent_id,
                importable,
            ).where(scope.visible_accounts(actor))
        ).all()
        self.rows = {r.id: r for r in rows}
        self.importable = {r.id for r in rows if r.ours}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_domain: dict[str, list[int]] = defaultdict(list)
        for r in rows:
            if key := company_key(r.name):
                self.by_name[key].append(r.id)
            if domain := domain_key(r.website):
                self.by_domain[domain].append(r.id)
        self._keys: dict[str, str | None] = {}

    def name_key(self, raw: str) -> str | None:
        if raw not in self._keys:
            self._keys[raw] = company_key(raw)
        return self._keys[raw]

    def candidates(self, raw: str) -> tuple[list[int], str]:
        """The accounts a cell names: by website domain when it is one, else by name."""
        text = raw.strip()
        domain = domain_key(text) if "." in text and " " not in text else None
        if domain and (found := self.by_domain.get(domain)):
            return found, "domain"
        return self.by_name.get(self.name_key(text) or "", []), "name"

    def find(self, raw: str, planned: Planned | Result, name: str = "account") -> int | None:
        """The one account a cell names that the importer may import into; else the problem:
        none (nothing said about accounts outside the importer's sight), another team's, or
        several of that name."""
        found, _how = self.candidates(raw)
        if not found:
            _problem(
                planned,
                name,
                _l(
                    "No account called %(name)s that you can see: import the accounts first.",
                    name=raw,
                ),
            )
            return None
        if len(found) > 1:
            _problem(
                planned,
                name,
                _l("Several accounts are called %(name)s: give the website instead.", name=raw),
            )
            return None
        if found[0] not in self.importable:
            _problem(
                planned,
                name,
                _l("%(name)s belongs to another team: you cannot import into it.", name=raw),
            )
            return None
        return found[0]


def rep_only_self(ctx: Context, users: list[User], planned: Any, name: str) -> list[User]:
    """A rep brings in only their own relationships: ties and history of other people are
    their director's to import (scope.can_import)."""
    if scope.imports_only_self(ctx.actor) and any(u.id != ctx.actor.id for u in users):
        _problem(planned, name, _l("As a rep you can name only yourself here."))
        return []
    return users


# The kinds of rows, registered by the modules below (STYLE.md rule 9: an unknown kind fails).
KINDS: dict[str, Callable[[Context], Any]] = {}


def register(name: str) -> Callable[[type], type]:
    def add_kind(cls: type) -> type:
        KINDS[name] = cls
        return cls

    return add_kind
