"""opportunities: loss_reason, a key of the playbook's list of loss reasons

A lost deal's reason was free text, so "价格" and "Price" were counted apart. Each playbook file
now lists its loss reasons (key and names in English and Chinese); a lost deal stores the key and,
in close_reason, a note. The old texts are mapped here: a text that is a reason's key or name in
either language (case and surrounding spaces ignored), among the reasons of the deal's playbook
as the playbook folder lists them now, becomes that key (and no note); any other text becomes
"other" with the text as its note. Downgrading gives each lost deal its words back: the note, or
the reason its closing was recorded with in the stage history, or the reason's English name.

Revision ID: 5a1c0d2e7f43
Revises: bb4ef3d88019
Create Date: 2026-12-01 19:45:00

"""
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = '5a1c0d2e7f43'
down_revision = 'bb4ef3d88019'
branch_labels = None
depends_on = None

OTHER = "other"

opportunities = sa.table(
    "opportunities",
    sa.column("id", sa.Integer),
    sa.column("playbook_version_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("close_reason", sa.String),
    sa.column("loss_reason", sa.String),
)
versions = sa.table("playbook_versions", sa.column("id", sa.Integer), sa.column("key", sa.String))
changes = sa.table(
    "stage_changes",
    sa.column("id", sa.Integer),
    sa.column("opportunity_id", sa.Integer),
    sa.column("move", sa.String),
    sa.column("reason", sa.String),
)


def _folder() -> Path:
    configured = current_app.config.get("PLAYBOOKS_FOLDER") if has_app_context() else None
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "playbooks"


def reasons_by_playbook(folder: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Each playbook key's loss reasons as the folder's newest file of that key lists them: the
    reason key and its names. Read as plain YAML, so this migration keeps working whatever the
    app's loader becomes; a file that cannot be read maps nothing (its deals become "other")."""
    newest: dict[str, tuple[int, list[tuple[str, list[str]]]]] = {}
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("loss_reasons"), list):
            continue
        listed = [
            (str(r["key"]), [str(n) for n in (r.get("name") or {}).values()])
            for r in doc["loss_reasons"]
            if isinstance(r, dict) and "key" in r
        ]
        version = doc.get("version") if isinstance(doc.get("version"), int) else 0
        if doc.get("key") not in newest or newest[doc["key"]][0] < version:
            newest[str(doc.get("key"))] = (version, listed)
    return {key: listed for key, (_version, listed) in newest.items()}


def match(words: str | None, listed: list[tuple[str, list[str]]]) -> str | None:
    wanted = (words or "").strip().casefold()
    for key, names in listed:
        if wanted and (wanted == key or wanted in {n.strip().casefold() for n in names}):
            return key
    return None


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loss_reason', sa.String(length=60), nullable=True))

    reasons = reasons_by_playbook(_folder())
    bind = op.get_bind()
    lost = bind.execute(
        sa.select(opportunities.c.id, opportunities.c.close_reason, versions.c.key)
        .join(versions, versions.c.id == opportunities.c.playbook_version_id)
        .where(opportunities.c.status == "lost")
    ).all()
    matched: dict[str, list[int]] = {}
    for deal_id, words, playbook in lost:
        key = match(words, reasons.get(playbook, []))
        if key:
            matched.setdefault(key, []).append(deal_id)
    for key, ids in matched.items():  # a batch at a time, not a statement per deal
        for start in range(0, len(ids), 1000):
            bind.execute(
                opportunities.update()
                .where(opportunities.c.id.in_(ids[start : start + 1000]))
                .values(loss_reason=key, close_reason=None)
            )
    bind.execute(
        opportunities.update()
        .where(opportunities.c.status == "lost", opportunities.c.loss_reason.is_(None))
        .values(loss_reason=OTHER)
    )


def downgrade():
    names = {
        key: names[0]
        for listed in reasons_by_playbook(_folder()).values()
        for key, names in listed
        if names
    }
    bind = op.get_bind()
    told = (
        sa.select(changes.c.reason)
        .where(changes.c.opportunity_id == opportunities.c.id, changes.c.move == "lost")
        .order_by(changes.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    for deal_id, key, said in bind.execute(
        sa.select(opportunities.c.id, opportunities.c.loss_reason, told).where(
            opportunities.c.loss_reason.is_not(None), opportunities.c.close_reason.is_(None)
        )
    ).all():
        words = (said or names.get(key) or key)[:500]
        bind.execute(
            opportunities.update().where(opportunities.c.id == deal_id).values(close_reason=words)
        )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('loss_reason')
