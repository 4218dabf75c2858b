"""Iron-triangle gaps: open deals missing a role their current stage's `roles` gate asks for."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status
from salesflow.pipeline.figures.filters import Filters, deals_where, narrows, versions
from salesflow.pipeline.figures.gaps import Gap, Gaps, gap_rows
from salesflow.playbooks.gates import RolesGate
from salesflow.playbooks.schema import Playbook


def needed_roles(by_version: dict[int, Playbook]) -> dict[tuple[int, str], frozenset[str]]:
    """Per (version, stage): the iron-triangle roles its `roles` gates ask for."""
    return {
        (v, s.key): frozenset(str(r) for g in s.exit if isinstance(g, RolesGate) for r in g.roles)
        for v, p in by_version.items()
        for s in p.stages
    }


def triangle_gap(
    by_version: dict[int, Playbook], where: Sequence[Any] = ()
) -> sa.ColumnElement[bool]:
    """Open and in a stage whose `roles` gate asks for a role no active user holds on it. The
    roles held come from one grouped pass over the seats (per deal, a 0/1 column per role), so
    the database joins two sets rather than probing each deal; `where` (on Opportunity and
    Account: the reader's deals) scopes that pass before it groups, to the open deals in such
    stages."""
    by_roles: dict[frozenset[str], list[tuple[int, str]]] = {}
    for place, roles in needed_roles(by_version).items():
        if roles:
            by_roles.setdefault(roles, []).append(place)
    if not by_roles:
        return sa.false()
    deal = so.aliased(Opportunity)

    def placed(d: Any) -> list[sa.ColumnElement[bool]]:
        return [
            sa.or_(*((d.playbook_version_id == v) & (d.stage_key == s) for v, s in places))
            for places in by_roles.values()
        ]

    held = (
        sa.select(
            OpportunityRole.opportunity_id.label("deal_id"),
            *(
                sa.func.max(sa.case((OpportunityRole.role == role, 1), else_=0)).label(role)
                for role in sorted({r for roles in by_roles for r in roles})
            ),
        )
        .join(User, User.id == OpportunityRole.user_id)
        .where(User.active.is_(True))
        .group_by(OpportunityRole.opportunity_id)
    )
    if where:  # the reader's open deals in those stages only, before grouping
        held = (
            held.join(Opportunity, Opportunity.id == OpportunityRole.opportunity_id)
            .join(Account, Account.id == Opportunity.account_id)
            .where(*where, Opportunity.status == Status.open, sa.or_(*placed(Opportunity)))
        )
    held = held.subquery()
    lacking = sa.or_(
        *(
            at & sa.or_(*(sa.func.coalesce(held.c[role], 0) == 0 for role in sorted(roles)))
            for at, roles in zip(placed(deal), by_roles, strict=True)
        )
    )
    return Opportunity.id.in_(
        sa.select(deal.id)
        .outerjoin(held, held.c.deal_id == deal.id)
        .where(deal.status == Status.open, lacking)
    )


def _scoped(user: User, filters: Filters, by_version: dict[int, Playbook]) -> list[Any]:
    return deals_where(user, filters, by_version) if narrows(user, filters) else []


def triangle_gaps(user: User, filters: Filters, *, now: datetime) -> Gaps:
    """Open deals missing an iron-triangle role their current stage's `roles` gate asks for (an
    active user in the role): how many, and the first GAP_LIMIT with the roles missing. Two
    queries."""
    by_version = versions()
    total, deals = gap_rows(
        user, filters, triangle_gap(by_version, _scoped(user, filters, by_version))
    )
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
