"""Account hierarchy (issue 17): a parent account and its subsidiaries, as a group whose figures
roll up. `group_ids` is the one definition of the group, for every roll-up (pipeline, spend)."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, Status


def descendants(account_id: int) -> sa.CTE:
    """The account and all its descendants (not deleted), as a recursive CTE with one column
    `id` (UNION: a loop through parents, which the services refuse, would still stop)."""
    group = (
        sa.select(Account.id)
        .where(Account.id == account_id, Account.deleted_at.is_(None))
        .cte("account_group", recursive=True)
    )
    children = sa.select(Account.id).where(
        Account.parent_id == group.c.id, Account.deleted_at.is_(None)
    )
    return group.union(children)


def group_ids(account_id: int) -> list[int]:
    """The account and all its descendants, in one query (both engines)."""
    return sorted(db.session.scalars(sa.select(descendants(account_id).c.id)))


@dataclass(frozen=True)
class Group:
    subsidiaries: list[Account]  # direct children the reader may see, by name
    members: int  # accounts of the group the reader may see, the account included
    hidden: int  # accounts of the group outside the reader's scope (not named, not counted)
    open_pipeline: dict[str, Decimal]  # open deals of the visible group, per currency
    open_deals: int


def for_account(user: User, account: Account) -> Group:
    """The group view on a parent account's page, as `user` may see it: four queries."""
    subsidiaries = db.session.scalars(
        sa.select(Account)
        .where(Account.parent_id == account.id, scope.visible_accounts(user))
        .order_by(Account.name, Account.id)
    ).all()
    ids = group_ids(account.id)
    visible = list(
        db.session.scalars(
            sa.select(Account.id).where(Account.id.in_(ids), scope.visible_accounts(user))
        )
    )
    # grouped by status, not filtered on it: SQLite then starts from the group's deals (by
    # account), not from every open deal of the company (by status): 440 -> 0.2 ms
    rows = db.session.execute(
        sa.select(
            Opportunity.status,
            Opportunity.currency,
            sa.func.sum(Opportunity.amount),
            sa.func.count(),
        )
        .where(Opportunity.account_id.in_(visible), Opportunity.deleted_at.is_(None))
        .group_by(Opportunity.status, Opportunity.currency)
        .order_by(Opportunity.currency)
    ).all()
    pipeline = [(c, a, n) for status, c, a, n in rows if status == Status.open]
    return Group(
        subsidiaries=list(subsidiaries),
        members=len(visible),
        hidden=len(ids) - len(visible),
        open_pipeline={c: Decimal(str(a or 0)) for c, a, _n in pipeline},
        open_deals=sum(n for _c, _a, n in pipeline),
    )
