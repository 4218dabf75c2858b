"""Interaction rows (contact history): on an account by name or website, their people (the
attendees) by name or e-mail among the account's current contacts, ours (the participants) by
e-mail. They are logged through interactions.services.log_interactions (the rules of
log_interaction, a chunk at a time), which keeps the tie counts in the same transaction. A row
the account already has (same moment, kind and summary) is unchanged, so a file imported twice
is logged once. A rep imports only history they took part in.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports import cells as cell
from salesflow.imports.models import Outcome
from salesflow.imports.resolving.base import Cells, Context, Planned, Result, refused, register
from salesflow.imports.resolving.common import in_one_go
from salesflow.imports.resolving.engine import failed
from salesflow.interactions import services
from salesflow.interactions.models import Interaction, Kind
from salesflow.matching import email_key, person_key
from salesflow.validation import add


@register("interactions")
class Interactions:
    DEPENDS = "account"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.email: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.name: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.seen: dict[tuple[int, datetime, str], int] = {}

    def identify(self, cells: Cells) -> Planned:
        planned = Planned(cells.number)
        if cells.get("account"):
            planned.account_id = self.ctx.accounts.find(cells.get("account"), planned)
        else:
            planned.error("account", _l("Say which account it was with."))
        return planned

    def plan(self, planned: dict[int, Planned]) -> None:
        """The current contacts of the accounts named, by e-mail and name (one query)."""
        ids = sorted({p.account_id for p in planned.values() if p.account_id is not None})
        for start in range(0, len(ids), 5000):
            for contact_id, account_id, name, email in db.session.execute(
                sa.select(Contact.id, Contact.account_id, Contact.name, Contact.email).where(
                    Contact.account_id.in_(ids[start : start + 5000]),
                    Contact.deleted_at.is_(None),
                    Contact.left_on.is_(None),
                )
            ):
                if key := email_key(email):
                    self.email[(account_id, key)].append(contact_id)
                if key := person_key(name):
                    self.name[(account_id, key)].append(contact_id)

    def resolve(self, rows: list[tuple[Cells, Planned]]) -> list[Result]:
        results = [self._resolve(cells, p) for cells, p in rows]
        self._already_logged([p.number for _c, p in rows], results)
        return results

    def _attendees(self, raw: str, account_id: int, result: Result) -> list[int]:
        found: list[int] = []
        for who in cell.items(raw):
            key = email_key(who)
            ids = (
                self.email.get((account_id, key))
                if key
                else self.name.get((account_id, person_key(who) or ""))
            )
            if not ids:
                _add(
                    result,
                    "attendees",
                    _l("No current contact called %(name)s at this account.", name=who),
                )
            elif len(ids) > 1:
                _add(
                    result,
                    "attendees",
                    _l(
                        "Several contacts at this account are called %(name)s: give their e-mail.",
                        name=who,
                    ),
                )
            else:
                found.append(ids[0])
        return list(dict.fromkeys(found))

    def _participants(self, raw: str, result: Result) -> list[User]:
        """Our people by e-mail. A rep's own history: the rep takes part (they are the
        participant when none is named); others must name who of ours was there."""
        actor = self.ctx.actor
        people = [u for who in cell.items(raw) if (u := self.ctx.user(who, "participants", result))]
        people = list(dict.fromkeys(people))
        if scope.imports_only_self(actor):
            if not people and not result.errors:
                return [actor]
            if people and actor not in people:
                _add(
                    result,
                    "participants",
                    _l("As a rep you import only contacts you took part in: add your e-mail."),
                )
        elif not people and not result.errors:
            _add(result, "participants", _l("Name who of ours took part (their e-mails)."))
        return people

    def _resolve(self, cells: Cells, p: Planned) -> Result:
        result = Result(Outcome.create, notes=p.notes)
        account_id = p.account_id
        assert account_id is not None
        data: dict[str, Any] = {"account_id": account_id}
        for name in ("summary", "outcome", "next_step"):
            if name in cells.values:
                data[name] = cells.get(name) or None
        try:
            data["occurred_at"] = cell.moment(cells.get("occurred_at"), self.ctx.zone)
        except ValueError as error:
            _add(result, "occurred_at", str(error))
        try:
            data["kind"] = (
                cell.vocabulary("kind", Kind, cells.get("kind"))
                if cells.get("kind")
                else Kind.other.value
            )
        except ValueError as error:
            _add(result, "kind", str(error))
        try:
            if cells.get("next_step_due"):
                data["next_step_due"] = cell.day(cells.get("next_step_due"))
        except ValueError as error:
            _add(result, "next_step_due", str(error))
        if cells.get("cost"):
            data["cost"] = cell.amount_text(cells.get("cost"))
        data["contact_ids"] = self._attendees(cells.get("attendees"), account_id, result)
        people = self._participants(cells.get("participants"), result)
        data["participant_ids"] = [u.id for u in people]
        try:
            services.check_interaction(data, account_id, now=self.ctx.now)
        except ValidationFailed as error:
            refused(result, error.fields)
        if result.errors:
            result.outcome = Outcome.error
            return result
        result.data = {**data, "owner": self.ctx.actor if self.ctx.actor in people else people[0]}
        return result

    def _already_logged(self, numbers: list[int], results: list[Result]) -> None:
        """A row the account has already (the same moment, kind and summary), in salesflow or
        earlier in the file, is logged once: unchanged (create-only: skipped)."""
        todo = [
            (n, r) for n, r in zip(numbers, results, strict=True) if r.outcome == Outcome.create
        ]
        if not todo:
            return
        keys = {(r.data["account_id"], r.data["occurred_at"]) for _n, r in todo}
        logged: dict[tuple[Any, ...], int] = {}
        for interaction_id, account_id, at, kind, summary in db.session.execute(
            sa.select(
                Interaction.id,
                Interaction.account_id,
                Interaction.occurred_at,
                Interaction.kind,
                Interaction.summary,
            ).where(
                Interaction.account_id.in_({a for a, _t in keys}),
                Interaction.occurred_at.in_({t for _a, t in keys}),
                Interaction.deleted_at.is_(None),
            )
        ):
            logged[(account_id, at, kind.value, (summary or "").strip())] = interaction_id
        for number, result in todo:
            data = result.data
            key = (
                data["account_id"],
                data["occurred_at"],
                str(data["kind"]),
                (data.get("summary") or "").strip(),
            )
            if key in logged:
                result.outcome, result.record_id, result.matched_by = (
                    Outcome.skip if self.ctx.imp.mode.value == "create" else Outcome.unchanged,
                    logged[key],
                    "same",
                )
            elif key in self.seen:
                result.outcome = Outcome.skip
                _note(result, _l("The same as row %(n)d.", n=self.seen[key]))
            else:
                self.seen[key] = number

    def write(self, pairs: list[tuple[tuple[Cells, Planned], Result]]) -> None:
        """All the chunk's new interactions through log_interactions (the tie counts in one
        update); row by row, each in its savepoint, if the database refuses the chunk."""
        actor, now = self.ctx.actor, self.ctx.now
        creates = [r for _row, r in pairs if r.outcome == Outcome.create]
        items = [
            ({k: v for k, v in r.data.items() if k != "owner"}, r.data["owner"]) for r in creates
        ]

        def done(result: Result, new_id: int | None, problems: Any) -> None:
            if new_id is None:
                failed(result, ValidationFailed(fields=problems))
            else:
                result.record_id, result.after_version = new_id, 1

        def log_all() -> None:
            problems: dict[int, Any] = {}
            ids = services.log_interactions(items, actor=actor, now=now, refused=problems)
            for i, (result, new_id) in enumerate(zip(creates, ids, strict=True)):
                done(result, new_id, problems.get(i))

        def log_one(i: int) -> None:
            problems: dict[int, Any] = {}
            (new_id,) = services.log_interactions(
                [items[i]], actor=actor, now=now, refused=problems
            )
            done(creates[i], new_id, problems.get(0))

        in_one_go(creates, log_all, log_one)


def _add(result: Result, name: str, message: Any) -> None:
    result.errors = result.errors or {}
    add(result.errors, name, message)


def _note(result: Result, message: Any) -> None:
    result.notes = result.notes or {}
    add(result.notes, "row", message)
