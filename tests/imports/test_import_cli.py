"""`flask import FILE --kind contacts --as EMAIL`: the per-outcome counts printed, the failed rows
written next to FILE, a dry run that writes nothing, the user's scope applied; bad input refused
in words with nothing saved."""

import shutil

import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports.models import Import
from tests import factories as f
from tests.imports.import_helpers import FILES


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["import", *map(str, args)])


def _count(account) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Contact)
        .where(Contact.account_id == account.id, Contact.deleted_at.is_(None))
    )


def test_import_prints_counts_and_writes_the_error_file(app, world, now, tmp_path):
    huadong = f.make_account(team=world.team_a, name="华东电力")
    db.session.commit()
    sheet = tmp_path / "联系人.csv"
    shutil.copy(FILES / "contacts_gbk.csv", sheet)
    dry = _run(app, sheet, "--kind", "contacts", "--as", world.director_a.email, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and _count(huadong) == 0
    result = _run(app, sheet, "--kind", "contacts", "--as", world.director_a.email.upper())
    assert result.exit_code == 0, result.output
    lines = {
        line.split()[0]: line.split()[1]
        for line in result.output.splitlines()
        if line.startswith("  ")
    }
    assert lines == {
        "created": "4",
        "updated": "0",
        "unchanged": "0",
        "skipped": "0",
        "errors": "3",
    }
    errors = tmp_path / "联系人.errors.csv"
    assert errors.exists() and "华北能源集团" in errors.read_text("utf-8-sig")
    assert _count(huadong) == 4
    fixed = errors.read_text("utf-8-sig").replace("华北能源集团", "华东电力")
    errors.write_text(fixed, "utf-8-sig")
    again = _run(app, errors, "--kind", "contacts", "--as", world.director_a.email)
    assert again.exit_code == 0, again.output
    latest = db.session.scalar(sa.select(Import).order_by(Import.id.desc()))
    assert latest.continues_id is not None and latest.counts["create"] == 1


def test_the_users_scope_applies_and_bad_input_is_refused(app, world, now, tmp_path):
    sheet = tmp_path / "c.csv"
    sheet.write_text("account,name\nNanfang Grid,甲\n", "utf-8")
    result = _run(app, sheet, "--kind", "contacts", "--as", world.rep_a.email)
    assert result.exit_code == 0 and "errors            1" in result.output
    assert _run(app, sheet, "--kind", "contacts", "--as", "nobody@x.cn").exit_code == 2
    refused = _run(app, sheet, "--kind", "opportunities", "--as", world.rep_a.email)
    assert refused.exit_code == 1
    bad = _run(app, sheet, "--kind", "contacts", "--as", world.rep_a.email, "--mapping", "{x")
    assert bad.exit_code == 2
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01" * 100)
    failed = _run(app, binary, "--kind", "contacts", "--as", world.rep_a.email)
    assert failed.exit_code == 1 and "not a text file" in failed.output
