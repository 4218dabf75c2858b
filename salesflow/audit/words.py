"""An audit trail in words (STYLE.md rule 16): each entry as the reader reads it — who, when (on
the company clock), which record it belongs to when the page shows more than one (an account's
history names the deal, contact or contact log), what was done, and each changed field by its
label, its values as names, labels, stage names, dates and amounts; never a column name, an id or
an enum value.

The ids an entry keeps are resolved set-wise (STYLE.md rule 11): one query per kind of id on the
page (people, contacts, accounts, teams, deals, contact logs), however many entries it shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from salesflow import formatting, scope
from salesflow.accounts.forms import FIELD_LABELS as ACCOUNT_LABELS
from salesflow.accounts.models import Account
from salesflow.audit import queries
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.contacts.forms import FIELD_LABELS as CONTACT_LABELS
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.forms import FIELD_LABELS as INTERACTION_LABELS
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import (
    expectations_pages,
    plans_forms,
    spend_kinds,
    spend_pages,
    tiering_pages,
)
from salesflow.labels import label
from salesflow.opportunities.forms import FIELD_LABELS as OPPORTUNITY_LABELS
from salesflow.opportunities.models import Opportunity
from salesflow.playbooks import registry
from salesflow.playbooks.gates import ApprovalGate
from salesflow.playbooks.schema import Playbook, text
from salesflow.requests import kinds
from salesflow.requests import words as request_words
from salesflow.requests.forms import FIELD_LABELS as REQUEST_FORM_LABELS
from salesflow.requests.models import InternalRequest
from salesflow.teams.models import Team

USERS, CONTACTS, ACCOUNTS, TEAMS, DEALS, LOGS, REQUESTS = (
    "users",
    "contacts",
    "accounts",
    "teams",
    "opportunities",
    "interactions",
    "internal_requests",
)
RECORD_ACCOUNTS = "record accounts"  # accounts whose own entries the page shows
REQUEST_LABELS = {
    **REQUEST_FORM_LABELS,
    "assignee_id": _l("Asked of"),
    "requester_id": _l("Asked by"),
    "status": _l("Status"),
    "rush": _l("Rush"),
    "reason": _l("Reason"),
    "delivered": _l("Delivered"),
    "rating_comment": _l("Rating comment"),
    "rating_at": _l("Rated"),
    "rating_dismissed": _l("Not to be rated"),
}
# Each record's field labels (the forms' own); a field not in its form has one here.
LABELS: dict[str, Mapping[str, Any]] = {
    ACCOUNTS: ACCOUNT_LABELS,
    CONTACTS: CONTACT_LABELS,
    LOGS: INTERACTION_LABELS,
    DEALS: OPPORTUNITY_LABELS,
    REQUESTS: REQUEST_LABELS,
    **expectations_pages.AUDIT_LABELS,  # account_expectations, perception_records
    **tiering_pages.AUDIT_LABELS,  # account_tier_changes
    **plans_forms.AUDIT_LABELS,  # account_plans
    **spend_pages.AUDIT_LABELS,  # account_budgets
}
COMMON_LABELS = {
    "account_id": _l("Account"),
    "owner_id": _l("Logged by"),
    "deleted_at": _l("Deleted"),
    "source": _l("Source"),
    "buying_roles": _l("Buying roles in this deal"),
    **tiering_pages.ACCOUNT_AUDIT_LABELS,  # an account's yearly potential
}
# Fields holding one id, a list of ids, or [user, role] pairs, and what the id names.
ID_FIELDS = {
    "reports_to_id": CONTACTS,
    "parent_id": ACCOUNTS,
    "account_id": ACCOUNTS,
    "team_id": TEAMS,
    "director_id": USERS,
    "owner_id": USERS,
    "opportunity_id": DEALS,
    "from_user_id": USERS,
    "to_user_id": USERS,
    "assignee_id": USERS,
    "requester_id": USERS,
    "contact_id": CONTACTS,
    "interaction_id": LOGS,
    "request_id": REQUESTS,
}
ID_LIST_FIELDS = {"participant_ids": USERS, "contact_ids": CONTACTS, "account_ids": ACCOUNTS}
PAIR_FIELDS = ("team", "roles")  # an account team, a deal's iron triangle
VOCABULARY = ("tier", "level", "decision_role", "influence", "attitude", "kind", "status", "role")
DATES = ("expected_close", "left_on", "next_step_due", "due_date", "needed_by", "due")
MOMENTS = (
    "occurred_at",
    "deleted_at",
    "next_step_done_at",
    "closed_at",
    "revoked_at",
    "rating_at",
)
RECORD_TITLES = {
    ACCOUNTS: _l("Account: %(name)s"),
    CONTACTS: _l("Contact: %(name)s"),
    DEALS: _l("Opportunity: %(name)s"),
    LOGS: _l("Contact log: %(name)s"),
    REQUESTS: _l("Request: %(name)s"),
}
# Records with no page of their own, named on an account's history by what they are.
RECORD_KINDS = {
    "account_plans": _l("Account plan"),
    "account_budgets": _l("Relationship budget"),
}
RECORD_PAGES = {
    ACCOUNTS: ("accounts.detail", "account_id"),
    CONTACTS: ("contacts.detail", "contact_id"),
    DEALS: ("opportunities.detail", "opportunity_id"),
    LOGS: ("interactions.detail", "interaction_id"),
    REQUESTS: ("requests.detail", "request_id"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Record:
    """The record an entry belongs to, when the page shows the history of several."""

    title: str
    url: str | None


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    when: str  # on the company clock, in the reader's format
    actor: str
    action: str
    record: Record | None
    cause: str | None
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Deal:
    name: str
    currency: str
    playbook: Playbook


class Names:
    """The names behind every id the entries keep, one query per kind."""

    def __init__(self, entries: Iterable[AuditEntry], user: User) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for entry in entries:
            _collect(entry, wanted)
        self.unseen = gettext("an account you cannot see")
        self.users = _pairs(wanted[USERS], sa.select(User.id, User.name), User.id)
        self.teams = _pairs(wanted[TEAMS], sa.select(Team.id, Team.name), Team.id)
        self.contacts = _pairs(wanted[CONTACTS], sa.select(Contact.id, Contact.name), Contact.id)
        # An account is named if the reader may see it (deleted or not), or if its own history is
        # on the page (an account merged into this one); any other is "an account you cannot see".
        seen = sa.or_(
            Account.id.in_(scope.visible_account_ids(user, include_deleted=True)),
            Account.id.in_(wanted[RECORD_ACCOUNTS]),
        )
        self.accounts = _pairs(
            wanted[ACCOUNTS], sa.select(Account.id, Account.name).where(seen), Account.id
        )
        self.deals = _deals(wanted[DEALS])
        self.logs = _logs(wanted[LOGS])
        # A request is named (and its entries shown) only to those who may see it.
        self.internal_requests = _pairs(
            wanted[REQUESTS],
            sa.select(InternalRequest.id, InternalRequest.title).where(
                scope.visible_requests(user)
            ),
            InternalRequest.id,
        )

    def name(self, kind: str, record_id: Any) -> str:
        if kind == DEALS:
            deal = self.deals.get(record_id)
            return deal.name if deal else _missing()
        if kind == ACCOUNTS:
            return self.accounts.get(record_id, self.unseen)
        found = getattr(self, kind if kind != LOGS else "logs").get(record_id)
        return found if found is not None else _missing()


def _pairs(ids: set[int], query: sa.Select, column: Any) -> dict[int, str]:
    """{id: name} of `ids`, in one query (none when there are none)."""
    if not ids:
        return {}
    return {i: n for i, n in db.session.execute(query.where(column.in_(ids)))}


def _deals(ids: set[int]) -> dict[int, Deal]:
    """The deals by id with their playbook versions, parsed (for stage and item names)."""
    if not ids:
        return {}
    deals = db.session.scalars(
        sa.select(Opportunity)
        .where(Opportunity.id.in_(ids))
        .options(so.joinedload(Opportunity.playbook_version))
    )
    return {d.id: Deal(d.name, d.currency, registry.playbook(d.playbook_version)) for d in deals}


def _logs(ids: set[int]) -> dict[int, str]:
    """Contact logs named by their kind and day ("Visit · Nov 20, 2026")."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Interaction.id, Interaction.kind, Interaction.occurred_at).where(
            Interaction.id.in_(ids)
        )
    )
    return {i: f"{label(k)} · {formatting.format_date(at)}" for i, k, at in rows}


def _missing() -> str:
    return gettext("(removed)")


def _key_id(key: Any) -> int | None:
    """An id kept as a JSON object's key (a text of ASCII digits)."""
    return int(key) if isinstance(key, str) and key.isascii() and key.isdigit() else None


def _collect(entry: AuditEntry, wanted: dict[str, set[int]]) -> None:
    if entry.entity_type in RECORD_PAGES:
        wanted[entry.entity_type].add(entry.entity_id)
    if entry.entity_type == ACCOUNTS:
        wanted[RECORD_ACCOUNTS].add(entry.entity_id)
    for field, values in (entry.changes or {}).items():
        for value in values if isinstance(values, list) else []:
            if field in ID_FIELDS and isinstance(value, int):
                wanted[ID_FIELDS[field]].add(value)
            elif field in ID_LIST_FIELDS and isinstance(value, list):
                wanted[ID_LIST_FIELDS[field]].update(v for v in value if isinstance(v, int))
            elif field in PAIR_FIELDS and isinstance(value, list):
                wanted[USERS].update(p[0] for p in value if isinstance(p, list) and p)
            elif field == "buying_roles" and isinstance(value, list):  # [contact, role] pairs
                wanted[CONTACTS].update(p[0] for p in value if isinstance(p, list) and p)
            elif field == "spend" and isinstance(value, dict):  # a contact's shares of its cost
                wanted[CONTACTS].update(i for i in map(_key_id, value) if i is not None)


def stage_name(playbook: Playbook | None, key: str) -> str:
    """A stage by its name in the reader's language: in the deal's playbook version, else in
    the newest version of the same playbook (a stage the deal left before a migration)."""
    candidates = [playbook] if playbook else []
    if playbook is not None and (newest := registry.file_playbooks().get(playbook.key)):
        candidates.append(newest)
    for candidate in candidates:
        try:
            return text(candidate.stage(key).name, get_locale())
        except KeyError:
            continue
    return key


def _playbook_name(value: str) -> str:
    """'enterprise v2' as the playbook's name and version."""
    key, _, version = value.partition(" ")
    found = registry.file_playbooks().get(key)
    return f"{text(found.name, get_locale())} {version}".strip() if found else value


def _pair_text(field: str, pairs: list[Any], names: Names) -> str:
    shown = []
    for pair in pairs:
        user_id, role = (pair + [None, None])[:2] if isinstance(pair, list) else (pair, None)
        person = names.name(USERS, user_id)
        if field == "roles":  # the iron triangle: "AR: Li Ming"
            shown.append(f"{role}: {person}")
        else:
            shown.append(f"{person} ({label(role)})")
    return "; ".join(shown)


def _deal_value(field: str, value: Any, deal: Deal | None) -> str | None:
    """The values only a deal's entries hold: its stage, playbook, amount, decisions."""
    if field == "stage_key":
        return stage_name(deal.playbook if deal else None, value)
    if field == "playbook":
        return _playbook_name(str(value))
    if field == "amount":
        return formatting.format_money(value, deal.currency if deal else None)
    if field.startswith("approval."):
        return label(value)
    if field == "loss_reason" and deal is not None:  # a key of the playbook's list, by its name
        return text(registry.loss_reason(deal.playbook, str(value)).name, get_locale())
    return None


def _named(field: str, value: Any, names: Names) -> str | None:
    """Ids as names: one, a list, or an account team's / iron triangle's [user, role] pairs."""
    if field in ID_FIELDS:
        return names.name(ID_FIELDS[field], value)
    if field in ID_LIST_FIELDS and isinstance(value, list):
        return ", ".join(names.name(ID_LIST_FIELDS[field], v) for v in value)
    if field in PAIR_FIELDS and isinstance(value, list):
        return _pair_text(field, value, names)
    if field == "buying_roles" and isinstance(value, list):  # a deal's contacts and roles
        return "; ".join(
            f"{names.name(CONTACTS, p[0])} ({label(p[1])})"
            for p in value
            if isinstance(p, list) and len(p) == 2
        )
    if field == "spend" and isinstance(value, dict):  # {contact id: amount}
        return ", ".join(
            f"{names.name(CONTACTS, _key_id(k))} {formatting.format_money(v)}"
            for k, v in value.items()
        )
    return None


# Fields shown by a formatter of their own: vocabulary by its label, days, moments, the cost.
SHOWN_BY = {
    **dict.fromkeys(VOCABULARY, label),
    **dict.fromkeys(DATES, formatting.format_date),
    **dict.fromkeys(MOMENTS, formatting.format_datetime),
    "cost": formatting.format_money,
}


def _request_value(field: str, value: Any) -> str | None:
    """A request's kind and status by their names (they are not the shared vocabulary)."""
    if field == "kind":
        return kinds.label(str(value))
    if field == "status":
        return request_words.status(value)
    return None


def _key_account_value(entity: str, field: str, value: Any) -> str | None:
    """A plan's objectives by their number (the entry keeps their kinds and parameters); a
    budget's amount as a number (its currency is a field of its own)."""
    if entity == "account_plans" and field == "objectives" and isinstance(value, list):
        return ngettext("%(num)d objective", "%(num)d objectives", len(value))
    if entity == "account_budgets" and field == "amount":
        return formatting.format_number(value, "#,##0.##")
    if entity == LOGS and field == "spend_kind":
        return str(spend_kinds.SPEND_KINDS.get(str(value), value))
    return None


def value_text(
    field: str, value: Any, names: Names, deal: Deal | None = None, *, entity: str = ""
) -> str:
    """One stored value of `field` as the reader reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if entity == REQUESTS and (shown := _request_value(field, value)) is not None:
        return shown
    if entity in expectations_pages.AUDIT_LABELS and field in expectations_pages.WORDED:
        return expectations_pages.word(value)
    if (shown := _key_account_value(entity, field, value)) is not None:
        return shown
    if (shown := _deal_value(field, value, deal)) is not None:
        return shown
    if (shown := _named(field, value, names)) is not None:
        return shown
    if field in SHOWN_BY:
        return SHOWN_BY[field](value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    shown = str(value)
    return shown if len(shown) <= 80 else shown[:79] + "…"


def field_label(entity_type: str, field: str, deal: Deal | None = None) -> str:
    """A changed field's label: the form's, or the checklist item / decision point it names."""
    head, _, rest = field.partition(".")
    if head == "checklist" and deal is not None:
        stage_key, _, item_key = rest.partition(".")
        item = _checklist_text(deal.playbook, stage_key, item_key)
        return gettext("Checklist: %(item)s", item=item)
    if head == "approval" and deal is not None:
        return gettext("Decision point: %(name)s", name=_decision_name(deal.playbook, rest))
    found = LABELS.get(entity_type, {}).get(field) or COMMON_LABELS.get(field)
    return str(found) if found is not None else field


def _checklist_text(playbook: Playbook, stage_key: str, item_key: str) -> str:
    try:
        return text(playbook.stage(stage_key).item(item_key).text, get_locale())
    except KeyError:
        return item_key


def _decision_name(playbook: Playbook, gate_key: str) -> str:
    for stage in playbook.stages:
        for gate in stage.exit:
            if isinstance(gate, ApprovalGate) and gate.key == gate_key:
                return text(gate.name, get_locale())
    return gate_key


def _cause(entry: AuditEntry) -> str | None:
    cause = entry.cause or {}
    if cause.get("import"):
        return gettext("Imported from %(file)s", file=cause.get("file", ""))
    if cause.get("undo"):
        return gettext("Undo of the import of %(file)s", file=cause.get("file", ""))
    return None


def _record(entry: AuditEntry, page: tuple[str, int] | None, names: Names) -> Record | None:
    """The record an entry belongs to, unless it is the page's own."""
    if page == (entry.entity_type, entry.entity_id):
        return None
    if entry.entity_type in RECORD_KINDS:
        return Record(str(RECORD_KINDS[entry.entity_type]), None)
    if entry.entity_type not in RECORD_PAGES:
        return None
    kind = entry.entity_type
    name = names.name(kind, entry.entity_id)
    endpoint, arg = RECORD_PAGES[kind]
    hidden = kind == ACCOUNTS and entry.entity_id not in names.accounts
    url = None if hidden else url_for(endpoint, **{arg: entry.entity_id})
    return Record(str(RECORD_TITLES[kind]) % {"name": name}, url)


def rows(
    entries: list[AuditEntry], user: User, page: tuple[str, int] | None = None
) -> list[HistoryRow]:
    """The entries in words, for `user` reading the page of the record `page` names."""
    names = Names(entries, user)
    result = []
    for entry in entries:
        kind = entry.entity_type
        if kind == REQUESTS and entry.entity_id not in names.internal_requests:
            continue  # a request the reader may not see
        deal = names.deals.get(entry.entity_id) if kind == DEALS else None
        changes = tuple(
            FieldChange(
                field_label(kind, field, deal),
                value_text(field, values[0], names, deal, entity=kind),
                value_text(field, values[1], names, deal, entity=kind),
            )
            for field, values in (entry.changes or {}).items()
            if isinstance(values, list) and len(values) == 2
        )
        result.append(
            HistoryRow(
                at=entry.at,
                when=formatting.format_datetime(entry.at),
                actor=entry.actor.name if entry.actor else gettext("System"),
                action=label(entry.action),
                record=_record(entry, page, names),
                cause=_cause(entry),
                changes=changes,
            )
        )
    return result


def history(entity_type: str, entity_id: int, user: User, *, limit: int = 50) -> list[HistoryRow]:
    """One record's history in words (with the records merged into it, each named)."""
    entries = queries.history(entity_type, entity_id, limit=limit)
    return rows(entries, user, page=(entity_type, entity_id))


def account_history(account_id: int, user: User, *, limit: int = 50) -> list[HistoryRow]:
    """An account's history in words, each change to a deal, contact or contact log naming it."""
    return rows(queries.account_history(account_id, limit=limit), user, page=(ACCOUNTS, account_id))
