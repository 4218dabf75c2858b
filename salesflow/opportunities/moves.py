"""Moves between stages (PLAYBOOKS.md, Moves): advance, back, close won or lost, reopen.

Advance goes to the next stage only, when every exit gate of the current stage holds; a director
or admin may override unmet gates with a reason. Every move is one stage history entry (from, to,
who, when, the gates as they were, the reason) and one audit entry. The `version` a client read
makes a stale move a Conflict, and the version column makes a race between two movers one too.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.errors import Forbidden, GatesUnmet, ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities.facts import gate_results
from salesflow.opportunities.models import Move, Opportunity, StageChange, Status
from salesflow.opportunities.services import check_workable, record_move, short_text
from salesflow.playbooks import registry
from salesflow.playbooks.evaluate import GateResult, unmet
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import (
    DEFAULT_LOSS_REASONS,
    OTHER,
    LossReason,
    Playbook,
    text,
)
from salesflow.requests import services as requests
from salesflow.validation import require_version


def _prepare(opportunity: Opportunity, data: dict[str, Any], actor: User, *, open_only=True):
    check_workable(opportunity, actor, open_only=open_only)
    require_version(opportunity, data)
    return registry.playbook(opportunity.playbook_version)


def unmet_list(results: list[GateResult]) -> list[dict[str, Any]]:
    """The unmet gates as API.md shows them: gate, message, and what to do (hint)."""
    return [{"gate": r.gate, "message": r.message, "hint": r.hint} for r in unmet(results)]


def _gates_or_override(
    opportunity: Opportunity, data: dict[str, Any], actor: User, now: datetime
) -> tuple[list[GateResult], bool, str | None]:
    """The exit gates; unmet ones stop the move unless a director or admin overrides with a
    reason. Returns the results, whether overridden, and the reason given."""
    results = gate_results(opportunity, now=now)
    reason = short_text(data.get("override_reason"), "override_reason", column=StageChange.reason)
    missing = unmet(results)
    if missing and reason is None:
        raise GatesUnmet(unmet_list(results))
    if missing and not scope.can_decide(actor, opportunity):
        raise Forbidden(_l("Only the team's director or an admin can override unmet criteria."))
    return results, bool(missing), reason


def _enter(opportunity: Opportunity, stage_key: str, now: datetime) -> dict[str, Any]:
    changes = {"stage_key": (opportunity.stage_key, stage_key)}
    opportunity.stage_key, opportunity.stage_entered_at = stage_key, now
    return changes


def _finish(
    opportunity, move, changes, *, actor, now, from_stage, results=(), overridden=False, reason=None
) -> Opportunity:
    db.session.flush()  # the version check happens here: a concurrent mover loses (409)
    audit.record(
        opportunity, "update", changes, actor=actor, now=now, account_id=opportunity.account_id
    )
    record_move(
        opportunity,
        move,
        actor=actor,
        now=now,
        from_stage=from_stage,
        results=results,
        overridden=overridden,
        reason=reason,
    )
    requests.withdraw_decisions(opportunity, actor=actor, now=now)
    db.session.flush()
    return opportunity


def _stage_name(playbook: Playbook, key: str) -> str:
    from flask_babel import get_locale

    return text(playbook.stage(key).name, get_locale())


def advance(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Move to the next stage when every exit gate holds (`to_stage`, if given, must be it; a skip
    is refused). Raises Forbidden, Conflict, ValidationFailed, GatesUnmet."""
    playbook = _prepare(opportunity, data, actor)
    following = playbook.next_stage(opportunity.stage_key)
    if following is None:
        raise ValidationFailed(
            fields={"to_stage": [str(_l("This is the last stage: close the opportunity as won."))]}
        )
    wanted = data.get("to_stage")
    if wanted is not None and wanted != following.key:
        keys = [s.key for s in playbook.stages]
        if wanted not in keys:
            message = _l("This playbook has no such stage.")
        elif keys.index(wanted) > keys.index(following.key):
            message = _l(
                "A stage cannot be skipped: the next stage is %(stage)s.",
                stage=_stage_name(playbook, following.key),
            )
        else:
            message = _l("To go to an earlier stage, move back with a reason.")
        raise ValidationFailed(fields={"to_stage": [str(message)]})
    results, overridden, reason = _gates_or_override(opportunity, data, actor, now)
    from_stage = opportunity.stage_key
    changes = _enter(opportunity, following.key, now)
    return _finish(
        opportunity,
        Move.advanced,
        changes,
        actor=actor,
        now=now,
        from_stage=from_stage,
        results=results,
        overridden=overridden,
        reason=reason,
    )


def move_back(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Go back to an earlier stage, saying why. Raises Forbidden, Conflict, ValidationFailed."""
    playbook = _prepare(opportunity, data, actor)
    keys = [s.key for s in playbook.stages]
    wanted = data.get("to_stage")
    errors: dict[str, list[str]] = {}
    if wanted not in keys or keys.index(wanted) >= keys.index(opportunity.stage_key):
        errors["to_stage"] = [str(_l("Choose an earlier stage."))]
    try:
        reason = short_text(
            data.get("reason"),
            "reason",
            column=StageChange.reason,
            required=_l("Say why the opportunity goes back."),
        )
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    from_stage = opportunity.stage_key
    changes = _enter(opportunity, wanted, now)
    return _finish(
        opportunity,
        Move.moved_back,
        changes,
        actor=actor,
        now=now,
        from_stage=from_stage,
        reason=reason,
    )


def close(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Close as won (only from the last stage, its exit gates met or overridden) or lost (from any
    stage, with the loss reason). Raises Forbidden, Conflict, ValidationFailed, GatesUnmet."""
    playbook = _prepare(opportunity, data, actor)
    status = data.get("status")
    if status not in (Status.won, Status.lost):
        raise ValidationFailed(fields={"status": [str(_l("Choose won or lost."))]})
    required = _l("Say why the opportunity was lost.") if status == Status.lost else None
    reason = short_text(
        data.get("reason"), "reason", column=Opportunity.close_reason, required=required
    )
    loss: LossReason | None = None
    if status == Status.lost:
        loss, reason = _loss_reason(playbook, reason or "", data.get("note"))
    results: list[GateResult] = []
    overridden = False
    if status == Status.won:
        if opportunity.stage_key != playbook.last_stage.key:
            raise ValidationFailed(
                fields={
                    "status": [
                        str(
                            _l(
                                "An opportunity is won only from the last stage, %(stage)s.",
                                stage=_stage_name(playbook, playbook.last_stage.key),
                            )
                        )
                    ]
                }
            )
        results, overridden, override_reason = _gates_or_override(opportunity, data, actor, now)
        if overridden:  # both reasons kept, and together they must fit the column
            joined = "; ".join(r for r in (reason, override_reason) if r)
            reason = short_text(joined, "override_reason", column=Opportunity.close_reason)
    changes: dict[str, Any] = {"status": (opportunity.status, Status(status))}
    if reason is not None:
        changes["close_reason"] = (None, reason)
    opportunity.status, opportunity.closed_at = Status(status), now
    opportunity.close_reason = reason
    told = reason
    if loss is not None:
        changes["loss_reason"] = (None, loss.key)
        opportunity.loss_reason = loss.key
        # the stage history keeps the words the person chose, as for every other move
        told = ": ".join(w for w in (text(loss.name, get_locale()), reason) if w)
    move = Move.won if status == Status.won else Move.lost
    return _finish(
        opportunity,
        move,
        changes,
        actor=actor,
        now=now,
        from_stage=opportunity.stage_key,
        results=results,
        overridden=overridden,
        reason=told,
    )


def _loss_reason(playbook: Playbook, said: str, note: Any) -> tuple[LossReason, str | None]:
    """The loss reason a closing names (API.md: `reason` is a reason's key, or its name in either
    language, or any other words, which are "other" with those words as the note) and its note.
    "Other" needs words. Raises ValidationFailed."""
    reasons = registry.loss_reasons_of(playbook)
    note = short_text(note, "note", column=Opportunity.close_reason)
    chosen = reasons.match_loss_reason(said)
    if chosen is None:  # other words: kept as the note, after any note given
        chosen = reasons.loss_reason(OTHER) or DEFAULT_LOSS_REASONS[0]
        note = short_text(
            "; ".join(w for w in (said, note) if w), "reason", column=Opportunity.close_reason
        )
    if chosen.needs_note and not note:
        raise ValidationFailed(fields={"note": [str(_l("Say in words what the other reason is."))]})
    return chosen, note


def reopen(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Reopen a closed deal in the stage it closed in (the team's director or an admin, with a
    reason). Raises Forbidden, Conflict, ValidationFailed."""
    _prepare(opportunity, data, actor, open_only=False)
    if not scope.can_decide(actor, opportunity):
        raise Forbidden(_l("Only the team's director or an admin can reopen an opportunity."))
    if opportunity.is_open:
        raise ValidationFailed(fields={"status": [str(_l("This opportunity is open."))]})
    reason = short_text(
        data.get("reason"),
        "reason",
        column=StageChange.reason,
        required=_l("Say why the opportunity is reopened."),
    )
    changes: dict[str, Any] = {"status": (opportunity.status, Status.open)}
    if opportunity.close_reason is not None:
        changes["close_reason"] = (opportunity.close_reason, None)
    if opportunity.loss_reason is not None:
        changes["loss_reason"] = (opportunity.loss_reason, None)
    opportunity.status, opportunity.closed_at, opportunity.close_reason = Status.open, None, None
    opportunity.loss_reason = None
    opportunity.stage_entered_at = now
    return _finish(
        opportunity,
        Move.reopened,
        changes,
        actor=actor,
        now=now,
        from_stage=opportunity.stage_key,
        reason=reason,
    )


def newer_version(opportunity: Opportunity) -> Any:
    """The newest stored version of the deal's playbook when it is newer than the deal's."""
    current = opportunity.playbook_version
    newest = db.session.scalar(
        sa.select(PlaybookVersion)
        .where(PlaybookVersion.key == current.key)
        .order_by(PlaybookVersion.version.desc())
        .limit(1)
    )
    return newest if newest is not None and newest.version > current.version else None


def migrate(
    opportunity: Opportunity, data: dict[str, Any], *, actor: User, now: datetime
) -> Opportunity:
    """Move an open deal to the newest version of its playbook (PLAYBOOKS.md, Versions: a
    director's decision). It stays in the stage of the same key, or goes to `to_stage` when the
    new version has no such stage. Raises Forbidden, Conflict, ValidationFailed."""
    _prepare(opportunity, data, actor)
    if not scope.can_decide(actor, opportunity):
        raise Forbidden(_l("Only the team's director or an admin can change the playbook version."))
    target = newer_version(opportunity)
    if target is None:
        raise ValidationFailed(fields={"version": [str(_l("This is the newest version."))]})
    playbook = registry.playbook(target)
    keys = [s.key for s in playbook.stages]
    stage_key = data.get("to_stage") or opportunity.stage_key
    if stage_key not in keys:
        message = _l(
            "The new version has no stage %(stage)s: choose one.", stage=opportunity.stage_key
        )
        raise ValidationFailed(fields={"to_stage": [str(message)]})
    old = opportunity.playbook_version
    changes = {"playbook": (f"{old.key} v{old.version}", f"{target.key} v{target.version}")}
    from_stage = opportunity.stage_key
    if stage_key != from_stage:
        changes.update(_enter(opportunity, stage_key, now))
    opportunity.playbook_version = target
    return _finish(
        opportunity,
        Move.migrated,
        changes,
        actor=actor,
        now=now,
        from_stage=from_stage,
        reason=f"v{old.version} → v{target.version}",
    )
