"""Merging duplicate accounts or contacts, and undoing a merge: every write and rule.

A merge keeps one record (the survivor) with, per field, the value of the record the person chose
(a field not chosen keeps the survivor's value, or takes the first other's when the survivor's
is blank); everything related to the others moves to it (kinds.py); the others are soft-deleted
and point at the survivor. Directors merge their team's records, admins any (scope.can_merge);
the survivor's `version` read is required (409 when stale). One merge is undone, within
UNDO_DAYS, by putting back every moved row and changed field as it was — except what was changed
again after the merge, which is kept and reported. Merges on one account are undone newest
first. Everything is audited; nothing is committed here (STYLE.md rules 4 and 5).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from salesflow import clock, scope
from salesflow.accounts.models import AccountMember
from salesflow.audit import services as audit
from salesflow.audit.models import AuditEntry
from salesflow.auth.models import User
from salesflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.merges.journal import Journal, chunks, plain, python_value
from salesflow.merges.kinds import BLANK, KINDS, Kind
from salesflow.merges.models import Merge, MergedRecord, MergeKind
from salesflow.ties import touches
from salesflow.validation import Errors, add, ids, is_id, require_version

UNDO_DAYS = 30
MAX_OTHERS = 4  # five records side by side is as many as anyone compares


@dataclass
class Plan:
    """A checked merge, not yet made: the survivor, the others, and the survivor's fields after
    it (`values`, every field of the kind) with those that change (`changes`)."""

    kind: type[Kind]
    survivor: Any
    others: list[Any]
    values: dict[str, Any]
    changes: audit.Changes


def _others(
    kind: type[Kind], survivor: Any, data: dict[str, Any], actor: User, errors: Errors
) -> list[Any]:
    """The records to merge into the survivor: NotFound for any the actor cannot see, Forbidden
    for any they may not merge; deleted (or already merged) ones are a problem noted."""
    wanted = ids(data.get("other_ids"), "other_ids", errors)
    if wanted is None:
        return []
    if survivor.id in wanted:
        add(errors, "other_ids", _l("A record cannot be merged with itself."))
    wanted = [i for i in wanted if i != survivor.id]
    if not wanted and "other_ids" not in errors:
        add(errors, "other_ids", _l("Choose at least one record to merge into this one."))
    if len(wanted) > MAX_OTHERS:
        add(errors, "other_ids", _l("Merge at most %(n)d records at once.", n=MAX_OTHERS + 1))
        return []
    found = kind.load(actor, wanted)
    if any(i not in found for i in wanted):
        raise NotFound()
    others = [found[i] for i in wanted]
    if not all(scope.can_merge(actor, kind.account(o)) for o in others):
        raise Forbidden()
    for other in others:
        if other.is_deleted:
            add(
                errors,
                "other_ids",
                _l("%(name)s is deleted: restore it first, or leave it out.", name=other.name),
            )
    return others


def _check_versions(others: list[Any], data: dict[str, Any]) -> None:
    """The versions of the others the page showed, when it says (a 409 when one changed)."""
    seen = data.get("other_versions") or {}
    for other in others:
        version = seen.get(other.id, seen.get(str(other.id)))
        if version is not None and version != other.version:
            raise Conflict()


def default_sources(kind: type[Kind], survivor: Any, others: list[Any]) -> dict[str, int]:
    """Per field, whose value the survivor keeps when nobody chooses: its own unless blank,
    else the first other's that is not."""
    sources = {}
    for name in kind.fields:
        source = survivor
        if getattr(survivor, name) in BLANK:
            source = next((o for o in others if getattr(o, name) not in BLANK), survivor)
        sources[name] = source.id
    return sources


def _values(
    kind: type[Kind], survivor: Any, others: list[Any], chosen: Any, errors: Errors
) -> dict[str, Any]:
    """Every field's value after the merge: the chosen record's, else default_sources'."""
    records = {r.id: r for r in (survivor, *others)}
    if chosen is None:
        chosen = {}
    if not isinstance(chosen, dict):
        add(errors, "fields", _l("Give an object of field names and record ids."))
        chosen = {}
    sources = default_sources(kind, survivor, others)
    for name, source in chosen.items():
        if name not in kind.fields:
            add(errors, "fields", _l("%(name)s is not a field that can be chosen.", name=name))
        elif not is_id(source) or source not in records:
            add(errors, f"fields.{name}", _l("Choose one of the records being merged."))
        else:
            sources[name] = source
    return {name: getattr(records[sources[name]], name) for name in kind.fields}


def plan_merge(kind: MergeKind, survivor: Any, data: dict[str, Any], *, actor: User) -> Plan:
    """Check a merge of `data["other_ids"]` into `survivor` with the chosen `data["fields"]`.
    Raises Forbidden (not a director of the records' team or an admin), NotFound (an other the
    actor cannot see), ValidationFailed (every problem at once; also without the `version`
    read), Conflict (a stale version)."""
    spec = KINDS[kind]
    if survivor.is_deleted or not scope.can_merge(actor, spec.account(survivor)):
        raise Forbidden()
    require_version(survivor, data)
    errors: Errors = {}
    others = _others(spec, survivor, data, actor, errors)
    _check_versions(others, data)
    values = _values(spec, survivor, others, data.get("fields"), errors)
    if others:
        spec.check(survivor, others, values, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    changes = {f: (getattr(survivor, f), v) for f, v in values.items() if getattr(survivor, f) != v}
    return Plan(spec, survivor, others, values, changes)


def tie_touches(interaction_ids: list[int]) -> Counter[touches.Key]:
    """The touches these interactions make now (as touches.rebuild counts them), set-wise."""
    found: Counter[touches.Key] = Counter()
    attendees, participants = interaction_attendees.c, interaction_participants.c
    for chunk in chunks(interaction_ids):
        rows = db.session.execute(
            sa.select(
                Interaction.account_id,
                attendees.contact_id,
                participants.user_id,
                Interaction.occurred_at,
            )
            .join(interaction_attendees, attendees.interaction_id == Interaction.id)
            .join(interaction_participants, participants.interaction_id == Interaction.id)
            .where(Interaction.id.in_(chunk), Interaction.deleted_at.is_(None))
        )
        found.update((a, c, u, clock.day_number(at)) for a, c, u, at in rows)
    return found


def _audit_rows(
    rows: list[tuple[str, int, dict[str, Any]]], action: str, *, actor: User, now: datetime
) -> None:
    """An audit entry for each moved record, in one statement. They name no account, so the
    account's own history shows the merge once, not once per contact or interaction."""
    entries = [
        {
            "at": now,
            "actor_id": actor.id,
            "entity_type": table,
            "entity_id": record_id,
            "account_id": None,
            "action": action,
            "changes": changes,
        }
        for table, record_id, changes in rows
    ]
    for start in range(0, len(entries), 5000):
        db.session.execute(sa.insert(AuditEntry), entries[start : start + 5000])


def _team(account_id: int) -> list[list[Any]]:
    """The account team as the audit records it ([user, role] pairs)."""
    return sorted(
        [u, r.value]
        for u, r in db.session.execute(
            sa.select(AccountMember.user_id, AccountMember.role).where(
                AccountMember.account_id == account_id
            )
        )
    )


def merge_records(
    kind: MergeKind, survivor: Any, data: dict[str, Any], *, actor: User, now: datetime
) -> Merge:
    """Merge `data["other_ids"]` into `survivor` (plan_merge's rules and errors): the chosen
    values, every related row moved, the others soft-deleted and pointing at the survivor, tie
    counts kept equal to a rebuild, all of it journaled (for the undo) and audited."""
    plan = plan_merge(kind, survivor, data, actor=actor)
    spec, others = plan.kind, plan.others
    account = spec.account(survivor)
    team_before = _team(survivor.id) if kind == MergeKind.accounts else None
    interactions = spec.interactions(survivor, others)
    touched = tie_touches(interactions)
    audit.apply_changes(survivor, plan.values, spec.fields)
    survivor.updated_at = now  # a new version even when no field changes: its page is stale
    for other in others:
        other.deleted_at = now
    db.session.flush()
    journal = Journal(survivor.id, now)
    moved = spec.move(journal, survivor, others)
    with touches.together(now=now):  # the contacts moved or merged change the figures too
        touches.apply(touches.difference(touched, tie_touches(interactions)))
        touches.changed({account.id, *(spec.account(o).id for o in others)}, now=now)
    merge = Merge(
        kind=kind,
        survivor_id=survivor.id,
        account_id=account.id,
        actor_id=actor.id,
        at=now,
        fields={f: [plain(o), plain(n)] for f, (o, n) in plan.changes.items()},
        journal={"ops": journal.ops, "interactions": interactions},
        moved=moved.counts,
        records=[MergedRecord(kind=kind, record_id=o.id) for o in others],
    )
    db.session.add(merge)
    changes = dict(plan.changes)
    if team_before is not None and (team_after := _team(survivor.id)) != team_before:
        changes["team"] = (team_before, team_after)
    audit.record(survivor, "merge", changes, actor=actor, now=now, account_id=account.id)
    for other in others:
        audit.record(
            other,
            "merge",
            {"deleted_at": (None, now)},
            actor=actor,
            now=now,
            account_id=spec.account(other).id,
        )
    _audit_rows(moved.audits, "merge", actor=actor, now=now)
    db.session.flush()
    db.session.expire_all()  # the moves were made in SQL: loaded rows reload
    return merge


def merged_into(kind: MergeKind, record_id: int) -> Merge | None:
    """The standing (not undone) merge that merged this record away, if any."""
    return db.session.scalar(
        sa.select(Merge)
        .join(MergedRecord)
        .where(
            MergedRecord.kind == kind,
            MergedRecord.record_id == record_id,
            Merge.undone_at.is_(None),
        )
    )


def undo_deadline(merge: Merge) -> datetime:
    return merge.at + timedelta(days=UNDO_DAYS)


def can_undo(user: User, merge: Merge, now: datetime) -> bool:
    """Whether `user` is offered the undo: standing, recent, and theirs to merge."""
    spec = KINDS[merge.kind]
    survivor = db.session.get(spec.model, merge.survivor_id)
    return (
        merge.undone_at is None
        and now <= undo_deadline(merge)
        and survivor is not None
        and scope.can_merge(user, spec.account(survivor))
    )


def _undo_problems(merge: Merge, survivor: Any, now: datetime) -> Errors:
    errors: Errors = {}
    if now > undo_deadline(merge):
        add(
            errors,
            "merge",
            _l("A merge can be undone for %(n)d days; this one is older.", n=UNDO_DAYS),
        )
    later = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Merge)
        .where(Merge.id > merge.id, Merge.undone_at.is_(None), Merge.account_id == merge.account_id)
    )
    if later or merged_into(merge.kind, survivor.id) is not None:
        add(
            errors,
            "merge",
            _l("Later merges of these records still stand: undo them first (newest first)."),
        )
    elif survivor.is_deleted:
        add(
            errors,
            "merge",
            _l("%(name)s was deleted after the merge: restore it first.", name=survivor.name),
        )
    return errors


def _restore_fields(spec: type[Kind], merge: Merge, survivor: Any) -> tuple[audit.Changes, list]:
    """The survivor's fields back as they were, where they still hold what the merge set."""
    restore, kept = {}, []
    for name, (old, new) in merge.fields.items():
        if plain(getattr(survivor, name)) == new:
            restore[name] = python_value(spec.model.__table__.c[name], old)
        else:
            kept.append(name)
    return audit.apply_changes(survivor, restore, list(restore)), kept


def undo_merge(merge: Merge, *, actor: User, now: datetime) -> Merge:
    """Undo a merge within UNDO_DAYS: the merged records back, every moved row and changed field
    as it was unless changed since (kept, and counted in `merge.kept`), tie counts kept equal to
    a rebuild. Raises Forbidden, ValidationFailed (too old, later merges standing, survivor
    deleted), Conflict (already undone, also by someone at the same moment)."""
    spec = KINDS[merge.kind]
    survivor = db.session.get(spec.model, merge.survivor_id)
    merged = list(spec.load(actor, merge.merged_ids).values()) if survivor else []
    if survivor is None or len(merged) != len(merge.merged_ids):
        raise NotFound()
    if not all(scope.can_merge(actor, spec.account(r)) for r in (survivor, *merged)):
        raise Forbidden()
    if merge.undone_at is not None:
        raise Conflict(_l("This merge has already been undone."))
    if errors := _undo_problems(merge, survivor, now):
        raise ValidationFailed(fields=errors)
    claimed = db.session.execute(
        sa.update(Merge)
        .where(Merge.id == merge.id, Merge.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_l("This merge has already been undone."))
    return _undo(spec, merge, survivor, merged, actor=actor, now=now)


def _undo(
    spec: type[Kind], merge: Merge, survivor: Any, merged: list[Any], *, actor: User, now: datetime
) -> Merge:
    account_id = spec.account(survivor).id
    team_before = _team(survivor.id) if merge.kind == MergeKind.accounts else None
    interactions = merge.journal.get("interactions", [])
    touched = tie_touches(interactions)
    changes, kept_fields = _restore_fields(spec, merge, survivor)
    survivor.updated_at = now
    for record in merged:
        record.deleted_at = None
    db.session.flush()
    journal = Journal(survivor.id, now, merge.journal["ops"])
    journal.undo()
    with touches.together(now=now):
        touches.apply(touches.difference(touched, tie_touches(interactions)))
        touches.changed({account_id, *(spec.account(r).id for r in merged)}, now=now)
    if team_before is not None and (team_after := _team(survivor.id)) != team_before:
        changes["team"] = (team_before, team_after)
    audit.record(survivor, "unmerge", changes, actor=actor, now=now, account_id=account_id)
    for record in merged:
        audit.record(
            record,
            "unmerge",
            {"deleted_at": (merge.at, None)},
            actor=actor,
            now=now,
            account_id=spec.account(record).id,
        )
    _audit_rows(journal.undone, "unmerge", actor=actor, now=now)
    merge.undone_at, merge.undone_by_id = now, actor.id
    merge.kept = {"fields": kept_fields, "rows": journal.kept}
    db.session.flush()
    db.session.expire_all()
    return merge
