"""Reads for the playbook pages: every stored version, and the folder's newest when not stored
yet (a file added since the last `playbooks sync`)."""

from datetime import datetime

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook


def versions() -> dict[str, list[tuple[Playbook, datetime | None]]]:
    """Each playbook key → its versions, newest first: (parsed playbook, when it was loaded;
    None for the folder's version not stored yet)."""
    found: dict[str, dict[int, tuple[Playbook, datetime | None]]] = {}
    for row in db.session.scalars(sa.select(PlaybookVersion)):
        found.setdefault(row.key, {})[row.version] = (registry.playbook(row), row.loaded_at)
    for key, playbook in registry.file_playbooks().items():
        found.setdefault(key, {}).setdefault(playbook.version, (playbook, None))
    return {
        key: [by_version[v] for v in sorted(by_version, reverse=True)]
        for key, by_version in sorted(found.items())
    }


def open_deals_by_version() -> dict[tuple[str, int], int]:
    """How many open deals run on each (playbook key, version): every deal, whoever reads, as a
    count only (no deal is named)."""
    rows = db.session.execute(
        sa.select(PlaybookVersion.key, PlaybookVersion.version, sa.func.count(Opportunity.id))
        .join(Opportunity, Opportunity.playbook_version_id == PlaybookVersion.id)
        .where(Opportunity.status == Status.open, Opportunity.deleted_at.is_(None))
        .group_by(PlaybookVersion.key, PlaybookVersion.version)
    )
    return {(key, version): int(count) for key, version, count in rows}
