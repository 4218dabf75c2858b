"""Iron-triangle gaps: open deals missing a role their current stage's `roles` gate asks for."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status
from salesflow.pipeline.figures.filters import Filters, versions, versions_of
from salesflow.pipeline.figures.gaps import Gap, Gaps, first_rows, gap_rows
from salesflow.pipeline.models import PipelineTriangleBuild, PipelineTriangleGap
from salesflow.playbooks.gates import RolesGate
from salesflow.playbooks.schema import Playbook


def needed_roles(by_version: dict[int, Playbook]) -> dict[tuple[int, str], frozenset[str]]:
    """Per (version, stage): the iron-triangle roles its `roles` gates ask for."""
    return {
        (v, s.key): frozenset(str(r) for g in s.exit if isinstance(g, RolesGate) for r in g.roles)
        for v, p in by_version.items()
        for s in p.stages
    }


def _held(role: str) -> sa.ColumnElement[bool]:
    """An active user holds `role` on the deal: one probe of the seats' (deal, role) key."""
    return (
        sa.select(OpportunityRole.id)
        .join(User, User.id == OpportunityRole.user_id)
        .where(
            OpportunityRole.opportunity_id == Opportunity.id,
            OpportunityRole.role == role,
            User.active.is_(True),
        )
        .exists()
    )


def triangle_gap(by_version: dict[int, Playbook]) -> sa.ColumnElement[bool]:
    """Open and in a stage whose `roles` gate asks for a role no active user holds on it: per
    role, the stages asking for it and one test of the deal's seats (so each role is looked up
    once, not once per stage). The scope and the stage narrow the deals first, and no pass
    groups every seat of the company."""
    by_role: dict[str, list[tuple[int, str]]] = {}
    for place, roles in needed_roles(by_version).items():
        for role in roles:
            by_role.setdefault(role, []).append(place)
    if not by_role:
        return sa.false()
    lacking = [
        sa.or_(
            *(
                (Opportunity.playbook_version_id == v) & (Opportunity.stage_key == s)
                for v, s in sorted(places)
            )
        )
        & ~_held(role)
        for role, places in sorted(by_role.items())
    ]
    return (Opportunity.status == Status.open) & sa.or_(*lacking)


def kept_ids(user: User, filters: Filters, by_version: dict[int, Playbook]) -> list[int] | None:
    """The deals with a gap that `user` may see under `filters`, read from the deals kept with a
    gap (pipeline/triangle_gaps.py) and their accounts as deals_where narrows them; None before
    their first build. Two queries."""
    if db.session.scalar(sa.select(PipelineTriangleBuild.id).limit(1)) is None:
        return None
    kept = PipelineTriangleGap
    where: list[Any] = [scope.visible_accounts(user)]
    if filters.team_id:
        where.append(Account.team_id == filters.team_id)
    if filters.user_id:
        held = sa.select(OpportunityRole.opportunity_id).where(
            OpportunityRole.user_id == filters.user_id
        )
        where.append(kept.opportunity_id.in_(held))
    if filters.playbook:
        where.append(kept.playbook_version_id.in_(versions_of(by_version, filters.playbook)))
    return list(
        db.session.scalars(
            sa.select(kept.opportunity_id)
            .join(Account, Account.id == kept.account_id)
            .where(*where)
        )
    )


def triangle_gaps(user: User, filters: Filters, *, now: datetime) -> Gaps:
    """Open deals missing an iron-triangle role their current stage's `roles` gate asks for (an
    active user in the role): how many, and the first GAP_LIMIT with the roles missing. Four
    queries: the deals (from the kept gaps, or their seats tested live before the first build),
    the first ones' rows, their seats."""
    by_version = versions()
    ids = kept_ids(user, filters, by_version)
    if ids is None:
        total, deals = gap_rows(user, filters, triangle_gap(by_version))
    else:
        total, deals = first_rows(ids)
    held: dict[int, set[str]] = {}
    for deal_id, role in db.session.execute(
        sa.select(OpportunityRole.opportunity_id, OpportunityRole.role)
        .join(User, User.id == OpportunityRole.user_id)
        .where(OpportunityRole.opportunity_id.in_([d[0] for d in deals]), User.active.is_(True))
    ):
        held.setdefault(deal_id, set()).add(str(role))
    needed = needed_roles(by_version)
    return Gaps(
        total,
        [
            Gap(
                deal_id,
                name,
                account,
                by_version[version_id].key,
                stage,
                tuple(sorted(needed[(version_id, stage)] - held.get(deal_id, set()))),
            )
            for deal_id, name, account, version_id, stage in deals
        ],
    )
