"""Conversion per stage (PRODUCT.md): of the deals that left a stage in the period, the share that
left it forward."""

from dataclasses import dataclass
from datetime import datetime

from salesflow.auth.models import User
from salesflow.pipeline.figures.filters import Filters, stage_order, versions
from salesflow.pipeline.figures.moves import FORWARD, Moves, period_moves


@dataclass
class Conversion:
    playbook: str
    stage: str
    forward: int = 0  # advanced to the next stage, or won from it
    left: int = 0  # forward, moved back, won or lost

    @property
    def rate(self) -> float | None:
        return self.forward / self.left if self.left else None


def conversion(
    user: User, filters: Filters, *, now: datetime, moves: Moves | None = None
) -> list[Conversion]:
    """Per stage, of the deals that left it in the period, the share that left it forward
    (PRODUCT.md: forward ÷ forward, back, won or lost; winning leaves the last stage forward).
    Reads `moves` (period_moves) when given, else makes it."""
    by_version = versions()
    found: dict[tuple[str, str], Conversion] = {}
    for version_id, stage, move, _met, _overridden, count in (
        period_moves(user, filters, now=now) if moves is None else moves
    ):
        if stage is None:
            continue
        key = by_version[version_id].key
        row = found.setdefault((key, stage), Conversion(key, stage))
        row.left += count
        if move in FORWARD:
            row.forward += count
    return sorted(found.values(), key=lambda r: stage_order(by_version, r.playbook, r.stage))
