"""API: the loaded playbooks, their versions, stages and exit gates (see API.md, PLAYBOOKS.md)."""

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from salesflow import validation
from salesflow.api import bp, token_auth
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.opportunities.queries import board_playbook
from salesflow.playbooks import registry
from salesflow.playbooks.gates import Gate
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook, Stage

Texts = dict[str, str]  # {en: ..., zh: ...}


class ChecklistItemOut(BaseModel):
    key: str
    text: Texts


class StageOut(BaseModel):
    key: str
    name: Texts
    probability: int
    sla_days: int
    guidance: Texts
    checklist: list[ChecklistItemOut]
    exit: list[dict[str, Any]] = Field(
        description='Exit gates: {"type": "roles", "roles": ["AR"]}, {"type": "contacted", '
        '"role": "decision_maker", "within_days": 14}, ... (PLAYBOOKS.md, Gates)'
    )


class LossReasonOut(BaseModel):
    key: str
    name: Texts


class PlaybookOut(BaseModel):
    key: str
    version: int
    name: Texts
    description: Texts
    stages: list[StageOut]
    loss_reasons: list[LossReasonOut] = Field(
        description="What a deal on this playbook is lost for: closing as lost names one by key "
        "(or by its name); `other` is always there and needs a note."
    )
    versions: list[int] = Field(description="Every version known: stored ones and the file's.")
    active: bool = Field(description="New deals start on this key (its file is loaded).")


class VersionQuery(BaseModel):
    version: int | None = Field(
        None, ge=1, le=validation.MAX_ID, description="An older stored version"
    )


def _plain(value: Any) -> Any:
    """A gate parameter as plain JSON: enums as values, tuples as lists, texts as objects."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def gate_out(gate: Gate) -> dict[str, Any]:
    """`{"type": ..., **params}`: the gate as written in the playbook file."""
    params = {
        f.name: _plain(getattr(gate, f.name)) for f in dataclasses.fields(gate) if f.name != "line"
    }
    return {"type": gate.type, **params}


def stage_out(stage: Stage) -> dict[str, Any]:
    return {
        "key": stage.key,
        "name": dict(stage.name),
        "probability": stage.probability,
        "sla_days": stage.sla_days,
        "guidance": dict(stage.guidance),
        "checklist": [{"key": i.key, "text": dict(i.text)} for i in stage.checklist],
        "exit": [gate_out(gate) for gate in stage.exit],
    }


def _versions() -> dict[str, set[int]]:
    """Every known version number by key: the stored rows and the folder's files."""
    found: dict[str, set[int]] = {}
    for key, version in db.session.execute(sa.select(PlaybookVersion.key, PlaybookVersion.version)):
        found.setdefault(key, set()).add(version)
    for key, playbook in registry.file_playbooks().items():
        found.setdefault(key, set()).add(playbook.version)
    return found


def playbook_out(playbook: Playbook, versions: set[int]) -> dict[str, Any]:
    return {
        "key": playbook.key,
        "version": playbook.version,
        "name": dict(playbook.name),
        "description": dict(playbook.description),
        "stages": [stage_out(stage) for stage in playbook.stages],
        "loss_reasons": [
            {"key": r.key, "name": dict(r.name)}
            for r in registry.loss_reasons_of(playbook).loss_reasons
        ],
        "versions": sorted(versions),
        "active": playbook.key in registry.file_playbooks(),
    }


def _stored(key: str, version: int) -> Playbook:
    """Version `version` of playbook `key`: the folder's file, else a stored row; else NotFound."""
    loaded = registry.file_playbooks().get(key)
    if loaded is not None and loaded.version == version:
        return loaded
    row = db.session.scalar(
        sa.select(PlaybookVersion).where(
            PlaybookVersion.key == key, PlaybookVersion.version == version
        )
    )
    if row is None:
        raise NotFound()
    return registry.playbook(row)


@bp.get("/playbooks")
@bp.auth_required(token_auth)
@bp.output(list[PlaybookOut])
@bp.doc(
    summary="Playbooks: the newest version of each key, with stages and exit gates",
    description="`active` playbooks are the ones new deals start on; `versions` lists every "
    "version known, older ones still run the deals that started on them.",
)
def list_playbooks():
    versions = _versions()
    newest = (board_playbook(key) for key in sorted(versions))
    return [playbook_out(p, versions[p.key]) for p in newest if p is not None]


@bp.get("/playbooks/<key>")
@bp.auth_required(token_auth)
@bp.input(VersionQuery, location="query", arg_name="query")
@bp.output(PlaybookOut)
@bp.doc(
    summary="One playbook: its newest version, or ?version=n",
    responses={404: "No such playbook or version", 422: "Invalid version"},
)
def get_playbook(key: str, query: VersionQuery):
    versions = _versions()
    if key not in versions:
        raise NotFound()
    playbook = board_playbook(key) if query.version is None else _stored(key, query.version)
    if playbook is None:
        raise NotFound()
    return playbook_out(playbook, versions[key])
