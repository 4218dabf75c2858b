"""Gate evaluation: from a stage's exit gates, an opportunity's facts and `now` to met / not met,
each with a message a rep understands and a hint for what to do (PLAYBOOKS.md, "Gates").

Each gate type evaluates itself (`Gate.evaluate` in playbooks.gates); this is the pure entry
point the set-wise shell (opportunities.facts) and the demo call.
"""

from datetime import datetime

from salesflow.playbooks.facts import OpportunityFacts
from salesflow.playbooks.gates import Gate, GateResult
from salesflow.playbooks.schema import Stage

__all__ = ["GateResult", "evaluate", "evaluate_stage", "unmet"]


def evaluate(gate: Gate, facts: OpportunityFacts, now: datetime, stage: Stage) -> GateResult:
    """One gate's result; a gate type that cannot evaluate fails loudly (STYLE.md rule 9)."""
    return gate.evaluate(facts, now, stage)


def evaluate_stage(stage: Stage, facts: OpportunityFacts, now: datetime) -> list[GateResult]:
    """Every exit gate of `stage`, in file order."""
    return [gate.evaluate(facts, now, stage) for gate in stage.exit]


def unmet(results: list[GateResult]) -> list[GateResult]:
    return [result for result in results if not result.met]
