"""Undo within 30 days: created records deleted, changed ones given their before-image back, a
record someone changed since kept and reported; by the importer's director or an admin; the
imports that continued it (fixed error files) undone with it; the source's ids forgotten."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts import services as contact_services
from salesflow.contacts.models import Contact
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.imports import runner
from salesflow.imports.models import ImportKey, ImportStatus
from salesflow.interactions.models import Interaction
from tests import factories as f
from tests.imports.import_helpers import commit, csv_bytes, dry_run, rows

HEADER = ["account", "name", "email", "title", "external_id", "known_by"]


def _import(world, now, *lines, **params):
    imp = dry_run(
        csv_bytes(HEADER, *lines), world.director_a, now, kind="contacts", source="crm", **params
    )
    return commit(imp, world.director_a, now)


def test_undo_deletes_what_was_created_restores_what_was_changed_and_keeps_edits(world, now):
    changed = f.make_contact(account=world.account_a, name="Zhou", title="CIO")
    changed.email = "zhou@hd.cn"
    edited_later = f.make_contact(account=world.account_a, name="Qian", title="CFO")
    edited_later.email = "qian@hd.cn"
    db.session.flush()
    imp = _import(
        world,
        now,
        ["Huadong Power", "New One", "new@hd.cn", "", "C-1", world.rep_a.email],
        ["Huadong Power", "Zhou", "zhou@hd.cn", "CTO", "", ""],
        ["Huadong Power", "Qian", "qian@hd.cn", "COO", "", ""],
        mode="overwrite",
    )
    assert imp.counts["create"] == 1 and imp.counts["update"] == 2
    created = db.session.get(Contact, rows(imp)[1].record_id)
    known = db.session.get(Interaction, rows(imp)[1].linked[0][1])
    assert changed.title == "CTO" and edited_later.title == "COO"
    contact_services.update_contact(
        edited_later,
        {"title": "Chief Operating Officer", "version": edited_later.version},
        actor=world.rep_a,
        now=now,
    )
    later = now + timedelta(days=29)
    runner.undo(imp, actor=world.director_a, now=later)
    assert imp.status == ImportStatus.undone
    assert imp.undo_counts == {"reversed": 2, "kept": 1, "failed": 0}
    assert created.deleted_at == later and known.deleted_at == later
    assert changed.title == "CIO"  # its before-image
    assert edited_later.title == "Chief Operating Officer"  # someone's later edit stands
    assert {r.row: r.undo for r in rows(imp).values()} == {1: "reversed", 2: "reversed", 3: "kept"}
    assert db.session.scalar(sa.select(ImportKey).where(ImportKey.import_id == imp.id)) is None
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "contacts", AuditEntry.entity_id == changed.id)
        .order_by(AuditEntry.id.desc())
    )
    assert entry.cause == {"undo": imp.id, "file": imp.filename}


def test_undo_is_for_the_importers_director_or_an_admin_within_30_days(world, now):
    imp = dry_run(
        csv_bytes(HEADER, ["Huadong Power", "A", "", "", "", ""]), world.rep_a, now, kind="contacts"
    )
    commit(imp, world.rep_a, now)
    for outsider in (world.rep_a, world.director_b, world.leader):
        with pytest.raises(Forbidden):
            runner.undo(imp, actor=outsider, now=now)
    with pytest.raises(ValidationFailed) as caught:
        runner.undo(imp, actor=world.director_a, now=now + timedelta(days=31))
    assert "30 days" in " ".join(caught.value.fields["status"])
    runner.undo(imp, actor=world.admin, now=now + timedelta(days=1))
    assert imp.status == ImportStatus.undone
    with pytest.raises(ValidationFailed):
        runner.undo(imp, actor=world.admin, now=now + timedelta(days=1))


def test_a_dry_run_cannot_be_undone_and_a_commit_happens_once(world, now):
    imp = dry_run(
        csv_bytes(HEADER, ["Huadong Power", "A", "", "", "", ""]),
        world.director_a,
        now,
        kind="contacts",
    )
    with pytest.raises(ValidationFailed):
        runner.undo(imp, actor=world.director_a, now=now)
    commit(imp, world.director_a, now)
    with pytest.raises(ValidationFailed):
        commit(imp, world.director_a, now)
    assert imp.counts["create"] == 1


def test_undoing_an_import_undoes_the_fixed_error_file_that_continued_it(world, now):
    first = _import(
        world,
        now,
        ["Huadong Power", "A", "a@x.cn", "", "", ""],
        ["Nowhere", "B", "b@x.cn", "", "", ""],
    )
    assert first.counts["error"] == 1
    fixed = csv_bytes(
        [*HEADER, "error_field", "error_message"],
        ["Huadong Power", "B", "b@x.cn", "", "", "", "account", "No account"],
    )
    second = dry_run(fixed, world.director_a, now, kind="contacts", filename="errors.csv")
    assert second.continues_id == first.id and second.source == first.source
    commit(second, world.director_a, now)
    runner.undo(first, actor=world.director_a, now=now)
    assert second.status == ImportStatus.undone and first.status == ImportStatus.undone
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Contact)
            .where(Contact.account_id == world.account_a.id, Contact.deleted_at.is_(None))
        )
        == 1
    )
