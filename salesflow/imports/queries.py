"""Reads of imports for their pages, within the importer's scope."""

import sqlalchemy as sa

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.imports.models import Import


def imports_page(user: User, *, before: int | None, limit: int) -> tuple[list[Import], bool]:
    """The imports `user` may see, newest first, `limit` of them before id `before`; and
    whether there are more."""
    query = sa.select(Import).where(scope.visible_imports(user))
    if before:
        query = query.where(Import.id < before)
    rows = list(db.session.scalars(query.order_by(Import.id.desc()).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def importable_account(user: User, account_id: int) -> Account | None:
    """The account, if `user` may import into it."""
    return db.session.scalar(
        sa.select(Account).where(Account.id == account_id, scope.importable_accounts(user))
    )
