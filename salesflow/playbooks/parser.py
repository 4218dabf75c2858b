"""From a loaded YAML document to a `Playbook`, reporting every problem (PLAYBOOKS.md, Validation).

Each part reports what is wrong with it and carries on, so a writer sees every problem of a file
at once; a playbook is built only when the whole file is sound.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from salesflow.playbooks.gates import ApprovalGate, Gate, GateContext, parse_gate
from salesflow.playbooks.reader import PLAYBOOK_KEY, Reader, _, is_whole, show
from salesflow.playbooks.schema import (
    DEFAULT_LOSS_REASONS,
    NO_TEXT,
    OTHER,
    ChecklistItem,
    LossReason,
    Playbook,
    Stage,
)

PLAYBOOK_KEYS = ("key", "version", "name", "description", "stages", "loss_reasons")
PLAYBOOK_REQUIRED = ("key", "version", "name", "stages")
STAGE_KEYS = ("key", "name", "probability", "sla_days", "guidance", "checklist", "exit")
STAGE_REQUIRED = ("key", "name", "probability", "sla_days")
ITEM_KEYS = ("key", "text")
REASON_KEYS = ("key", "name")


def parse_playbook(data: Any, reader: Reader, *, source: str, text: str = "") -> Playbook | None:
    """The playbook in `data`, or None when `reader` has any problem (all of them reported)."""
    line = getattr(data, "line", 1)  # a scalar document has no line of its own
    doc = reader.mapping(data, line, _("playbook"), PLAYBOOK_KEYS, PLAYBOOK_REQUIRED)
    if doc is None:
        return None
    key = reader.key(doc, PLAYBOOK_KEY)
    version = reader.whole(doc, "version", 1)
    name = reader.text(doc, "name")
    description = reader.text(doc, "description")
    stages = _stages(doc, reader)
    loss_reasons = _loss_reasons(doc, reader)
    if reader.problems:
        return None
    return Playbook(
        key=key,
        version=version,
        name=name,
        description=description or NO_TEXT,
        stages=stages,
        loss_reasons=loss_reasons,
        # only now: a sound playbook is small and shallow, whatever YAML aliases a file holds
        content_hash=content_hash(data),
        source=source,
        source_text=text,
        key_line=doc.value_line("key"),
    )


def content_hash(data: Any) -> str:
    """sha256 of the meaning of a file: comments, spacing, quoting and key order do not count.

    Lists keep their order (the order of stages is meaning). So a writer may tidy a file without
    raising its version, and any change a rep could notice changes the hash (PLAYBOOKS.md,
    Versions).
    """
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stages(doc: Any, reader: Reader) -> tuple[Stage, ...]:
    if "stages" not in doc:
        return ()
    listed = reader.sequence(
        doc["stages"], doc.value_line("stages"), _("stages must be a list of at least one stage")
    )
    if listed is None:
        return ()
    stages = []
    for value, line in listed.with_lines():
        stage = _stage(value, line, reader)
        if stage is not None:
            stages.append(stage)
    _check_stage_keys(listed, reader)
    _check_probabilities(listed, reader)
    _check_approval_keys(stages, reader)
    return tuple(stages)


def _stage(value: Any, line: int, reader: Reader) -> Stage | None:
    before = len(reader.problems)
    stage = reader.mapping(value, line, _("stage"), STAGE_KEYS, STAGE_REQUIRED)
    if stage is None:
        return None
    key = reader.key(stage)
    name = reader.text(stage, "name")
    probability = reader.whole(stage, "probability", 0, 100)
    sla_days = reader.whole(stage, "sla_days", 1)
    guidance = reader.text(stage, "guidance")
    checklist, item_keys = _checklist(stage, reader)
    exit_gates = _exit(stage, reader, GateContext(reader, key, item_keys))
    if len(reader.problems) > before:
        return None
    return Stage(
        key=key,
        name=name,
        probability=probability,
        sla_days=sla_days,
        guidance=guidance or NO_TEXT,
        checklist=checklist,
        exit=exit_gates,
        line=line,
    )


def _list_under(mapping: Any, key: str, reader: Reader, message: str) -> Any:
    """The list under `key` (an empty list when absent); None when it is not a list."""
    value = mapping.get(key, [])
    if isinstance(value, list):
        return value
    reader.problem(mapping.value_line(key), message)
    return None


def _checklist(stage: Any, reader: Reader) -> tuple[tuple[ChecklistItem, ...], tuple[str, ...]]:
    """The stage's valid items, and the keys of all its items (for `checklist` gates)."""
    listed = _list_under(
        stage, "checklist", reader, _("checklist must be a list of items, each with key and text")
    )
    items: list[ChecklistItem] = []
    first_lines: dict[str, int] = {}
    for value, line in listed.with_lines() if listed else ():
        item = reader.mapping(value, line, _("checklist item"), ITEM_KEYS, ITEM_KEYS)
        if item is None:
            continue
        key = reader.key(item)
        words = reader.text(item, "text")
        if key in first_lines:
            reader.problem(
                item.value_line("key"),
                _(
                    "duplicate checklist item key %(key)s (first on line %(first)s)",
                    key=show(key),
                    first=first_lines[key],
                ),
            )
        elif key is not None:
            first_lines[key] = item.value_line("key")
            if words is not None:
                items.append(ChecklistItem(key=key, text=words, line=line))
    return tuple(items), tuple(first_lines)


def _exit(stage: Any, reader: Reader, ctx: GateContext) -> tuple[Gate, ...]:
    listed = _list_under(stage, "exit", reader, _("exit must be a list of gates"))
    gates = []
    for value, line in listed.with_lines() if listed else ():
        gate = parse_gate(value, line, ctx)
        if gate is not None:
            gates.append(gate)
    return tuple(gates)


def _loss_reasons(doc: Any, reader: Reader) -> tuple[LossReason, ...]:
    """The reasons a deal may be lost for (PLAYBOOKS.md, Loss reasons): keys and names unique,
    `other` among them; the default list (`other` only) when the file gives none."""
    if "loss_reasons" not in doc:
        return DEFAULT_LOSS_REASONS
    listed = reader.sequence(
        doc["loss_reasons"],
        doc.value_line("loss_reasons"),
        _("loss_reasons must be a list of reasons, each with key and name"),
    )
    if listed is None:
        return ()
    reasons: list[LossReason] = []
    first_keys: dict[str, int] = {}
    first_names: dict[str, int] = {}
    for value, line in listed.with_lines():
        item = reader.mapping(value, line, _("loss reason"), REASON_KEYS, REASON_KEYS)
        if item is None:
            continue
        key, name = reader.key(item), reader.text(item, "name")
        if key in first_keys:
            reader.problem(
                item.value_line("key"),
                _(
                    "duplicate loss reason key %(key)s (first on line %(first)s)",
                    key=show(key),
                    first=first_keys[key],
                ),
            )
            continue
        if key is None or name is None:
            continue
        first_keys[key] = item.value_line("key")
        for folded, words in {w.casefold(): w for w in name.values()}.items():
            if folded in first_names:
                reader.problem(
                    item.value_line("name"),
                    _(
                        "loss reason name %(name)s is also used on line %(first)s; each reason"
                        " needs names of its own",
                        name=show(words),
                        first=first_names[folded],
                    ),
                )
            first_names.setdefault(folded, item.value_line("name"))
        reasons.append(LossReason(key=key, name=name, line=line))
    if OTHER not in first_keys and len(reasons) == len(listed):
        reader.problem(
            doc.key_line("loss_reasons"),
            _(
                "loss_reasons must include the reason %(key)s, for any reason not listed",
                key=show(OTHER),
            ),
        )
    return tuple(reasons)


def _check_stage_keys(listed: Any, reader: Reader) -> None:
    first_lines: dict[str, int] = {}
    for value, _line in listed.with_lines():
        key = value.get("key") if isinstance(value, dict) else None
        if not isinstance(key, str):
            continue
        if key in first_lines:
            reader.problem(
                value.value_line("key"),
                _(
                    "duplicate stage key %(key)s (first on line %(first)s)",
                    key=show(key),
                    first=first_lines[key],
                ),
            )
        else:
            first_lines[key] = value.value_line("key")


def _check_probabilities(listed: Any, reader: Reader) -> None:
    """Probabilities never decrease along the stages (PLAYBOOKS.md)."""
    previous: tuple[int, Any] | None = None
    for value, _line in listed.with_lines():
        probability = value.get("probability") if isinstance(value, dict) else None
        if not (is_whole(probability) and 0 <= probability <= 100):
            continue  # reported as out of range by _stage, or missing
        if previous is not None and probability < previous[0]:
            reader.problem(
                value.value_line("probability"),
                _(
                    "probability %(probability)s is lower than %(previous)s in the stage before"
                    " (%(stage)s); probabilities must not decrease",
                    probability=probability,
                    previous=previous[0],
                    stage=show(previous[1]),
                ),
            )
        previous = (probability, value.get("key"))


def _check_approval_keys(stages: list[Stage], reader: Reader) -> None:
    """One approval key means one decision point, so it may appear once per playbook."""
    first_lines: dict[str, int] = {}
    for stage in stages:
        for gate in stage.exit:
            if not isinstance(gate, ApprovalGate):
                continue
            if gate.key in first_lines:
                reader.problem(
                    gate.line,
                    _(
                        "duplicate approval key %(key)s (first on line %(first)s)",
                        key=show(gate.key),
                        first=first_lines[gate.key],
                    ),
                )
            else:
                first_lines[gate.key] = gate.line
