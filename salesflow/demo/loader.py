"""Load the demo (or large) data set with bulk inserts.

SQLAlchemy Core `insert()` with lists of dicts, ids assigned in Python, one transaction per batch
of accounts: 10,000 accounts (≈100,000 contacts, ≈100,000 opportunities, ≈1,000,000 interactions,
500 users) load in minutes on SQLite and PostgreSQL, where one ORM object per row would take an
hour. Generated data writes no audit entries: nobody changed anything, it was there from the start.
The shipped playbooks' versions are stored first (the only ORM writes), so deals can point at them.
"""

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from salesflow import clock
from salesflow.accounts.models import Account, AccountMember
from salesflow.auth.models import User
from salesflow.auth.services import hash_password
from salesflow.contacts.models import Contact
from salesflow.demo.customers import Customer, build_customer
from salesflow.demo.deals import DealMaker, Deals, Line
from salesflow.demo.history import History, add_my_day, build_history
from salesflow.demo.people import PASSWORDS, DemoLogin, Ids, Staff, build_staff, director_updates
from salesflow.demo.showcase import QUIET_DAYS, add_deals, add_meetings, showcase_of
from salesflow.extensions import db
from salesflow.interactions.models import (
    Interaction,
    interaction_attendees,
    interaction_participants,
)
from salesflow.opportunities.models import (
    Approval,
    ChecklistTick,
    Opportunity,
    OpportunityRole,
    StageChange,
)
from salesflow.playbooks import registry
from salesflow.requests.models import InternalRequest, RequestChange
from salesflow.teams.models import Team
from salesflow.ties.models import TieTouch
from salesflow.ties.touches import KEY_COLUMNS

DEFAULT_SEED = 20261122
BATCH_ACCOUNTS = 250
SUBSIDIARY_SHARE = 0.05  # accounts that are a subsidiary of a key account of the same team
PLAYBOOKS = ("enterprise", "transactional")  # the shipped ones the demo's deals run on
_ID_TABLES = (
    Team,
    User,
    Account,
    AccountMember,
    Contact,
    Interaction,
    Opportunity,
    OpportunityRole,
    StageChange,
    ChecklistTick,
    Approval,
    InternalRequest,
    RequestChange,
)


@dataclass
class Loaded:
    logins: list[DemoLogin]
    counts: dict[str, int]
    seconds: float


def has_users() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None


def _next_ids(conn: sa.Connection) -> Ids:
    start = {}
    for model in _ID_TABLES:
        table = model.__table__
        start[table.name] = (conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return Ids(start)


def stored_lines(now: datetime) -> dict[str, Line]:
    """The shipped playbooks' versions, stored if new and committed, so the bulk inserts (on
    connections of their own) can point deals at them."""
    playbooks = registry.file_playbooks()
    rows = {
        key: registry.stored_version(playbooks[key], now=now)
        for key in PLAYBOOKS
        if key in playbooks
    }
    lines = {key: Line(row.id, registry.playbook(row)) for key, row in rows.items()}
    db.session.commit()
    db.session.remove()
    return lines


def _insert_staff(conn: sa.Connection, staff: Staff) -> None:
    conn.execute(sa.insert(Team.__table__), staff.teams)
    conn.execute(sa.insert(User.__table__), staff.users)
    conn.execute(
        sa.update(Team.__table__)
        .where(Team.__table__.c.id == sa.bindparam("team"))
        .values(director_id=sa.bindparam("director")),
        director_updates(staff),
    )


class _Batch:
    """Rows of a batch of accounts, inserted in foreign-key order in one transaction."""

    def __init__(self) -> None:
        self.accounts: list[dict] = []
        self.members: list[dict] = []
        self.contacts: list[dict] = []
        self.history = History()
        self.deals = Deals()

    def add(self, customer: Customer) -> None:
        self.accounts.append(customer.account)
        self.members += customer.members
        self.contacts += customer.contacts

    def touches(self) -> list[dict]:
        """The tie touch counts of this batch's interactions (its accounts are its own, so the
        counts are whole): what ties.touches keeps for interactions logged one by one."""
        ours: dict[int, list[int]] = defaultdict(list)
        for row in self.history.participants:
            ours[row["interaction_id"]].append(row["user_id"])
        theirs: dict[int, list[int]] = defaultdict(list)
        for row in self.history.attendees:
            theirs[row["interaction_id"]].append(row["contact_id"])
        counts: Counter[tuple[int, int, int, int]] = Counter()
        for row in self.history.interactions:
            if row["deleted_at"] is None:
                key = (row["account_id"], clock.day_number(row["occurred_at"]))
                pairs = [(c, u) for u in ours[row["id"]] for c in theirs[row["id"]]]
                counts.update((key[0], c, u, key[1]) for c, u in pairs)
        return [dict(zip(KEY_COLUMNS, key, strict=True), touches=n) for key, n in counts.items()]

    def insert(self, conn: sa.Connection) -> None:
        deals = self.deals
        for table, rows in (
            (Account.__table__, self.accounts),
            (AccountMember.__table__, self.members),
            (Contact.__table__, self.contacts),
            (Opportunity.__table__, deals.opportunities),
            (OpportunityRole.__table__, deals.roles),
            (Interaction.__table__, self.history.interactions),
            (interaction_participants, self.history.participants),
            (interaction_attendees, self.history.attendees),
            (StageChange.__table__, deals.changes),
            (ChecklistTick.__table__, deals.ticks),
            (Approval.__table__, deals.approvals),
            (InternalRequest.__table__, deals.requests),
            (RequestChange.__table__, deals.request_changes),
            (TieTouch.__table__, self.touches()),
        ):
            if rows:
                conn.execute(sa.insert(table), rows)


class _Generator:
    """Draws the accounts one by one from the seeded random generator."""

    def __init__(
        self,
        rng: random.Random,
        staff: Staff,
        ids: Ids,
        now: datetime,
        today: date,
        lines: dict[str, Line] | None = None,
    ) -> None:
        self.rng, self.staff, self.ids, self.now, self.today = rng, staff, ids, now, today
        self.deal_maker = DealMaker(rng, staff, lines or {}, ids, now, today)
        self.team_ids = [team["id"] for team in staff.teams]
        self.taken: set[str] = set()
        self.key_accounts: dict[int, list[int]] = {t: [] for t in self.team_ids}
        shown = {login.email for login in staff.logins if login.role == "rep"}
        self.my_day = {u["id"] for u in staff.users if u["email"] in shown}
        self.count = 0

    def next_customer(self, batch: _Batch) -> None:
        rng, team_id = self.rng, self.team_ids[self.count % len(self.team_ids)]
        self.count += 1
        which = showcase_of(self.count, len(self.team_ids))  # each team's first two accounts
        customer = build_customer(
            rng, self.staff, team_id, self.ids, self.now, self.taken, showcase=which > 0
        )
        keys = self.key_accounts[team_id]
        if keys and rng.random() < SUBSIDIARY_SHARE:
            customer.account["parent_id"] = rng.choice(keys)
        if customer.account["tier"] == "A":
            keys.append(customer.account["id"])
        batch.add(customer)
        shown = add_deals(self.deal_maker, batch.deals, customer, which) if which else []
        deals = shown + self.deal_maker.build(batch.deals, customer)
        build_history(
            batch.history,
            rng,
            customer,
            self.ids,
            self.now,
            self.today,
            deals=deals,
            quiet_days=QUIET_DAYS if which == 2 else 0,
        )
        add_meetings(batch.history, self.deal_maker, customer, self.ids, shown, self.today)
        for user_id in sorted(self.my_day & set(customer.team.values())):
            self.my_day.discard(user_id)
            add_my_day(
                batch.history, rng, customer, self.ids, self.now, today=self.today, owner=user_id
            )


def _finish(conn: sa.Connection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the loaded rows. Then
    refresh the planner's statistics for the new data."""
    if conn.dialect.name == "postgresql":
        for model in _ID_TABLES:
            name = model.__table__.name
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
    conn.exec_driver_sql("ANALYZE")


def load(
    accounts: int,
    *,
    now: datetime,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] = lambda message: None,
) -> Loaded:
    """Generate and insert the data set; the same seed and `now` give the same data."""
    started, engine = time.monotonic(), db.engine
    rng = random.Random(seed)
    today = clock.today(now)
    hashes = {role: hash_password(password) for role, password in PASSWORDS.items()}
    lines = stored_lines(now)
    with engine.begin() as conn:
        ids = _next_ids(conn)
        staff = build_staff(rng, accounts, ids, hashes, now)
        _insert_staff(conn, staff)
    generator = _Generator(rng, staff, ids, now, today, lines)
    counts = {
        "teams": len(staff.teams),
        "users": len(staff.users),
        "accounts": 0,
        "contacts": 0,
        "opportunities": 0,
        "interactions": 0,
    }
    while generator.count < accounts:
        batch = _Batch()
        for _ in range(min(BATCH_ACCOUNTS, accounts - generator.count)):
            generator.next_customer(batch)
        with engine.begin() as conn:
            batch.insert(conn)
        counts["accounts"] += len(batch.accounts)
        counts["contacts"] += len(batch.contacts)
        counts["opportunities"] += len(batch.deals.opportunities)
        counts["interactions"] += len(batch.history.interactions)
        progress(
            f"{counts['accounts']:>6} / {accounts} accounts ({time.monotonic() - started:.0f} s)"
        )
    with engine.begin() as conn:
        _finish(conn)
    return Loaded(staff.logins, counts, time.monotonic() - started)
