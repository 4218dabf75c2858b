"""What the plan page and the plan's API show: the plan of an account and year (or none yet),
each objective with its measured progress and whether it is falling behind, the plan's overall
progress, and the SWOT lines the data suggests — computed here, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from wtforms import SelectChoice

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.audit import queries as audit_queries
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import queries
from salesflow.extensions import db
from salesflow.key_accounts import plans_progress, plans_swot
from salesflow.key_accounts.plans_forms import EXTRA_ROWS, OBJECTIVES_LABEL, TEXT_LABELS, PlanForm
from salesflow.key_accounts.plans_models import TEXTS, AccountPlan
from salesflow.key_accounts.plans_services import plan_of, valid_year

HISTORY = 20


@dataclass(frozen=True)
class PlanChange:
    """One save of the plan, in words: when, by whom, created or changed, and which parts."""

    at: datetime
    actor: str
    created: bool
    parts: list[str]


@dataclass
class PlanView:
    account: Account
    year: int
    plan: AccountPlan | None
    measured: list[plans_progress.Measured] = field(default_factory=list)
    progress: float | None = None
    suggestions: plans_swot.Suggestions = field(default_factory=plans_swot.Suggestions)
    can_edit: bool = False
    history: list[PlanChange] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else round(self.progress * 100)


def year_of(raw: Any, now: datetime) -> int | None:
    """The plan year asked for (this year when not given), or None when it is not a year."""
    if raw is None or raw == "":
        return clock.today(now).year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if valid_year(year) else None


def build(account: Account, user: User, year: int, now: datetime) -> PlanView:
    plan = plan_of(account, year)
    view = PlanView(account, year, plan, can_edit=scope.can_edit_account(user, account))
    inputs = queries.account_inputs({account.id}, now=now)
    view.suggestions = plans_swot.suggest(account.id, now, inputs.get(account.id))
    if plan is not None:
        facts = plans_progress.facts_for({account.id}, {year}, now=now, inputs=inputs)
        facts = facts[account.id]
        view.measured = plans_progress.measure(plan, facts, now)
        view.progress = plans_progress.overall(view.measured)
        view.history = _history(plan)
    return view


def _history(plan: AccountPlan) -> list[PlanChange]:
    """The plan's saves, newest first, each naming the parts it changed by their labels."""
    labels = {**TEXT_LABELS, "objectives": OBJECTIVES_LABEL}
    return [
        PlanChange(
            at=entry.at,
            actor=entry.actor.name if entry.actor else gettext("System"),
            created=entry.action == "create",
            parts=[str(labels[f]) for f in (entry.changes or {}) if f in labels],
        )
        for entry in audit_queries.history(AccountPlan.__tablename__, plan.id, limit=HISTORY)
    ]


def as_json(view: PlanView) -> dict[str, Any]:
    """The plan as API.md's GET /accounts/{id}/plan answers it."""
    plan = view.plan
    return {
        "account_id": view.account.id,
        "year": view.year,
        "version": plan.version if plan else None,
        **{f: getattr(plan, f) if plan else None for f in TEXTS},
        "objectives": [
            {
                "id": m.objective.id,
                "kind": m.objective.kind.value,
                "title": m.objective.title,
                "due": m.objective.due,
                "params": m.objective.params,
                "progress": round(m.progress, 4),
                "met": m.met,
                "behind": m.behind,
            }
            for m in view.measured
        ],
        "progress": None if view.progress is None else round(view.progress, 4),
        "suggestions": view.suggestions.as_dict(),
    }


def _contact_choices(account: Account) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Contact.id, Contact.name, Contact.title)
        .where(
            Contact.account_id == account.id,
            Contact.deleted_at.is_(None),
            Contact.left_on.is_(None),
        )
        .order_by(Contact.name, Contact.id)
    ).all()
    return [SelectChoice("", "—")] + [
        SelectChoice(str(cid), f"{name} · {title}" if title else name) for cid, name, title in rows
    ]


def prepare_form(form: PlanForm, account: Account, year: int, now: datetime) -> AccountPlan | None:
    """The form's contact choices, and on first display its values: the saved plan's, or for a
    new plan the weaknesses and threats the data suggests; a few empty objective rows."""
    choices = _contact_choices(account)
    plan = plan_of(account, year)
    if not form.is_submitted():
        if plan is not None:
            for name in TEXTS:
                form[name].data = getattr(plan, name)
            form.version.data = str(plan.version)
            for o in plan.objectives:
                params = o.params or {}
                form.objectives.append_entry(
                    {
                        "kind": o.kind.value,
                        "title": o.title,
                        "due": o.due,
                        "contact_id": params.get("contact_id"),
                        "attitude": params.get("attitude"),
                        "people": params.get("people"),
                    }
                )
        else:
            suggested = plans_swot.suggest(account.id, now)
            form.weaknesses.data = "\n".join(suggested.weaknesses) or None
            form.threats.data = "\n".join(suggested.threats) or None
        for _blank in range(EXTRA_ROWS):
            form.objectives.append_entry()
    for row in form.objectives:
        row.contact_id.choices = choices
    return plan
