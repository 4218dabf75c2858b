"""The playbook pages' view-models: each playbook and version as the reps meet it — its stages
with probability, time limit, guidance, checklist, exit gates and decisions, in the reader's
language. What sales operations wrote, never a key of the file."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_percent, get_locale
from flask_babel import gettext as _

from salesflow.errors import NotFound
from salesflow.labels import label
from salesflow.playbooks import queries
from salesflow.playbooks.gates import ApprovalGate
from salesflow.playbooks.schema import Playbook, Stage, text


@dataclass(frozen=True)
class Decision:
    name: str
    by: str  # the role who decides, as a label


@dataclass(frozen=True)
class StageView:
    number: int
    name: str
    probability: str  # "40%", in the reader's locale
    sla_days: int
    guidance: str
    checklist: list[str]
    gates: list[str]  # what must hold to move on, in words
    decisions: list[Decision]
    last: bool


@dataclass(frozen=True)
class VersionView:
    version: int
    loaded_at: datetime | None  # None: in the folder, not loaded yet
    open_deals: int
    newest: bool


@dataclass(frozen=True)
class Summary:
    key: str
    name: str
    description: str
    version: int
    stages: list[str]
    versions: int


@dataclass
class PlaybookPage:
    key: str
    name: str
    description: str
    version: int
    newest: bool
    stages: list[StageView]
    loss_reasons: list[str]
    versions: list[VersionView] = field(default_factory=list)


def _local(texts) -> str:
    return text(texts, get_locale())


def _stage(number: int, stage: Stage, last: bool) -> StageView:
    return StageView(
        number=number,
        name=_local(stage.name),
        probability=format_percent(stage.probability / 100),
        sla_days=stage.sla_days,
        guidance=_local(stage.guidance),
        checklist=[_local(item.text) for item in stage.checklist],
        gates=[gate.describe(stage) for gate in stage.exit],
        decisions=[
            Decision(_local(gate.name), label(gate.by))
            for gate in stage.exit
            if isinstance(gate, ApprovalGate)
        ],
        last=last,
    )


def index() -> list[Summary]:
    """Every playbook, by name: its newest version and its stages' names."""
    found = []
    for key, versions in queries.versions().items():
        newest, _loaded = versions[0]
        found.append(
            Summary(
                key=key,
                name=_local(newest.name),
                description=_local(newest.description),
                version=newest.version,
                stages=[_local(stage.name) for stage in newest.stages],
                versions=len(versions),
            )
        )
    return sorted(found, key=lambda s: (s.name.casefold(), s.key))


def detail(key: str, version: str | None) -> PlaybookPage:
    """Playbook `key` at `version` (a whole number; default the newest). NotFound names what is
    missing: an unknown playbook, or a version it does not have."""
    versions = queries.versions().get(key)
    if not versions:
        raise NotFound(_("There is no such playbook."))
    playbook = _version(versions, version)
    deals = queries.open_deals_by_version()
    count = len(playbook.stages)
    return PlaybookPage(
        key=key,
        name=_local(playbook.name),
        description=_local(playbook.description),
        version=playbook.version,
        newest=playbook.version == versions[0][0].version,
        stages=[_stage(i, stage, i == count) for i, stage in enumerate(playbook.stages, 1)],
        loss_reasons=[_local(reason.name) for reason in playbook.loss_reasons],
        versions=[
            VersionView(p.version, loaded_at, deals.get((key, p.version), 0), i == 0)
            for i, (p, loaded_at) in enumerate(versions)
        ],
    )


def _version(versions: list[tuple[Playbook, datetime | None]], wanted: str | None) -> Playbook:
    if wanted is None or wanted == "":
        return versions[0][0]
    for playbook, _loaded in versions:
        if wanted.isascii() and wanted.isdigit() and int(wanted) == playbook.version:
            return playbook
    raise NotFound(
        _(
            "This playbook has no version %(version)s; its versions: %(versions)s.",
            version=wanted[:20],
            versions=", ".join(str(p.version) for p, _loaded in versions),
        )
    )
