"""A deal's stage history in words (STYLE.md rule 16): each move with its stages by name in the
reader's language, and the gates it left unmet said again in that language from the facts stored
with the move (playbooks.gates.said) — not in the language of whoever made the move."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from salesflow.audit.words import stage_name
from salesflow.formatting import format_datetime
from salesflow.labels import label
from salesflow.opportunities.models import Move, StageChange
from salesflow.playbooks.gates import said
from salesflow.playbooks.schema import Playbook

# Moves that name the stage they went to; the others (won, lost, reopened, a new version in the
# same stage) stay where they were.
TO_A_STAGE = {Move.created, Move.imported, Move.advanced, Move.moved_back}


@dataclass(frozen=True)
class StageLine:
    at: datetime
    when: str  # on the company clock, in the reader's format
    actor: str
    move: str  # the move's label
    from_stage: str | None  # by name, when the move left one stage for another
    to_stage: str | None  # by name, when the move names where it went
    overridden: bool
    reason: str | None
    unmet: tuple[str, ...]  # the gates it left unmet, said in the reader's language


def line(change: StageChange, playbook: Playbook) -> StageLine:
    moved = change.from_stage is not None and change.from_stage != change.to_stage
    return StageLine(
        at=change.at,
        when=format_datetime(change.at),
        actor=change.actor.name if change.actor else gettext("System"),
        move=label(change.move),
        from_stage=stage_name(playbook, change.from_stage) if moved else None,
        to_stage=stage_name(playbook, change.to_stage)
        if moved or change.move in TO_A_STAGE
        else None,
        overridden=change.overridden,
        reason=change.reason,
        unmet=tuple(said(g) for g in change.gates or () if not g.get("met")),
    )


def lines(changes: list[StageChange], playbook: Playbook) -> list[StageLine]:
    """The moves, newest first as loaded, in words."""
    return [line(change, playbook) for change in changes]
