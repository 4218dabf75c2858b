"""What the merge pages show, computed for the templates (STYLE.md rule 15: templates render, they
never compare or look up): values in words, which fields differ, what would move, the groups
and their reasons, the recent merges and who may undo them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow.accounts.forms import FIELD_LABELS as ACCOUNT_LABELS
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.forms import FIELD_LABELS as CONTACT_LABELS
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.forms import ButtonForm
from salesflow.labels import label
from salesflow.merges import queries, services
from salesflow.merges.candidates import Group, Reason
from salesflow.merges.forms import ChooserForm, chooser_form
from salesflow.merges.kinds import KINDS
from salesflow.merges.models import Merge, MergeKind
from salesflow.teams.models import Team

LABELS = {MergeKind.accounts: ACCOUNT_LABELS, MergeKind.contacts: CONTACT_LABELS}
REASONS = {
    Reason.email: _l("Same e-mail"),
    Reason.phone: _l("Same phone"),
    Reason.domain: _l("Same website"),
    Reason.similar_name: _l("Similar names (only a suggestion)"),
}
SAME_NAME = {MergeKind.accounts: _l("Same company name"), MergeKind.contacts: _l("Same name")}


def moved_words(counts: dict[str, int]) -> list[str]:
    """What moves, in words: "3 contacts", "12 contact logs" … (nothing for zero)."""
    words = {
        "contacts": lambda n: ngettext("%(num)d contact", "%(num)d contacts", n),
        "interactions": lambda n: ngettext("%(num)d contact log", "%(num)d contact logs", n),
        "opportunities": lambda n: ngettext("%(num)d opportunity", "%(num)d opportunities", n),
        "child_accounts": lambda n: ngettext("%(num)d child account", "%(num)d child accounts", n),
        "team_members": lambda n: ngettext(
            "%(num)d account team seat", "%(num)d account team seats", n
        ),
        "handovers": lambda n: ngettext("%(num)d handover item", "%(num)d handover items", n),
        "reports": lambda n: ngettext("%(num)d direct report", "%(num)d direct reports", n),
    }
    return [words[name](n) for name, n in counts.items() if n and name in words]


def record_url(kind: MergeKind, record_id: int) -> str:
    if kind == MergeKind.accounts:
        return url_for("accounts.detail", account_id=record_id)
    return url_for("contacts.detail", contact_id=record_id)


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = sa.select(model.id, model.name).where(model.id.in_(ids))
    return {record_id: name for record_id, name in db.session.execute(query)}


class Words:
    """Field values in words: vocabulary labels, names for ids (looked up set-wise, one query
    per kind of id for all the values given), local dates, long text cut short; "—" for
    nothing."""

    def __init__(self, kind: MergeKind, values: list[dict[str, Any]]):
        def ids(name: str) -> set[int]:
            return {v[name] for v in values if v.get(name)}

        self.lookups: dict[str, dict[int, str]] = {}
        if kind == MergeKind.accounts:
            self.lookups["team_id"] = _names(Team, ids("team_id"))
            self.lookups["parent_id"] = _names(Account, ids("parent_id"))
        else:
            self.lookups["reports_to_id"] = _names(Contact, ids("reports_to_id"))

    def __call__(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name in self.lookups:
            return self.lookups[name].get(value, f"#{value}")
        if name == "left_on":
            return format_date(value)
        if hasattr(value, "value"):
            return label(value)
        text = str(value)
        return text if len(text) <= 200 else text[:199] + "…"


def shown_values(kind: MergeKind, records: list[Any]) -> dict[tuple[str, int], str]:
    """Each field of each record in words (Words)."""
    fields = KINDS[kind].fields
    values = [{name: getattr(r, name) for name in fields} for r in records]
    words = Words(kind, values)
    return {
        (name, r.id): words(name, v[name])
        for r, v in zip(records, values, strict=True)
        for name in fields
    }


@dataclass
class Column:
    record: Any
    url: str
    moving: list[str]


@dataclass
class Chooser:
    kind: MergeKind
    columns: list[Column]
    form: ChooserForm
    differing: list[Any]  # the form's radio fields, one per field that differs
    same: list[tuple[str, str]]  # (label, value) of the fields alike in every record
    action: str
    shown: dict[tuple[str, int], str] = field(default_factory=dict)


def _default_survivor(kind: MergeKind, records: list[Any], moving: dict[str, dict[int, int]]):
    """The record with the most related records (the one people have worked on), else the
    oldest."""
    return max(records, key=lambda r: (sum(m.get(r.id, 0) for m in moving.values()), -r.id))


def build(kind: MergeKind, records: list[Any], *, fresh_versions: bool = False) -> Chooser:
    """The chooser for `records`; `fresh_versions` after a conflict (the user's choices stay,
    the versions become the ones just read)."""
    spec, labels = KINDS[kind], LABELS[kind]
    moving = queries.moving(kind, [r.id for r in records])
    survivor = _default_survivor(kind, records, moving)
    others = [r for r in records if r is not survivor]
    shown = shown_values(kind, records)
    differs = {
        name: labels[name]
        for name in spec.fields
        if len({shown[(name, r.id)] for r in records}) > 1
        or len({getattr(r, name) for r in records}) > 1
    }
    form = chooser_form(records, differs, services.default_sources(spec, survivor, others), shown)
    if not form.is_submitted():
        form.survivor.data = str(survivor.id)
    if fresh_versions:
        form.versions.data = ",".join(f"{r.id}:{r.version}" for r in records)
    columns = [
        Column(
            r, record_url(kind, r.id), moved_words({k: v.get(r.id, 0) for k, v in moving.items()})
        )
        for r in records
    ]
    same = [(labels[n], shown[(n, records[0].id)]) for n in spec.fields if n not in differs]
    ids = ",".join(str(r.id) for r in records)
    action = url_for("merges.choose", kind=kind.value, ids=ids)
    return Chooser(kind, columns, form, form.chosen_fields(), same, action, shown)


@dataclass
class Review:
    survivor: Any
    others: list[Any]
    changes: list[tuple[str, str, str]]  # (label, from, to)
    moving: list[str]


def review(view: Chooser, plan: services.Plan) -> Review:
    """What the merge will do, in words, for the confirmation."""
    labels = LABELS[view.kind]
    records = [plan.survivor, *plan.others]
    words = Words(
        view.kind, [plan.values, *({n: getattr(r, n) for n in plan.changes} for r in records)]
    )
    changes = [
        (labels[name], words(name, old), words(name, new))
        for name, (old, new) in plan.changes.items()
    ]
    totals: dict[str, int] = {}
    for kind_name, per_record in queries.moving(view.kind, [o.id for o in plan.others]).items():
        totals[kind_name] = sum(per_record.values())
    return Review(plan.survivor, plan.others, changes, moved_words(totals))


# The duplicates page -------------------------------------------------------------------------


@dataclass
class GroupView:
    rows: list[Any]
    reasons: list[str]
    checked: set[int]


@dataclass
class DuplicatesPage:
    groups: list[GroupView]
    total: int
    page: int
    prev_url: str | None
    next_url: str | None


def _reasons(kind: MergeKind, group: Group) -> list[str]:
    words = []
    for reason in sorted(group.reasons, key=lambda r: list(Reason).index(r)):
        title = SAME_NAME[kind] if reason == Reason.name else REASONS[reason]
        values = sorted(group.reasons[reason])
        words.append(f"{title}: {', '.join(values)}" if values else str(title))
    return words


def duplicates_page(
    user: User, kind: MergeKind, account: Any, page: int, size: int
) -> DuplicatesPage:
    """One page of candidate groups with their records in words (a few queries in all)."""
    if kind == MergeKind.accounts:
        groups = queries.account_groups(user)
    else:
        groups = queries.contact_groups(user, account.id if account else None)
    pages = max(1, -(-len(groups) // size))
    page = min(page, pages)
    shown = groups[(page - 1) * size : page * size]
    ids = {i for g in shown for i in g.ids}
    rows = (queries.account_rows if kind == MergeKind.accounts else queries.contact_rows)(ids)
    views = [
        GroupView(
            [rows[i] for i in g.ids if i in rows],
            _reasons(kind, g),
            set(g.ids[: services.MAX_OTHERS + 1]),
        )
        for g in shown
    ]
    extra = {"account_id": account.id} if account else {}

    def link(n: int) -> str:
        return url_for("merges.duplicates", kind=kind.value, page=n, **extra)

    return DuplicatesPage(
        views,
        len(groups),
        page,
        link(page - 1) if page > 1 else None,
        link(page + 1) if page < pages else None,
    )


# Recent merges, the survivor's banner ----------------------------------------------------------


@dataclass
class MergeRow:
    merge: Merge
    survivor: str
    survivor_url: str
    merged: list[str]
    can_undo: bool
    undo_until: datetime


def merge_rows(user: User, merges: list[Merge], now: datetime) -> list[MergeRow]:
    names = queries.names(merges)
    return [
        MergeRow(
            m,
            names.get((m.kind, m.survivor_id), f"#{m.survivor_id}"),
            record_url(m.kind, m.survivor_id),
            [names.get((m.kind, i), f"#{i}") for i in m.merged_ids],
            services.can_undo(user, m, now),
            services.undo_deadline(m),
        )
        for m in merges
    ]


@dataclass
class Panel:
    rows: list[MergeRow]
    form: ButtonForm


def panel(user: User, kind: MergeKind, record_id: int, now: datetime) -> Panel | None:
    """The merges into this record that `user` may still undo, for a banner on its page."""
    from salesflow import scope

    if not scope.can_find_duplicates(user):
        return None
    rows = [
        r for r in merge_rows(user, queries.standing_into(kind, record_id, now), now) if r.can_undo
    ]
    return Panel(rows, ButtonForm()) if rows else None


def contact_hint(user: User, account: Account) -> int:
    """How many groups of this account's contacts look like duplicates (for the account page's
    link), for those who merge; 0 for others."""
    from salesflow import scope

    if account.is_deleted or not scope.can_merge(user, account):
        return 0
    return len(queries.contact_groups(user, account.id))


def undone_message(merge: Merge) -> str:
    names = queries.names([merge])
    back = ", ".join(names.get((merge.kind, i), f"#{i}") for i in merge.merged_ids)
    message = _("The merge is undone: %(names)s is back as it was.", names=back)
    kept = merge.kept or {}
    if kept.get("fields") or kept.get("rows"):
        message += " " + _(
            "What was changed after the merge was kept: %(fields)d fields, %(rows)d related "
            "records.",
            fields=len(kept.get("fields", [])),
            rows=kept.get("rows", 0),
        )
    return message
