"""What merging means for each kind of record (STYLE.md rule 9: a registry, one class a kind):
which fields the chooser offers, how records are loaded in scope, what must hold for the merged
values, and which related rows move to the survivor (through the journal, set-wise).

Accounts: contacts, interactions (their attendees go with them), opportunities, child accounts,
the account team (a person already in that role on the survivor is not added twice) and handover
items (two items of one handover become one, with both accounts' roles and key contacts).
Contacts, within one account: interaction attendance (once per interaction), the people reporting
to them (the decision chain) and handover key contacts. Tie counts follow the interactions
(services.py); audit entries keep their record, and the survivor's page shows both histories.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account, AccountMember
from salesflow.auth.models import User
from salesflow.contacts.models import EDITABLE_FIELDS, Attitude, Contact, DecisionRole
from salesflow.extensions import db
from salesflow.handovers.models import HandoverAccount
from salesflow.interactions.models import Interaction, interaction_attendees
from salesflow.merges.journal import Audits, Journal, chunks
from salesflow.merges.models import MergeKind
from salesflow.opportunities.models import Opportunity
from salesflow.validation import Errors, add

# A value that says nothing: the default of an unnamed field takes another record's instead.
BLANK = (None, "", DecisionRole.unknown, Attitude.unknown)


@dataclass
class Moved:
    """What a merge moved: counts for people and an audit line for each record it changed."""

    counts: dict[str, int]
    audits: Audits


def _upward(model: Any, column: Any, start: int) -> set[int]:
    """`start` and everything above it by `column` (parent, manager), in one recursive query
    (UNION stops on a loop)."""
    up = sa.select(model.id, column.label("up")).where(model.id == start).cte("up", recursive=True)
    up = up.union(sa.select(model.id, column.label("up")).join(up, model.id == up.c.up))
    return set(db.session.scalars(sa.select(up.c.id)))


def _pointer(values: dict[str, Any], name: str, survivor: Any, others: list[Any]) -> Any:
    """The survivor's parent or manager after the merge: one that is itself being merged stands
    for its own parent (the survivor takes its place)."""
    merged = {o.id: o for o in others}
    target, seen = values[name], set()
    while target in merged and target not in seen:
        seen.add(target)
        target = getattr(merged[target], name)
    return None if target in merged else target


def _closes_loop(target: Any, name: str, model: Any, survivor: Any, others: list[Any]) -> bool:
    """Whether pointing the survivor at `target` closes a loop once the merged records are one."""
    if target is None:
        return False
    return bool(
        _upward(model, getattr(model, name), target) & {survivor.id, *(o.id for o in others)}
    )


class Kind:
    kind: ClassVar[MergeKind]
    model: ClassVar[Any]
    fields: ClassVar[tuple[str, ...]]

    @staticmethod
    def account(record: Any) -> Account:
        raise NotImplementedError

    @classmethod
    def load(cls, user: User, ids: list[int]) -> dict[int, Any]:
        """The records among `ids` that `user` may see (deleted ones too, within the scope of
        those who restore), in one query."""
        raise NotImplementedError

    @classmethod
    def check(cls, survivor: Any, others: list[Any], values: dict[str, Any], errors: Errors):
        """Rules the merged values must keep; may adjust `values` (the pointer fields)."""

    @classmethod
    def move(cls, journal: Journal, survivor: Any, others: list[Any]) -> Moved:
        raise NotImplementedError

    @classmethod
    def interactions(cls, survivor: Any, others: list[Any]) -> list[int]:
        """The interactions whose tie touches the merge may change."""
        raise NotImplementedError


def _audits(table: str, column: str, rows: list[tuple[int, int]], survivor_id: int) -> Audits:
    return [(table, k, {column: [old, survivor_id]}) for k, old in rows]


def _move_source_ids(journal: Journal, kind: MergeKind, ids: list[int]) -> None:
    """An import source's own id of a merged record now names the survivor, so the next file
    from that source updates the survivor instead of bringing the duplicate back."""
    table = db.metadata.tables.get("import_keys")
    if table is None:
        return
    query = sa.select(table.c.id, table.c.record_id).where(
        table.c.kind == kind.value, table.c.record_id.in_(ids)
    )
    rows = db.session.execute(query.order_by(table.c.id)).all()
    journal.move("import_keys", "record_id", "id", rows)


class AccountKind(Kind):
    kind = MergeKind.accounts
    model = Account
    fields = (
        "name",
        "industry",
        "region",
        "team_id",
        "tier",
        "parent_id",
        "address",
        "website",
        "notes",
    )

    @staticmethod
    def account(record: Account) -> Account:
        return record

    @classmethod
    def load(cls, user: User, ids: list[int]) -> dict[int, Account]:
        visible = scope.visible_account_ids(user, include_deleted=True)
        query = sa.select(Account).where(Account.id.in_(ids), Account.id.in_(visible))
        return {a.id: a for a in db.session.scalars(query)}

    @classmethod
    def check(cls, survivor, others, values, errors):
        values["parent_id"] = _pointer(values, "parent_id", survivor, others)
        if values["parent_id"] == survivor.id or _closes_loop(
            values["parent_id"], "parent_id", Account, survivor, others
        ):
            add(
                errors,
                "fields.parent_id",
                _l("An account cannot be its own parent, directly or not."),
            )

    @classmethod
    def interactions(cls, survivor, others):
        ids = [o.id for o in others]
        return list(
            db.session.scalars(
                sa.select(Interaction.id)
                .where(Interaction.account_id.in_(ids))
                .order_by(Interaction.id)
            )
        )

    @classmethod
    def move(cls, journal, survivor, others):
        ids, counts, audits = [o.id for o in others], {}, []
        for model, name in (
            (Contact, "contacts"),
            (Interaction, "interactions"),
            (Opportunity, "opportunities"),
        ):
            rows = db.session.execute(
                sa.select(model.id, model.account_id)
                .where(model.account_id.in_(ids))
                .order_by(model.id)
            ).all()
            counts[name] = journal.move(name, "account_id", "id", rows)
            audits += _audits(name, "account_id", rows, survivor.id)
        children = db.session.execute(
            sa.select(Account.id, Account.parent_id).where(
                Account.parent_id.in_(ids), Account.id.not_in([survivor.id, *ids])
            )
        ).all()
        counts["child_accounts"] = journal.move("accounts", "parent_id", "id", children)
        audits += _audits("accounts", "parent_id", children, survivor.id)
        counts["team_members"] = cls._move_team(journal, survivor, ids)
        counts["handovers"] = cls._move_handovers(journal, survivor, ids)
        _move_source_ids(journal, cls.kind, ids)
        return Moved(counts, audits)

    @staticmethod
    def _move_team(journal: Journal, survivor: Account, ids: list[int]) -> int:
        """The merged accounts' team members join the survivor's team; a person already there in
        the same role is not added twice."""
        seats = sa.select(AccountMember.user_id, AccountMember.role)
        held = set(db.session.execute(seats.where(AccountMember.account_id == survivor.id)).all())
        moving, dropping = [], []
        for member in db.session.scalars(
            sa.select(AccountMember)
            .where(AccountMember.account_id.in_(ids))
            .order_by(AccountMember.id)
        ):
            seat = (member.user_id, member.role)
            if seat in held:
                dropping.append(
                    {
                        "id": member.id,
                        "account_id": member.account_id,
                        "user_id": member.user_id,
                        "role": member.role,
                    }
                )
            else:
                held.add(seat)
                moving.append((member.id, member.account_id))
        journal.remove("account_members", dropping)
        return journal.move("account_members", "account_id", "id", moving)

    @staticmethod
    def _move_handovers(journal: Journal, survivor: Account, ids: list[int]) -> int:
        """Handover items move; where a handover already has an item for the survivor, the two
        become one (both accounts' roles and key contacts, the survivor's risk before)."""
        items = db.session.scalars(
            sa.select(HandoverAccount)
            .where(HandoverAccount.account_id.in_([survivor.id, *ids]))
            .order_by(HandoverAccount.handover_id, HandoverAccount.account_id)
        ).all()
        # per handover: the survivor's item as it is now, and as it was before any joining
        moving: list[tuple[int, int]] = []
        dropping: list[dict[str, Any]] = []
        now: dict[int, dict[str, Any]] = {}
        was: dict[int, dict[str, Any]] = {}
        for item in sorted(items, key=lambda i: i.account_id != survivor.id):
            values = {"roles": item.roles, "key_contact_ids": item.key_contact_ids}
            if item.handover_id not in now:
                now[item.handover_id] = was[item.handover_id] = values
                if item.account_id != survivor.id:
                    moving.append((item.handover_id, item.account_id))
                continue
            dropping.append(
                {
                    "handover_id": item.handover_id,
                    "account_id": item.account_id,
                    "risk_before": item.risk_before,
                    **values,
                }
            )
            joined = now[item.handover_id]
            now[item.handover_id] = {
                "roles": _join_roles(joined["roles"], item.roles),
                "key_contact_ids": list(
                    dict.fromkeys([*joined["key_contact_ids"], *item.key_contact_ids])
                ),
            }
        moved = journal.move("handover_accounts", "account_id", "handover_id", moving)
        journal.remove("handover_accounts", dropping)
        for handover_id in sorted(now):
            where = {"handover_id": handover_id, "account_id": survivor.id}
            for column in ("roles", "key_contact_ids"):
                if was[handover_id][column] != now[handover_id][column]:
                    journal.rewrite(
                        "handover_accounts",
                        where,
                        column,
                        was[handover_id][column],
                        now[handover_id][column],
                    )
        return moved + len(dropping)


def _join_roles(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Both items' roles of the person handing over (team roles, open deals), each once."""
    team = list(dict.fromkeys([*a.get("team", []), *b.get("team", [])]))
    deals = [
        list(d)
        for d in dict.fromkeys(
            tuple(d) for d in [*a.get("opportunities", []), *b.get("opportunities", [])]
        )
    ]
    return {**a, **b, "team": team, "opportunities": deals}


class ContactKind(Kind):
    kind = MergeKind.contacts
    model = Contact
    fields = EDITABLE_FIELDS

    @staticmethod
    def account(record: Contact) -> Account:
        return record.account

    @classmethod
    def load(cls, user: User, ids: list[int]) -> dict[int, Contact]:
        visible = scope.visible_account_ids(user, include_deleted=True)
        query = sa.select(Contact).where(Contact.id.in_(ids), Contact.account_id.in_(visible))
        return {c.id: c for c in db.session.scalars(query)}

    @classmethod
    def check(cls, survivor, others, values, errors):
        if any(o.account_id != survivor.account_id for o in others):
            add(
                errors,
                "other_ids",
                _l("Only contacts of one account can be merged: merge their accounts first."),
            )
        values["reports_to_id"] = _pointer(values, "reports_to_id", survivor, others)
        if values["reports_to_id"] == survivor.id:
            add(errors, "fields.reports_to_id", _l("A contact cannot report to themselves."))
        elif _closes_loop(values["reports_to_id"], "reports_to_id", Contact, survivor, others):
            add(errors, "fields.reports_to_id", _l("This would make a loop in the reporting line."))

    @classmethod
    def interactions(cls, survivor, others):
        return _attended([o.id for o in others])

    @classmethod
    def move(cls, journal, survivor, others):
        ids, counts = [o.id for o in others], {}
        audits = cls._move_attendance(journal, survivor, ids)
        counts["interactions"] = len(audits)
        reports = db.session.execute(
            sa.select(Contact.id, Contact.reports_to_id)
            .where(Contact.reports_to_id.in_(ids), Contact.id.not_in([survivor.id, *ids]))
            .order_by(Contact.id)
        ).all()
        counts["reports"] = journal.move("contacts", "reports_to_id", "id", reports)
        audits += _audits("contacts", "reports_to_id", reports, survivor.id)
        counts["handovers"] = cls._move_key_contacts(journal, survivor, ids)
        _move_source_ids(journal, cls.kind, ids)
        return Moved(counts, audits)

    @staticmethod
    def _move_attendance(journal: Journal, survivor: Contact, ids: list[int]) -> Audits:
        """Each interaction a merged contact attended is now attended by the survivor, once."""
        attendees = interaction_attendees.c
        present: dict[int, set[int]] = defaultdict(set)
        for interaction_ids in chunks(_attended(ids)):
            for interaction_id, contact_id in db.session.execute(
                sa.select(attendees.interaction_id, attendees.contact_id).where(
                    attendees.interaction_id.in_(interaction_ids),
                    attendees.contact_id.in_([survivor.id, *ids]),
                )
            ):
                present[interaction_id].add(contact_id)
        moving, dropping, audits = [], [], []
        for interaction_id, contacts in sorted(present.items()):
            merged = sorted(contacts - {survivor.id})
            if survivor.id in contacts:
                dropping += [{"interaction_id": interaction_id, "contact_id": c} for c in merged]
            else:
                moving.append((interaction_id, merged[0]))
                dropping += [
                    {"interaction_id": interaction_id, "contact_id": c} for c in merged[1:]
                ]
            audits.append(
                ("interactions", interaction_id, {"contact_ids": [sorted(contacts), [survivor.id]]})
            )
        journal.remove("interaction_attendees", dropping)
        journal.move("interaction_attendees", "contact_id", "interaction_id", moving)
        return audits

    @staticmethod
    def _move_key_contacts(journal: Journal, survivor: Contact, ids: list[int]) -> int:
        """Handover items of the account name the survivor where they named a merged contact."""
        merged, changed = set(ids), 0
        for item in db.session.scalars(
            sa.select(HandoverAccount)
            .where(HandoverAccount.account_id == survivor.account_id)
            .order_by(HandoverAccount.handover_id)
        ):
            if not merged & set(item.key_contact_ids):
                continue
            new = list(
                dict.fromkeys(survivor.id if c in merged else c for c in item.key_contact_ids)
            )
            journal.rewrite(
                "handover_accounts",
                {"handover_id": item.handover_id, "account_id": item.account_id},
                "key_contact_ids",
                list(item.key_contact_ids),
                new,
            )
            changed += 1
        return changed


def _attended(contact_ids: list[int]) -> list[int]:
    """The interactions (deleted ones too) any of these contacts attended."""
    attendees = interaction_attendees.c
    return list(
        db.session.scalars(
            sa.select(attendees.interaction_id)
            .distinct()
            .where(attendees.contact_id.in_(contact_ids))
            .order_by(attendees.interaction_id)
        )
    )


KINDS: dict[MergeKind, type[Kind]] = {
    MergeKind.accounts: AccountKind,
    MergeKind.contacts: ContactKind,
}
