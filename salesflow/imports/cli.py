"""`flask --app wsgi import FILE --kind contacts --as EMAIL`: the same upload, dry run and commit
as the pages, for scripts — acting as a user, so their scope and rights apply. Prints the count
of each outcome and writes the failed rows next to FILE (FILE.errors.csv)."""

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from salesflow import clock
from salesflow.auth.models import User
from salesflow.errors import AppError
from salesflow.extensions import db
from salesflow.imports import errorfile, runner, services
from salesflow.imports.models import OUTCOMES, Import, ImportKind, ImportMode, ImportStatus

LABELS = {
    "create": "created",
    "update": "updated",
    "unchanged": "unchanged",
    "skip": "skipped",
    "error": "errors",
}


def _fail(error: AppError) -> None:
    db.session.rollback()
    click.echo(error.message, err=True)
    for name, messages in error.fields.items():
        for message in messages:
            click.echo(f"  {name}: {message}", err=True)
    sys.exit(1)


def _progress(import_id: int):
    save = runner.checkpoint(import_id)

    def checkpoint(progress: float) -> None:
        save(progress)
        click.echo(f"\r{progress:6.1%}", nl=False, err=True)

    return checkpoint


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice([k.value for k in ImportKind]))
@click.option("--as", "email", required=True, help="The user the import acts as (their scope).")
@click.option(
    "--mapping", help='A JSON object: column header → field, e.g. {"公司名称": "account"}.'
)
@click.option(
    "--mode",
    default="fill",
    type=click.Choice([m.value for m in ImportMode]),
    help="What a row matching a record does (default: fill blank fields).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would happen.")
@click.option("--sheet", help="The XLSX sheet (default: the first).")
@click.option("--header-row", type=int, help="The header's row (default: found by itself).")
@click.option("--source", help="Whose ids the external_id column holds.")
@click.option("--account-id", type=int, help="vCards into this one account.")
@click.option("--continues", type=int, help="The import whose fixed error file this is.")
def import_command(
    path: Path,
    kind: str,
    email: str,
    mapping: str | None,
    mode: str,
    dry_run: bool,
    sheet: str | None,
    header_row: int | None,
    source: str | None,
    account_id: int | None,
    continues: int | None,
) -> None:
    """Import accounts, contacts, interactions or opportunities from a CSV, XLSX or vCard
    file: a dry run, then (unless --dry-run) the commit."""
    user = db.session.scalar(
        sa.select(User).where(User.email == email.strip().lower(), User.active.is_(True))
    )
    if user is None:
        raise click.UsageError(_("No active user has the e-mail %(email)s.", email=email))
    try:
        given = json.loads(mapping) if mapping else None
    except ValueError:
        raise click.UsageError(_("Give the mapping as a JSON object: column → field.")) from None
    params = {
        "kind": kind,
        "mode": mode,
        "mapping": given,
        "sheet": sheet,
        "header_row": header_row,
        "source": source,
        "account_id": account_id,
        "continues": continues,
    }
    try:
        imp = services.start_import(
            path.read_bytes(), path.name, params, actor=user, now=clock.now()
        )
        db.session.commit()
        if not dry_run:
            services.claim_commit(imp, actor=user, now=clock.now())
            db.session.commit()
            services.commit_import(imp, actor=user, now=clock.now(), checkpoint=_progress(imp.id))
            db.session.commit()
            click.echo("", err=True)
    except AppError as error:
        _fail(error)
    _report(imp, path)


def _report(imp: Import, path: Path) -> None:
    done = imp.status == ImportStatus.committed
    click.echo(
        _(
            "Import %(id)d of %(file)s (%(encoding)s): %(state)s.",
            id=imp.id,
            file=imp.filename,
            encoding=imp.encoding or imp.file_type,
            state=_("committed") if done else _("dry run, nothing written"),
        )
    )
    for outcome in OUTCOMES:
        click.echo(f"  {LABELS[outcome]:<10} {imp.counts.get(outcome, 0):>8}")
    if imp.counts.get("error"):
        target = path.with_name(f"{path.stem}.errors.csv")
        target.write_text("".join(errorfile.csv_chunks(imp)), encoding="utf-8")
        click.echo(
            _(
                "The failed rows are in %(file)s: fix them and import that file again.",
                file=str(target),
            )
        )
