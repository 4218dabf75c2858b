"""Loaded playbooks: the files of the folder, and every version stored in the database.

PLAYBOOKS.md, Versions: a file's (key, version) is stored once with its text and content hash;
loading the same version with different content is an error (raise the version). A running deal
points at the version it started with, so neither a new version nor a removed file changes it.
New deals start on the newest version of each key the folder holds.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from salesflow.extensions import db
from salesflow.playbooks.loader import load_playbooks, load_text
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.reader import _
from salesflow.playbooks.schema import DEFAULT_LOSS_REASONS, LossReason, Playbook, Text

EXTENSION = "salesflow.playbooks"


class PlaybookError(RuntimeError):
    """Invalid playbook files or a changed version: every problem, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def file_playbooks(app: Flask | None = None) -> dict[str, Playbook]:
    """The newest version of each playbook in the folder, by key; read once per process.
    Raises PlaybookError with every problem of an invalid folder."""
    from salesflow.playbooks import playbooks_folder

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get(EXTENSION)
    if cached is None:
        playbooks, problems = load_playbooks(playbooks_folder(app))
        if problems:
            raise PlaybookError(problems)
        cached = {}
        for playbook in sorted(playbooks, key=lambda p: (p.key, p.version)):
            cached[playbook.key] = playbook  # the newest version wins
        app.extensions[EXTENSION] = cached
    return cached


def _clash(playbook: Playbook) -> str:
    return f"{playbook.source}:{playbook.key_line}: " + _(
        "playbook %(key)s version %(version)s was loaded before with different content; raise "
        "its version",
        key=playbook.key,
        version=playbook.version,
    )


def stored_version(playbook: Playbook, *, now: datetime) -> PlaybookVersion:
    """The stored row of `playbook`'s (key, version), added on first use. Raises PlaybookError
    when that version was stored before with different content."""
    row = db.session.scalar(
        sa.select(PlaybookVersion).where(
            PlaybookVersion.key == playbook.key, PlaybookVersion.version == playbook.version
        )
    )
    if row is None:
        row = PlaybookVersion(
            key=playbook.key,
            version=playbook.version,
            content_hash=playbook.content_hash,
            name=dict(playbook.name),
            source=playbook.source_text,
            loaded_at=now,
        )
        db.session.add(row)
        db.session.flush()
    elif row.content_hash != playbook.content_hash:
        raise PlaybookError([_clash(playbook)])
    return row


def sync_playbooks(*, now: datetime, app: Flask | None = None) -> list[PlaybookVersion]:
    """Store every playbook of the folder that is not stored yet; flushes, never commits.
    Raises PlaybookError listing every invalid file and every changed version."""
    problems: list[str] = []
    rows: list[PlaybookVersion] = []
    for playbook in file_playbooks(app).values():
        try:
            rows.append(stored_version(playbook, now=now))
        except PlaybookError as error:
            problems.extend(error.problems)
    if problems:
        raise PlaybookError(problems)
    return rows


def clashes(app: Flask) -> list[str]:
    """Read-only: the folder's playbooks whose version is stored with other content. Nothing to
    compare before the database is migrated."""
    if not sa.inspect(db.engine).has_table(PlaybookVersion.__tablename__):
        return []
    rows = db.session.execute(
        sa.select(PlaybookVersion.key, PlaybookVersion.version, PlaybookVersion.content_hash)
    )
    stored = {(key, version): content_hash for key, version, content_hash in rows}
    return [
        _clash(p)
        for p in file_playbooks(app).values()
        if stored.get((p.key, p.version), p.content_hash) != p.content_hash
    ]


# Stored versions parsed, by key, version and content hash: a version's row never changes, so its
# source is read and parsed once per process, whichever request or job meets it first.
_parsed: dict[tuple[str, int, str], Playbook] = {}


def playbook(row: PlaybookVersion) -> Playbook:
    """The parsed playbook of a stored version (parsed once per process and content; its source
    is read from the database only then)."""
    key = (row.key, row.version, row.content_hash)
    if key not in _parsed:
        _parsed[key] = _parse(row.key, row.version, _source(row))
    return _parsed[key]


def _source(row: PlaybookVersion) -> str:
    """The version's source: as given (a row being stored) or loaded, else read by its id (the
    column is deferred)."""
    if "source" not in sa.inspect(row).unloaded:
        return row.source
    query = sa.select(PlaybookVersion.source).where(PlaybookVersion.id == row.id)
    return db.session.execute(query).scalar_one()


def _parse(key: str, version: int, source: str) -> Playbook:
    parsed, problems = load_text(source, f"{key} v{version}")
    if parsed is None:
        raise PlaybookError(problems)
    return parsed


def loss_reasons_of(playbook: Playbook) -> Playbook:
    """The playbook whose loss reasons a deal of `playbook` is closed with: the newest version
    of its key in the folder (the review counts by the newest list, and a deal started on an
    older version is lost for today's reasons), else `playbook` itself."""
    newest = file_playbooks().get(playbook.key)
    return newest if newest is not None and newest.version >= playbook.version else playbook


def loss_reason_names() -> dict[str, Text]:
    """Every loss reason key of the folder's playbooks with its name (the first playbook by key
    naming it wins), "other" always among them: what the review shows for a key."""
    names: dict[str, Text] = {}
    reasons: list[LossReason] = [
        reason
        for _key, playbook in sorted(file_playbooks().items())
        for reason in playbook.loss_reasons
    ]
    for reason in [*reasons, *DEFAULT_LOSS_REASONS]:
        names.setdefault(reason.key, reason.name)
    return names


def loss_reason(playbook: Playbook, key: str) -> LossReason:
    """The loss reason `key` of a deal of `playbook`, named: from its list (loss_reasons_of),
    else from any playbook that names it (a reason since removed from the file), else the key."""
    found = loss_reasons_of(playbook).loss_reason(key)
    if found is not None:
        return found
    return LossReason(key=key, name=loss_reason_names().get(key) or Text({"en": key}))
