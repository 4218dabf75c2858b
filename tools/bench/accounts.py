"""What the benchmark times for accounts: the account list (with a name search), the busiest
account's page, a quick log, global search and leadership's account exports, each next to the
hand-written SQL of bench_sql."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from salesflow.accounts.models import Account
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from tools.bench import sql as bench_sql
from tools.bench import sql_search
from tools.bench.deals import Case, _read

ACCOUNT_QUERY = "电力"  # a Chinese word in many company names
SEARCHES = ("王", "pacific")  # a common surname (hits the cap); an English brand, any case


@dataclass
class Person:
    role: str
    client: FlaskClient
    viewer: bench_sql.Viewer


@dataclass
class Target:
    """What is timed: the busiest account the rep can see, two of its contacts."""

    account_id: int
    contact_ids: tuple[int, ...]
    interactions: int
    accounts: int = 0  # every live account (leadership's export)


def pick_target(app: Flask, rep: Person) -> Target:
    """The account with the most interactions among those the rep sees."""
    with app.app_context():
        visible = sa.or_(
            Account.team_id == rep.viewer.team_id,
            Account.id.in_(
                sa.text(
                    f"SELECT account_id FROM account_members WHERE user_id = {rep.viewer.user_id}"
                )
            ),
        )
        busiest = db.session.execute(
            sa.select(Interaction.account_id, sa.func.count().label("n"))
            .join(Account, Account.id == Interaction.account_id)
            .where(visible, Account.deleted_at.is_(None))
            .group_by(Interaction.account_id)
            .order_by(sa.desc("n"))
            .limit(1)
        ).one()
        contacts = db.session.scalars(
            sa.select(Contact.id)
            .where(Contact.account_id == busiest[0], Contact.left_on.is_(None))
            .order_by(Contact.id)
            .limit(2)
        ).all()
        accounts = db.session.scalar(
            sa.select(sa.func.count()).select_from(Account).where(Account.deleted_at.is_(None))
        )
        db.session.remove()
    return Target(busiest[0], tuple(contacts), busiest[1], accounts or 0)


def _quick_log_form(
    person: Person, target: Target, now: datetime, zone: ZoneInfo
) -> MultiDict[str, str]:
    local = now.astimezone(zone)
    form = [
        ("account_id", str(target.account_id)),
        ("kind", "visit"),
        ("occurred_at", local.strftime("%Y-%m-%dT%H:%M")),
        ("participant_ids", str(person.viewer.user_id)),
        ("summary", "Benchmark visit: went through the proposal"),
        ("outcome", "They want a reference site"),
        ("next_step", "Arrange the reference visit"),
        ("next_step_due", (local + timedelta(days=3)).strftime("%Y-%m-%d")),
        ("cost", "120.00"),
    ]
    return MultiDict(form + [("contact_ids", str(cid)) for cid in target.contact_ids])


def cases(person: Person, target: Target, now: datetime, zone: ZoneInfo) -> list[Case]:
    """The account, quick-log and search pages for one person."""
    client, viewer, role = person.client, person.viewer, person.role
    log = bench_sql.QuickLog(target.account_id, target.contact_ids, (viewer.user_id,), now)
    form = _quick_log_form(person, target, now, zone)
    account = f"/accounts/{target.account_id}"
    rows = [
        Case(
            "/accounts",
            role,
            "GET",
            lambda: client.get("/accounts"),
            lambda c: bench_sql.account_list(c, viewer),
            "/accounts",
        ),
        Case(
            f"/accounts?q={ACCOUNT_QUERY}",
            role,
            "GET",
            lambda: client.get("/accounts", query_string={"q": ACCOUNT_QUERY}),
            lambda c: bench_sql.account_list(c, viewer, ACCOUNT_QUERY),
            "/accounts",
        ),
        Case(
            f"/accounts/{{id}} ({target.interactions} interactions)",
            role,
            "GET",
            lambda: client.get(account),
            lambda c: bench_sql.account_page(c, viewer, target.account_id, now),
            account,
        ),
        Case(
            "POST /interactions/new",
            role,
            "POST",
            lambda: client.post("/interactions/new", data=form),
            lambda c: bench_sql.quick_log(c, viewer, log, now),
            "/interactions/new",
        ),
    ]
    if role == "leadership":  # the whole company's accounts, in both formats
        for fmt in ("csv", "xlsx"):
            path = f"/accounts/export.{fmt}"
            rows.append(
                Case(
                    f"{path} ({target.accounts:,} accounts)",
                    role,
                    "GET",
                    lambda path=path: _read(client.get(path)),
                    lambda c: bench_sql.account_export(c, viewer),
                    path,
                )
            )
    for q in SEARCHES:
        page = lambda q=q: client.get("/search", query_string={"q": q})  # noqa: E731
        raw = lambda c, q=q: sql_search.search(c, viewer, q)  # noqa: E731
        rows.append(Case(f"/search?q={q}", role, "GET", page, raw, "/search"))
    return rows
