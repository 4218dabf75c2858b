"""Account hierarchy (issue 17): a parent account and its subsidiaries, as a group whose figures
roll up. `group_ids` is the one definition of the group, for every roll-up (pipeline, spend)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.dependency import metrics, queries
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


@dataclass(frozen=True)
class GroupHolder:
    user_id: int
    name: str
    share: float  # the group share (docs/figures.md, "Group share")


@dataclass(frozen=True)
class GroupDependency:
    accounts: int  # accounts of the group the reader may see
    hidden: int  # accounts of the group outside what the reader can see (not counted)
    high_risk: int
    key_contacts: int
    uncovered: int
    single_threaded: int
    lowest_bus_factor: int | None  # among the accounts with key contacts; None when none has
    lowest_bus_factor_account: Account | None
    holders: list[GroupHolder]  # the top HOLDERS_SHOWN by group share


HOLDERS_SHOWN = 3


def _visible_group(account_id: int, reader: User) -> tuple[list[int], int]:
    """The group's accounts `reader` may see, and how many others it holds: one query."""
    group = descendants(account_id)
    rows = db.session.execute(
        sa.select(group.c.id, Account.id).outerjoin(
            Account, sa.and_(Account.id == group.c.id, scope.visible_accounts(reader))
        )
    ).all()
    visible = sorted(seen for _id, seen in rows if seen is not None)
    return visible, len(rows) - len(visible)


def _group_shares(found: dict[int, metrics.AccountMetrics]) -> list[tuple[int, float]]:
    """Each person's group share: the mean of their shares over the group's accounts with
    relationships (each account weighs the same), the largest first, then the lower user id."""
    held = [m.shares for m in found.values() if m.shares]
    totals: dict[int, float] = {}
    for shares in held:
        for user_id, share in shares.items():
            totals[user_id] = totals.get(user_id, 0.0) + share
    ranked = sorted(((u, t / len(held)) for u, t in totals.items()), key=lambda p: (-p[1], p[0]))
    return ranked[:HOLDERS_SHOWN]


def _account(account_id: int) -> Account:
    """Loaded by a query even when the session holds it, so the page's query count is fixed."""
    return db.session.execute(sa.select(Account).where(Account.id == account_id)).scalar_one()


def group_dependency(account_id: int, reader: User, now: datetime) -> GroupDependency:
    """The dependency figures of the group rolled up, from the figures of its accounts the reader
    may see (today's snapshot where it answers, as on the dependency dashboard): six queries
    when it answers for all of them, a fixed few more for those it does not."""
    visible, hidden = _visible_group(account_id, reader)
    found = queries.figures(set(visible), now=now)
    with_keys = [m for m in found.values() if m.key_contacts]
    lowest = min(with_keys, key=lambda m: (m.bus_factor, m.account_id), default=None)
    top = _group_shares(found)
    names = dict(
        db.session.execute(
            sa.select(User.id, User.name).where(User.id.in_([u for u, _s in top]))
        ).all()
    )
    return GroupDependency(
        accounts=len(visible),
        hidden=hidden,
        high_risk=sum(1 for m in found.values() if m.risk == metrics.Risk.high),
        key_contacts=sum(len(m.key_contacts) for m in found.values()),
        uncovered=sum(len(m.uncovered_key_contacts) for m in found.values()),
        single_threaded=sum(len(m.single_threaded_key_contacts) for m in found.values()),
        lowest_bus_factor=lowest.bus_factor if lowest else None,
        lowest_bus_factor_account=_account(lowest.account_id) if lowest else None,
        holders=[GroupHolder(u, names.get(u, ""), s) for u, s in top],
    )
