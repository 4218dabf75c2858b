"""The account plan's one write: save the plan of an account and year (its texts and the whole
list of objectives), created on the first save, versioned and audited on the account."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.audit import services as audit
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts.plans_models import TEXTS, AccountPlan, ObjectiveKind, PlanObjective
from salesflow.key_accounts.plans_progress import TARGETS
from salesflow.validation import Errors, add, day, is_id, require_version, text

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_OBJECTIVES = 20
MAX_PEOPLE = 10


def plan_of(account: Account, year: int) -> AccountPlan | None:
    """The account's plan for `year`, with its objectives, or None."""
    return db.session.scalar(
        sa.select(AccountPlan)
        .where(AccountPlan.account_id == account.id, AccountPlan.year == year)
        .options(so.selectinload(AccountPlan.objectives))
    )


def valid_year(value: Any) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and FIRST_YEAR <= value <= LAST_YEAR
    )


def _params(kind: str, raw: Any, name: str, contacts: set[int], errors: Errors) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    if kind == ObjectiveKind.contact_attitude:
        contact_id, attitude = raw.get("contact_id"), raw.get("attitude")
        if not is_id(contact_id) or contact_id not in contacts:
            add(errors, f"{name}.contact_id", _l("Choose a current contact of this account."))
        if attitude not in TARGETS:
            add(errors, f"{name}.attitude", _l("Choose neutral, supporter or champion."))
        return {"contact_id": contact_id, "attitude": attitude}
    if kind == ObjectiveKind.decision_makers_held:
        people = raw.get("people")
        if not is_id(people) or people > MAX_PEOPLE:
            add(errors, f"{name}.people", _l("Enter a number from 1 to %(n)d.", n=MAX_PEOPLE))
        return {"people": people}
    return {}


def _objective(raw: Any, i: int, contacts: set[int], errors: Errors) -> dict[str, Any]:
    name = f"objectives.{i}"
    raw = raw if isinstance(raw, dict) else {}
    kind = raw.get("kind")
    if kind not in ObjectiveKind.__members__:
        add(errors, f"{name}.kind", _l("Choose what the objective measures."))
        kind = None
    title = text(
        raw.get("title"),
        f"{name}.title",
        errors,
        column=PlanObjective.title,
        required=_l("Give the objective a title."),
    )
    due = day(raw.get("due"), f"{name}.due", errors, required=_l("Enter a due date."))
    params = _params(kind, raw.get("params"), name, contacts, errors) if kind else {}
    return {"kind": kind, "title": title, "due": due, "params": params}


def _clean(account: Account, data: dict[str, Any]) -> tuple[dict, list[dict]]:
    """The texts and objectives, or ValidationFailed with every problem."""
    errors: Errors = {}
    texts = {
        f: text(data.get(f), f, errors, column=getattr(AccountPlan, f), multiline=True)
        for f in TEXTS
    }
    raw = data.get("objectives") or []
    if not isinstance(raw, list) or len(raw) > MAX_OBJECTIVES:
        add(errors, "objectives", _l("At most %(n)d objectives.", n=MAX_OBJECTIVES))
        raw = []
    contacts = set(
        db.session.scalars(
            sa.select(Contact.id).where(
                Contact.account_id == account.id,
                Contact.deleted_at.is_(None),
                Contact.left_on.is_(None),
            )
        )
    )
    objectives = [_objective(o, i, contacts, errors) for i, o in enumerate(raw)]
    if errors:
        raise ValidationFailed(fields=errors)
    return texts, objectives


def _summary(objectives: list[dict[str, Any]]) -> list[str]:
    """The objectives as the audit trail keeps them: kind, title, due, params."""
    return [f"{o['kind']}: {o['title']} ({o['due'].isoformat()}) {o['params']}" for o in objectives]


def save_plan(
    account: Account, year: int, data: dict[str, Any], *, actor: User, now: datetime
) -> AccountPlan:
    """Create or replace the account's plan for `year` (texts and objectives). The first save
    needs no version; later ones the `version` read. Raises Forbidden, ValidationFailed (every
    problem), Conflict (stale version)."""
    if account.is_deleted or not scope.can_edit_account(actor, account):
        raise Forbidden()
    if not valid_year(year):
        raise ValidationFailed(
            fields={
                "year": [str(_l("Enter a year from %(a)d to %(b)d.", a=FIRST_YEAR, b=LAST_YEAR))]
            }
        )
    plan = plan_of(account, year)
    if plan is not None:
        require_version(plan, data)
    texts, objectives = _clean(account, data)
    created = plan is None
    if created:
        plan = AccountPlan(account_id=account.id, year=year)
        db.session.add(plan)
    before = [
        {"kind": o.kind.value, "title": o.title, "due": o.due, "params": o.params}
        for o in plan.objectives
    ]
    changes = audit.apply_changes(plan, texts, TEXTS)
    if created or before != objectives:
        plan.objectives = [
            PlanObjective(**{**o, "kind": ObjectiveKind(o["kind"])}) for o in objectives
        ]
        changes["objectives"] = (_summary(before), _summary(objectives))
        if not created:  # the objectives move the plan's version
            so.attributes.flag_modified(plan, "year")
    if created:
        changes["year"] = (None, year)
    db.session.flush()
    # On the plan's own history and the account's (audit.words has the plan's labels).
    audit.record(
        plan,
        "create" if created else "update",
        changes,
        actor=actor,
        now=now,
        account_id=account.id,
    )
    return plan
