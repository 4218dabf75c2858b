"""Account rows: matched by the source's id, then website domain, then the company name without
its legal form (matching.py). The parent is another account by name or website, already in
salesflow or in the same file; the team is named (the importer's own by default)."""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow.accounts import services
from salesflow.accounts.models import Account, Tier
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.imports import cells as cell
from salesflow.imports.models import Outcome
from salesflow.imports.resolving.base import Cells, Context, Planned, Result, refused, register
from salesflow.imports.resolving.common import changes_for, matched, one_by_one
from salesflow.matching import company_key, domain_key
from salesflow.teams.models import Team
from salesflow.validation import add

TEXT = ("name", "industry", "region", "website", "address", "notes")


@register("accounts")
class Accounts:
    DEPENDS = "parent"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        teams = db.session.execute(sa.select(Team.id, Team.name)).all()
        self.teams = {cell._fold(name): team_id for team_id, name in teams}

    def identify(self, cells: Cells) -> Planned:
        planned = Planned(cells.number)
        website = cells.get("website")
        planned.keys = (
            cells.get("external_id")[:200] or None,
            company_key(cells.get("name")),
            domain_key(website) if website else None,
            cells.get("parent"),
        )
        return planned

    def plan(self, planned: dict[int, Planned]) -> None:
        keyed = {ext: rid for ext, rid in self.ctx.keys.items() if rid in self.ctx.accounts.rows}
        seen: dict[Any, int] = {}
        by_name: dict[str, list[int]] = defaultdict(list)
        by_domain: dict[str, list[int]] = defaultdict(list)
        for p in planned.values():
            self._match(p, keyed)
            _mark_repeat(p, seen)
            _ext, name, domain, _parent = p.keys
            if not p.errors:
                if name:
                    by_name[name].append(p.number)
                if domain:
                    by_domain[domain].append(p.number)
        for p in planned.values():
            if not p.errors and p.keys[3]:
                self._parent(p, planned, by_name, by_domain)

    def _match(self, p: Planned, keyed: dict[str, int]) -> None:
        """The account a row updates: by the source's id, else the website's domain or the name
        when only one account has it; one the importer may not import into is an error."""
        index = self.ctx.accounts
        ext, name, domain, _parent = p.keys
        if ext and ext in keyed:
            p.record_id, p.matched_by = keyed[ext], "external_id"
        elif domain and len(index.by_domain.get(domain, [])) == 1:
            p.record_id, p.matched_by = index.by_domain[domain][0], "domain"
        elif name and len(index.by_name.get(name, [])) == 1:
            p.record_id, p.matched_by = index.by_name[name][0], "name"
        elif name and index.by_name.get(name):
            p.error("name", _l("Several accounts have this name: give their website."))
        if p.record_id is not None and p.record_id not in index.importable:
            p.error("name", _l("This account belongs to another team: you cannot import into it."))

    def _parent(self, p: Planned, planned: dict[int, Planned], by_name: dict, by_domain: dict):
        """The parent: an account the importer sees, or another row of the file."""
        raw = p.keys[3]
        found, how = self.ctx.accounts.candidates(raw)
        rows = (by_domain if how == "domain" else by_name).get(
            (domain_key(raw) if how == "domain" else company_key(raw)) or "", []
        )
        targets = {("record", a) for a in found}
        for number in rows:
            other = planned[number]
            targets.add(("record", other.record_id) if other.record_id else ("row", number))
        targets.discard(("row", p.number))
        if p.record_id:
            targets.discard(("record", p.record_id))
        if not targets:
            p.error("parent", _l("No account called %(name)s that you can see.", name=raw))
        elif len(targets) > 1:
            p.error(
                "parent",
                _l("Several accounts are called %(name)s: give the website instead.", name=raw),
            )
        else:
            what, which = targets.pop()
            if what == "record":
                p.target = which
            else:
                p.depends_on = which

    def resolve(self, rows: list[tuple[Cells, Planned]]) -> list[Result]:
        ids = [p.record_id for _c, p in rows if p.record_id]
        records = {
            a.id: a for a in db.session.scalars(sa.select(Account).where(Account.id.in_(ids)))
        }
        return [self._resolve(cells, p, records.get(p.record_id or 0)) for cells, p in rows]

    def _data(self, cells: Cells, p: Planned, result: Result) -> dict[str, Any]:
        data: dict[str, Any] = {n: cells.get(n) or None for n in TEXT if n in cells.values}
        errors: dict[str, list[str]] = {}
        if cells.get("tier"):
            try:
                data["tier"] = cell.vocabulary("tier", Tier, cells.get("tier"))
            except ValueError as error:
                add(errors, "tier", str(error))
        if cells.get("team"):
            team_id = self.teams.get(cell._fold(cells.get("team")))
            if team_id is None:
                add(errors, "team", _l("No team called %(name)s.", name=cells.get("team")))
            data["team_id"] = team_id
        if p.target is not None:
            data["parent_id"] = p.target
        elif p.depends_on is not None and (parent := self.ctx.written[p.depends_on].record_id):
            data["parent_id"] = parent
        if errors:
            result.errors = errors
        return data

    def _resolve(self, cells: Cells, p: Planned, record: Account | None) -> Result:
        result = Result(
            Outcome.create, matched_by=p.matched_by, notes=p.notes, external_id=p.keys[0]
        )
        data = self._data(cells, p, result)
        try:
            clean = services.check_account(data, record, actor=self.ctx.actor)
        except ValidationFailed as error:
            clean = {}
            refused(result, error.fields)
        if result.errors:
            result.outcome = Outcome.error
            return result
        if record is None:
            result.data = data
        else:
            matched(
                result, self.ctx.imp.mode, changes_for(self.ctx.imp.mode, record, clean), record
            )
        return result

    def write(self, pairs: list[tuple[tuple[Cells, Planned], Result]]) -> None:
        actor, now = self.ctx.actor, self.ctx.now
        for _row, result in pairs:
            if result.outcome == Outcome.create:
                account = one_by_one(
                    result, lambda r=result: services.create_account(r.data, actor=actor, now=now)
                )
            elif result.outcome == Outcome.update:
                account = db.session.get(Account, result.record_id)
                assert account is not None
                change = {**result.data, "version": account.version}
                account = one_by_one(
                    result,
                    lambda a=account, d=change: services.update_account(a, d, actor=actor, now=now),
                )
            else:
                continue
            if account is not None:
                result.record_id, result.after_version = account.id, account.version


def _mark_repeat(p: Planned, seen: dict[Any, int]) -> None:
    """A row with the id, domain, name or account of an earlier sound row is that account
    again: an error naming the earlier row. `seen` collects the keys of sound rows."""
    ext, name, domain, _parent = p.keys
    for key in (("x", ext), ("d", domain), ("n", name), ("r", p.record_id)):
        if key[-1] is None or p.errors:
            continue
        if key in seen:
            p.error("row", _l("Row %(n)d is the same account.", n=seen[key]))
        else:
            seen[key] = p.number
