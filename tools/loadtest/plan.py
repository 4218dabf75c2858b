"""Who the load test logs in as and what each may open: read from the database before the
server starts, through the app's own visibility rule (scope), and written as JSON for the
locustfile (which runs in locust's processes and does not import the app)."""

import random

import sqlalchemy as sa
from flask import Flask

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import Role, User
from salesflow.contacts.models import Contact
from salesflow.demo.people import PASSWORDS
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity

PEOPLE = {"rep": 30, "director": 10, "leadership": 2}  # distinct users per role, at most
ACCOUNTS = 100  # a sample of the accounts each may open
DEALS = 50


def _accounts(user: User, rng: random.Random) -> list[list]:
    """A sample of the accounts `user` sees that have a current contact, with up to two."""
    ids = db.session.scalars(
        sa.select(Account.id)
        .where(scope.visible_accounts(user))
        .where(sa.exists().where(Contact.account_id == Account.id, Contact.is_current))
        .order_by(Account.id)
    ).all()
    chosen = sorted(rng.sample(list(ids), min(ACCOUNTS, len(ids))))
    contacts: dict[int, list[int]] = {}
    for account_id, contact_id in db.session.execute(
        sa.select(Contact.account_id, Contact.id)
        .where(Contact.account_id.in_(chosen), Contact.is_current)
        .order_by(Contact.account_id, Contact.id)
    ):
        if len(contacts.setdefault(account_id, [])) < 2:
            contacts[account_id].append(contact_id)
    return [[account_id, contacts[account_id]] for account_id in chosen if account_id in contacts]


def _deals(user: User, rng: random.Random) -> list[int]:
    ids = db.session.scalars(
        sa.select(Opportunity.id).where(scope.visible_opportunities(user)).order_by(Opportunity.id)
    ).all()
    return sorted(rng.sample(list(ids), min(DEALS, len(ids))))


def _users(role: str) -> list[User]:
    query = sa.select(User).where(User.role == Role(role), User.active.is_(True)).order_by(User.id)
    if role == "rep":  # the account managers (AR), who log most
        query = query.where(User.email.like("ar.%"))
    return list(db.session.scalars(query.limit(PEOPLE[role])))


def make(app: Flask, seed: int = 15) -> dict:
    rng = random.Random(seed)
    people: dict[str, list[dict]] = {}
    with app.app_context():
        for role in PEOPLE:
            people[role] = [
                {
                    "email": user.email,
                    "password": PASSWORDS[role],
                    "user_id": user.id,
                    "accounts": _accounts(user, rng),
                    "deals": _deals(user, rng),
                }
                for user in _users(role)
            ]
            people[role] = [person for person in people[role] if person["accounts"]]
        db.session.remove()
    return {"zone": app.config["BABEL_DEFAULT_TIMEZONE"], "people": people}
