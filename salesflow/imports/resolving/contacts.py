"""Contact rows: matched within their account by the source's id, e-mail, then phone (E.164);
a same or similar name only suggests. `reports_to` names another contact of the account, already
in salesflow or in the same file (by name or e-mail); `known_by` names our people who know the
contact, recorded as a contact between them so the tie counts see it. A contacts import never
creates accounts (API.md)."""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts import services
from salesflow.contacts.models import Attitude, Contact, DecisionRole, Influence, Level
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports import cells as cell
from salesflow.imports.models import Outcome
from salesflow.imports.resolving.base import (
    Cells,
    Context,
    Planned,
    Result,
    phone_tail,
    refused,
    register,
    rep_only_self,
)
from salesflow.imports.resolving.common import (
    REFUSALS,
    changes_for,
    in_one_go,
    matched,
    one_by_one,
)
from salesflow.imports.resolving.engine import failed
from salesflow.interactions import services as interaction_services
from salesflow.interactions.models import Kind
from salesflow.matching import email_key, person_key, phone_key, similarity
from salesflow.ties.models import TieTouch
from salesflow.validation import add

TEXT = (
    "name",
    "title",
    "department",
    "email",
    "phone",
    "hometown",
    "education",
    "interests",
    "background",
    "preferences",
    "notes",
)
ENUMS = {
    "level": Level,
    "decision_role": DecisionRole,
    "influence": Influence,
    "attitude": Attitude,
}
# Defaults a new contact gets, which a "fill" import may replace like a blank.
EMPTY = {"decision_role": (DecisionRole.unknown,), "attitude": (Attitude.unknown,)}
SIMILAR = 0.8


class Existing:
    """The current contacts of the accounts a file names, indexed for matching (one query; plain
    tuples, as there may be a hundred thousand)."""

    def __init__(self, account_ids: set[int]) -> None:
        self.rows: dict[int, tuple[str, str | None, Any]] = {}  # id → name, phone, left on
        self.email: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.name: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.tail: dict[tuple[int, str], list[int]] = defaultdict(list)
        # Name keys by account and first character (a surname): the few a similar name is
        # compared with.
        self.initials: dict[tuple[int, str], set[str]] = defaultdict(set)
        ids = sorted(account_ids)
        for start in range(0, len(ids), 5000):
            for r in db.session.execute(
                sa.select(
                    Contact.id,
                    Contact.account_id,
                    Contact.name,
                    Contact.email,
                    Contact.phone,
                    Contact.left_on,
                )
                .where(
                    Contact.account_id.in_(ids[start : start + 5000]), Contact.deleted_at.is_(None)
                )
                .order_by(Contact.id)
            ):
                contact_id, account_id, name, email, phone, left_on = r
                self.rows[contact_id] = (name, phone, left_on)
                if email and (key := email_key(email)):
                    self.email[(account_id, key)].append(contact_id)
                if key := person_key(name):
                    self.name[(account_id, key)].append(contact_id)
                    self.initials[(account_id, key[:1])].add(key)
                if phone and (tail := phone_tail(phone)):
                    self.tail[(account_id, tail)].append(contact_id)

    def by_phone(self, account_id: int, raw: str) -> list[int]:
        tail = phone_tail(raw)
        candidates = self.tail.get((account_id, tail or ""), [])
        if not candidates:
            return []
        wanted = phone_key(raw)
        return [c for c in candidates if wanted and phone_key(self.rows[c][1]) == wanted]

    def current(self, contact_id: int) -> bool:
        return self.rows[contact_id][2] is None


@register("contacts")
class Contacts:
    DEPENDS = "reports_to"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.existing: Existing | None = None

    # First pass ---------------------------------------------------------------------------

    def identify(self, cells: Cells) -> Planned:
        planned = Planned(cells.number)
        if self.ctx.imp.account_id is not None:  # vCards into one account
            planned.account_id = self.ctx.imp.account_id
        elif cells.get("account"):
            planned.account_id = self.ctx.accounts.find(cells.get("account"), planned)
        else:
            planned.error("account", _l("Say which account the contact belongs to."))
        planned.keys = (
            cells.get("external_id")[:200] or None,
            email_key(cells.get("email")),
            person_key(cells.get("name")),
            cells.get("phone"),
            cells.get("reports_to"),
            cells.get("name"),
        )
        return planned

    def plan(self, planned: dict[int, Planned]) -> None:
        accounts = {p.account_id for p in planned.values() if p.account_id is not None}
        self.existing = existing = Existing(accounts)
        keyed = self._keyed_records()
        seen: dict[Any, int] = {}
        file_index: dict[tuple[int, str, str], list[int]] = defaultdict(list)
        for p in planned.values():
            if p.errors or p.account_id is None:
                continue
            self._match(p, existing, keyed)
            _mark_repeat(p, seen)
            _ext, email, name, _phone, _boss, _raw = p.keys
            if not p.errors:
                if email:
                    file_index[(p.account_id, "e", email)].append(p.number)
                if name:
                    file_index[(p.account_id, "n", name)].append(p.number)
        for p in planned.values():
            if not p.errors and p.keys[4]:
                self._boss(p, planned, file_index)

    def _keyed_records(self) -> dict[str, tuple[int, int]]:
        """The source's remembered ids that still name a contact: id → (contact, account)."""
        ids = set(self.ctx.keys.values())
        found: dict[int, int] = {}
        listed = sorted(ids)
        for start in range(0, len(listed), 5000):
            found.update(
                (i, a)
                for i, a in db.session.execute(
                    sa.select(Contact.id, Contact.account_id).where(
                        Contact.id.in_(listed[start : start + 5000]), Contact.deleted_at.is_(None)
                    )
                )
            )
        return {ext: (rid, found[rid]) for ext, rid in self.ctx.keys.items() if rid in found}

    def _match(self, p: Planned, existing: Existing, keyed: dict[str, tuple[int, int]]) -> None:
        ext, email, name, phone, _boss, raw_name = p.keys
        account = p.account_id
        assert account is not None
        if ext and ext in keyed:
            record, its_account = keyed[ext]
            if its_account != account:
                p.error(
                    "external_id",
                    _l(
                        "This id belongs to a contact of another account: a "
                        "contact cannot move to another account."
                    ),
                )
                return
            p.record_id, p.matched_by = record, "external_id"
        elif email and (found := existing.email.get((account, email))):
            p.record_id, p.matched_by = found[0], "email"
        elif phone and (found := existing.by_phone(account, phone)):
            p.record_id, p.matched_by = found[0], "phone"
        elif name:
            self._suggest(p, existing, account, name, raw_name)

    def _suggest(self, p: Planned, existing: Existing, account: int, name: str, raw: str) -> None:
        """Names only suggest (matching.py): the same or a similar name at the account."""
        same = existing.name.get((account, name), [])
        similar = (
            same
            or [
                c
                for key in sorted(existing.initials.get((account, name[:1]), ()))
                if similarity(key, name) >= SIMILAR
                for c in existing.name[(account, key)]
            ][:3]
        )
        for contact_id in similar[:3]:
            p.note(
                "name",
                _l(
                    "Possibly the same person as %(name)s (#%(id)d): give an e-mail or "
                    "phone to update them instead.",
                    name=existing.rows[contact_id][0],
                    id=contact_id,
                ),
            )

    def _boss(self, p: Planned, planned: dict[int, Planned], file_index: dict) -> None:
        """`reports_to`: a current contact of the same account, in salesflow or in this file."""
        assert self.existing is not None
        raw = p.keys[4]
        account = p.account_id
        by_email = email_key(raw)
        key = ("e", by_email) if by_email else ("n", person_key(raw))
        index = self.existing.email if by_email else self.existing.name
        targets: set[tuple[str, int]] = {
            ("record", c) for c in index.get((account, key[1]), []) if self.existing.current(c)
        }
        for number in file_index.get((account, *key), []):
            other = planned[number]
            targets.add(("record", other.record_id) if other.record_id else ("row", number))
        targets.discard(("row", p.number))
        if p.record_id:
            targets.discard(("record", p.record_id))
        if not targets:
            p.error(
                "reports_to", _l("No current contact called %(name)s at this account.", name=raw)
            )
        elif len(targets) > 1:
            p.error(
                "reports_to",
                _l(
                    "Several contacts at this account are called %(name)s: give their e-mail.",
                    name=raw,
                ),
            )
        else:
            what, which = targets.pop()
            if what == "record":
                p.target = which
            else:
                p.depends_on = which

    # Each chunk ---------------------------------------------------------------------------

    def resolve(self, rows: list[tuple[Cells, Planned]]) -> list[Result]:
        ids = [p.record_id for _c, p in rows if p.record_id]
        checked = [p for _c, p in rows if p.record_id or not self.ctx.commit]  # see _resolve
        bosses = [p.target for p in checked if p.target] + [
            boss
            for p in checked
            if p.depends_on and (boss := self.ctx.written[p.depends_on].record_id)
        ]
        # One query: the records the rows change and the bosses they name, held for the chunk
        # (the session's identity map keeps only what is referenced), so the checks below
        # never load them one by one.
        loaded = {
            c.id: c
            for c in db.session.scalars(sa.select(Contact).where(Contact.id.in_([*ids, *bosses])))
        }
        tied = self._tied(ids)
        results = [self._resolve(cells, p, loaded, tied) for cells, p in rows]
        del loaded
        return results

    def _tied(self, contact_ids: list[int]) -> set[tuple[int, int]]:
        """(contact, user) pairs that already have a tie count: "known by" adds no second one."""
        if not contact_ids:
            return set()
        return {
            (c, u)
            for c, u in db.session.execute(
                sa.select(TieTouch.contact_id, TieTouch.user_id)
                .distinct()
                .where(TieTouch.contact_id.in_(contact_ids))
            )
        }

    def _data(self, cells: Cells, p: Planned, result: Result) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: cells.get(name) or None for name in TEXT if name in cells.values
        }
        errors: dict[str, list[str]] = {}
        for name, enum_cls in ENUMS.items():
            if cells.get(name):
                try:
                    data[name] = cell.vocabulary(name, enum_cls, cells.get(name))
                except ValueError as error:
                    add(errors, name, str(error))
        if cells.get("left_on"):
            try:
                data["left_on"] = cell.day(cells.get("left_on"))
            except ValueError as error:
                add(errors, "left_on", str(error))
        if p.target is not None:
            data["reports_to_id"] = p.target
        elif p.depends_on is not None:
            boss = self.ctx.written[p.depends_on].record_id
            if boss is not None:  # in a dry run the boss is not written yet
                data["reports_to_id"] = boss
        if errors:
            result.errors = errors
        return data

    def _resolve(
        self, cells: Cells, p: Planned, records: dict[int, Contact], tied: set[tuple[int, int]]
    ) -> Result:
        result = Result(
            Outcome.create, matched_by=p.matched_by, notes=p.notes, external_id=p.keys[0]
        )
        data = self._data(cells, p, result)
        record = records.get(p.record_id) if p.record_id else None
        clean: dict[str, Any] = {}
        # Committing, a new contact's fields are checked once, by create_contacts as it writes
        # (the same checks: dry run and commit agree); a row already refused is checked here too,
        # so it shows every problem, as in the dry run.
        if not (self.ctx.commit and record is None and not result.errors):
            try:
                clean = services.check_contact(data, p.account_id, record, now=self.ctx.now)
            except ValidationFailed as error:
                refused(result, error.fields)
        if result.errors:
            result.outcome = Outcome.error
            return result
        known = self._known_by(cells, result)
        if result.errors:
            result.outcome = Outcome.error
            return result
        if record is None:
            result.data = {"account_id": p.account_id, **data}
        else:
            changes = changes_for(self.ctx.imp.mode, record, clean, EMPTY)
            matched(result, self.ctx.imp.mode, changes, record)
            known = [u for u in known if (record.id, u.id) not in tied]
            if known and result.outcome == Outcome.unchanged:  # a relationship is still news
                result.outcome, result.before = Outcome.update, {}
        if known and result.outcome in (Outcome.create, Outcome.update):
            result.data["known_by"] = known
            result.notes = result.notes or {}
            add(
                result.notes,
                "known_by",
                _l("Recorded as known by %(names)s.", names=", ".join(u.name for u in known)),
            )
        return result

    def _known_by(self, cells: Cells, result: Result) -> list[User]:
        users = [
            u
            for raw in cell.items(cells.get("known_by"))
            if (u := self.ctx.user(raw, "known_by", result))
        ]
        return rep_only_self(self.ctx, list(dict.fromkeys(users)), result, "known_by")

    # Commit -------------------------------------------------------------------------------

    def write(self, pairs: list[tuple[tuple[Cells, Planned], Result]]) -> None:
        self._create([r for _row, r in pairs if r.outcome == Outcome.create])
        self._update([r for _row, r in pairs if r.outcome == Outcome.update])
        for (_cells, planned), result in pairs:
            if result.data.get("known_by") and result.record_id and result.outcome != Outcome.error:
                self._log_known(result, planned.account_id)

    def _create(self, creates: list[Result]) -> None:
        """The new contacts, in one go (one savepoint per row if the database refuses it); a
        row whose account has gone since the dry run fails."""
        accounts = {
            a.id: a
            for a in db.session.scalars(
                sa.select(Account)
                .options(so.load_only(Account.id, Account.team_id, Account.deleted_at))
                .where(Account.id.in_({r.data["account_id"] for r in creates}))
            )
        }
        for result in [r for r in creates if r.data["account_id"] not in accounts]:
            failed(
                result,
                ValidationFailed(
                    fields={"account": [str(_l("The account is no longer in salesflow."))]}
                ),
            )
        creates = [r for r in creates if r.outcome == Outcome.create]
        items = [(accounts[r.data["account_id"]], _fields(r.data)) for r in creates]
        actor, now = self.ctx.actor, self.ctx.now

        def done(result: Result, contact_id: int | None, problems: Any) -> None:
            if contact_id is None:
                failed(result, ValidationFailed(fields=problems))
            else:
                result.record_id, result.after_version = contact_id, 1

        def create_all() -> None:
            problems: dict[int, Any] = {}
            ids = services.create_contacts(items, actor=actor, now=now, refused=problems)
            for i, (result, contact_id) in enumerate(zip(creates, ids, strict=True)):
                done(result, contact_id, problems.get(i))

        def create_one(i: int) -> None:
            problems: dict[int, Any] = {}
            (contact_id,) = services.create_contacts(
                [items[i]], actor=actor, now=now, refused=problems
            )
            done(creates[i], contact_id, problems.get(0))

        in_one_go(creates, create_all, create_one)

    def _update(self, updates: list[Result]) -> None:
        """The matched contacts' changes, each through the service in its own savepoint."""
        actor, now = self.ctx.actor, self.ctx.now
        contacts = {
            c.id: c
            for c in db.session.scalars(
                sa.select(Contact).where(Contact.id.in_([r.record_id for r in updates]))
            )
        }
        for result in updates:
            contact = contacts[result.record_id]
            change = {**_fields(result.data), "version": contact.version}
            if (
                one_by_one(
                    result,
                    lambda c=contact, d=change: services.update_contact(c, d, actor=actor, now=now),
                )
                is not None
            ):
                result.after_version = contact.version

    def _log_known(self, result: Result, account_id: int | None) -> None:
        """Who of ours knows the contact, as one contact between them today (kind "other"): the
        tie counts, the decision chain and the dependency figures see the relationship."""
        users = result.data["known_by"]
        data = {
            "account_id": account_id,
            "occurred_at": self.ctx.now,
            "kind": Kind.other,
            "summary": _(
                "Known before salesflow (imported from %(file)s).", file=self.ctx.imp.filename
            ),
            "participant_ids": [u.id for u in users],
            "contact_ids": [result.record_id],
        }
        owner = self.ctx.actor if self.ctx.actor in users else users[0]
        try:
            with db.session.begin_nested():
                logged = interaction_services.log_interaction(
                    data, actor=self.ctx.actor, now=self.ctx.now, owner=owner
                )
            result.linked = [["interactions", logged.id]]
        except REFUSALS as error:  # the contact stays; the row says what is missing
            result.notes = result.notes or {}
            add(
                result.notes,
                "known_by",
                getattr(error, "message", None)
                or _l("Who knows this contact could not be recorded."),
            )


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The contact's own fields of a row's data (not its account, not who knows them)."""
    return {k: v for k, v in data.items() if k not in {"account_id", "known_by"}}


def _mark_repeat(p: Planned, seen: dict[Any, int]) -> None:
    """A row with the id or e-mail (within its account) of an earlier row, or the contact it
    matched, is that contact again: an error naming the earlier row."""
    ext, email, _name, _phone, _boss, _raw = p.keys
    for key in (("x", ext), ("e", p.account_id, email), ("r", p.record_id)):
        if key[-1] is None:
            continue
        if key in seen:
            p.error("row", _l("Row %(n)d is the same contact.", n=seen[key]))
            break
        seen[key] = p.number
