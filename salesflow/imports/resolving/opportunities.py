"""Opportunity rows: matched only by the source's id (deals have no e-mail; a same name on the
account only suggests). A new deal enters at its stage — by key or by name in either language —
through opportunities.services.import_opportunity, which records that the earlier stages' gates
were not verified by salesflow; its iron triangle comes from the AR, SR and FR columns (e-mails).
An existing deal is never moved by an import: it moves through its gates."""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow.errors import AppError, ValidationFailed
from salesflow.extensions import db
from salesflow.imports import cells as cell
from salesflow.imports.models import Outcome
from salesflow.imports.resolving.base import Cells, Context, Planned, Result, refused, register
from salesflow.imports.resolving.common import changes_for, matched, one_by_one
from salesflow.matching import person_key
from salesflow.opportunities import services
from salesflow.opportunities.models import Opportunity, TriangleRole
from salesflow.playbooks import registry
from salesflow.playbooks.schema import Playbook
from salesflow.validation import add

TEXT = ("name", "currency", "customer_need", "competitors")
SEATS = ("AR", "SR", "FR")


@register("opportunities")
class Opportunities:
    DEPENDS = "account"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.playbooks = registry.file_playbooks()
        self.names: dict[tuple[int, str], list[int]] = defaultdict(list)

    def identify(self, cells: Cells) -> Planned:
        planned = Planned(cells.number)
        if cells.get("account"):
            planned.account_id = self.ctx.accounts.find(cells.get("account"), planned)
        else:
            planned.error("account", _l("Say which account the opportunity is on."))
        planned.keys = (cells.get("external_id")[:200] or None, person_key(cells.get("name")))
        return planned

    def plan(self, planned: dict[int, Planned]) -> None:
        live = self._live_deals(planned)
        seen: dict[Any, int] = {}
        for p in planned.values():
            if p.errors:
                continue
            self._match(p, live)
            _mark_repeat(p, seen)

    def _live_deals(self, planned: dict[int, Planned]) -> dict[int, int]:
        """The deals (not deleted) on the file's accounts or named by the source's ids: deal →
        account; their names indexed in `self.names` (a same name only suggests)."""
        accounts = sorted({p.account_id for p in planned.values() if p.account_id})
        keyed_ids = set(self.ctx.keys.values())
        live: dict[int, int] = {}
        for start in range(0, max(len(accounts), len(keyed_ids)), 5000):
            for deal_id, account_id, name in db.session.execute(
                sa.select(Opportunity.id, Opportunity.account_id, Opportunity.name).where(
                    sa.or_(
                        Opportunity.account_id.in_(accounts[start : start + 5000]),
                        Opportunity.id.in_(sorted(keyed_ids)[start : start + 5000]),
                    ),
                    Opportunity.deleted_at.is_(None),
                )
            ):
                live[deal_id] = account_id
                if key := person_key(name):
                    self.names[(account_id, key)].append(deal_id)
        return live

    def _match(self, p: Planned, live: dict[int, int]) -> None:
        """The deal a row updates, only by the source's id and only on the row's account; a
        deal of the same name on the account is a note."""
        ext, name = p.keys
        record = self.ctx.keys.get(ext) if ext else None
        if record in live and live[record] != p.account_id:
            p.error("external_id", _l("This id belongs to an opportunity of another account."))
        elif record in live:
            p.record_id, p.matched_by = record, "external_id"
        elif name and (same := self.names.get((p.account_id, name))):
            p.note(
                "name",
                _l(
                    "The account already has an opportunity of this name "
                    "(#%(id)d): give its id in the source to update it.",
                    id=same[0],
                ),
            )

    # Each chunk ---------------------------------------------------------------------------

    def _playbook(self, cells: Cells, result: Result) -> tuple[Playbook | None, str | None]:
        """The playbook by key or name (either language), else the one whose stages name the
        stage given; the stage by key or name, else the first."""
        wanted, stage = cell._fold(cells.get("playbook")), cell._fold(cells.get("stage"))
        found = None
        if wanted:
            found = next(
                (
                    p
                    for p in self.playbooks.values()
                    if wanted in {cell._fold(p.key), *(cell._fold(t) for t in p.name.values())}
                ),
                None,
            )
            if found is None:
                _add(
                    result,
                    "playbook",
                    _l("No playbook called %(name)s.", name=cells.get("playbook")),
                )
                return None, None
        candidates = [found] if found else list(self.playbooks.values())
        for playbook in candidates:
            for s in playbook.stages:
                names = {cell._fold(s.key), *(cell._fold(t) for t in s.name.values())}
                if not stage or stage in names:
                    return playbook, s.key
        if stage:
            _add(result, "stage", _l("No stage called %(name)s.", name=cells.get("stage")))
        else:
            _add(result, "playbook", _l("Say which playbook the opportunity follows."))
        return None, None

    def _seats(self, cells: Cells, result: Result) -> list[dict[str, Any]]:
        seats = []
        for role in SEATS:
            if cells.get(role) and (user := self.ctx.user(cells.get(role), role, result)):
                seats.append({"user_id": user.id, "role": role})
        return seats

    def _fields(self, cells: Cells, result: Result) -> dict[str, Any]:
        data: dict[str, Any] = {n: cells.get(n) or None for n in TEXT if n in cells.values}
        if cells.get("amount"):
            data["amount"] = cell.amount_text(cells.get("amount"))
        try:
            if cells.get("expected_close"):
                data["expected_close"] = cell.day(cells.get("expected_close"))
        except ValueError as error:
            _add(result, "expected_close", str(error))
        return data

    def resolve(self, rows: list[tuple[Cells, Planned]]) -> list[Result]:
        ids = [p.record_id for _c, p in rows if p.record_id]
        records = {
            o.id: o
            for o in db.session.scalars(sa.select(Opportunity).where(Opportunity.id.in_(ids)))
        }
        return [self._resolve(cells, p, records.get(p.record_id or 0)) for cells, p in rows]

    def _resolve(self, cells: Cells, p: Planned, record: Opportunity | None) -> Result:
        result = Result(
            Outcome.create, matched_by=p.matched_by, notes=p.notes, external_id=p.keys[0]
        )
        data = self._fields(cells, result)
        seats = self._seats(cells, result)
        try:
            clean = services.check_opportunity(data if record else {"name": None, **data})
        except ValidationFailed as error:
            clean = {}
            refused(result, error.fields)
        if record is None:
            playbook, stage = self._playbook(cells, result)
            if not result.errors:
                result.data = {
                    **data,
                    "account_id": p.account_id,
                    "playbook": playbook.key,
                    "stage_key": stage,
                    "seats": seats,
                }
        elif not result.errors:
            self._update(cells, record, clean, seats, result)
        if result.errors:
            result.outcome = Outcome.error
        return result

    def _update(
        self,
        cells: Cells,
        record: Opportunity,
        clean: dict[str, Any],
        seats: list[dict[str, Any]],
        result: Result,
    ) -> None:
        try:
            services.check_workable(record, self.ctx.actor)
        except AppError as error:
            refused(result, error.fields or {"row": [error.message]})
            return
        changes = changes_for(self.ctx.imp.mode, record, clean)
        current = {r.role.value: r.user_id for r in record.roles}
        wanted = dict(current)
        for seat in seats:
            if self.ctx.imp.mode.value == "overwrite" or seat["role"] not in current:
                wanted[seat["role"]] = seat["user_id"]
        if wanted != current:
            changes["roles"] = sorted([u, r] for r, u in wanted.items())
        if cells.get("stage") and cell._fold(cells.get("stage")) != cell._fold(record.stage_key):
            result.notes = result.notes or {}
            add(
                result.notes,
                "stage",
                _l("An import does not move a deal: it moves through its gates on its page."),
            )
        matched(result, self.ctx.imp.mode, changes, record)
        if result.before is not None and "roles" in changes:
            result.before["roles"] = sorted([r.user_id, r.role.value] for r in record.roles)

    def write(self, pairs: list[tuple[tuple[Cells, Planned], Result]]) -> None:
        actor, now, source = self.ctx.actor, self.ctx.now, self._source()
        for _row, result in pairs:
            if result.outcome == Outcome.create:
                data = {k: v for k, v in result.data.items() if k not in {"seats", "stage_key"}}
                deal = one_by_one(
                    result,
                    lambda d=data, r=result: services.import_opportunity(
                        d,
                        stage_key=r.data["stage_key"],
                        seats=r.data["seats"],
                        source=source,
                        actor=actor,
                        now=now,
                    ),
                )
            elif result.outcome == Outcome.update:
                deal = one_by_one(result, lambda r=result: self._change(r))
            else:
                continue
            if deal is not None:
                result.record_id, result.after_version = deal.id, deal.version

    def _change(self, result: Result) -> Opportunity:
        deal = db.session.get(Opportunity, result.record_id)
        assert deal is not None
        fields = {k: v for k, v in result.data.items() if k != "roles"}
        if fields:
            services.update_opportunity(
                deal, {**fields, "version": deal.version}, actor=self.ctx.actor, now=self.ctx.now
            )
        if "roles" in result.data:
            seats = [{"user_id": u, "role": TriangleRole(r).value} for u, r in result.data["roles"]]
            services.set_roles(deal, seats, actor=self.ctx.actor, now=self.ctx.now)
        db.session.flush()
        return deal

    def _source(self) -> str:
        imp = self.ctx.imp
        return str(_l("Imported from %(file)s (%(source)s)", file=imp.filename, source=imp.source))[
            :300
        ]


def _add(result: Result, name: str, message: Any) -> None:
    result.errors = result.errors or {}
    add(result.errors, name, message)


def _mark_repeat(p: Planned, seen: dict[Any, int]) -> None:
    """A row with the source's id of an earlier row, or the deal it matched, is that deal
    again: an error naming the earlier row."""
    ext, _name = p.keys
    for key in (("x", ext), ("r", p.record_id)):
        if key[-1] is not None and not p.errors:
            if key in seen:
                p.error("row", _l("Row %(n)d is the same opportunity.", n=seen[key]))
            seen[key] = p.number
