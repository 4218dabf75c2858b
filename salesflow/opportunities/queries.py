"""Scoped reads of opportunities for the list, the board, exports and the API: every read starts
from scope.visible_opportunities (STYLE.md rule 7); lists page by keyset, totals are aggregated
in SQL, and a page's related rows are loaded in a few queries, never one per row."""

import base64
import binascii
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from salesflow import clock, scope, validation
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities import decisions, rules
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.playbooks.schema import Playbook, Stage
from salesflow.teams.models import Team

FAR_FUTURE = date(9999, 12, 31)
# app.extensions: the board's column totals as the pipeline reports keep them per team (handed
# over by create_app → register_reports; pipeline.open_deals.board_totals)
BOARD_TOTALS = "salesflow.board_totals"
# The amount and close orders are written with literal constants, to the letter of the indexes
# that keep them (migration 20261201_2215 ix_opportunities_by_amount, _by_close): a database
# matches an expression index only to the same expression, and a bound parameter is not one.
SORTS: dict[str, Any] = {
    "name": Opportunity.name,
    "amount": sa.func.coalesce(Opportunity.amount, sa.literal_column("0", Opportunity.amount.type)),
    "close": sa.func.coalesce(
        Opportunity.expected_close, sa.literal_column(f"'{FAR_FUTURE.isoformat()}'", sa.Date())
    ),
    "stage_age": Opportunity.stage_entered_at,  # oldest entry first = longest in stage
    "updated": Opportunity.updated_at,
}
MAX_AMOUNT = Decimal(10) ** 15  # beyond any amount the services accept
CARDS_PER_PAGE = 20  # a board column's cards at a time (its "show more" loads the next)


@dataclass
class OpportunityFilters:
    q: str | None = None
    team_id: int | None = None
    owner_id: int | None = None  # the AR
    close_month: date | None = None  # the first day of the month
    mine: bool = False  # the caller holds a seat of the iron triangle
    playbook: str | None = None
    status: str | None = Status.open.value  # None: every status
    stage: str | None = None
    account_id: int | None = None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def next_month(first: date) -> date:
    """The first day of the month after the one starting on `first`."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def list_query(user: User, filters: OpportunityFilters) -> sa.Select[Any]:
    """The opportunities `user` may see, filtered; unordered (exports and the API order it)."""
    return _filtered(sa.select(Opportunity).where(scope.visible_opportunities(user)), user, filters)


def listed(user: User, filters: OpportunityFilters) -> sa.Select[Any]:
    """The list page's query: list_query's deals, the scope joined (as the board's) rather than
    `account_id IN (every visible account)`, so that the database walks the sort's index and
    stops after a page, looking up each deal's account, instead of sorting every visible deal
    (leadership's first page by amount: ~110 ms → ~2 ms on 84,000 open deals, SQLite)."""
    seen = (
        sa.select(Opportunity)
        .join(Account, Account.id == Opportunity.account_id)
        .where(scope.visible_accounts(user), Opportunity.deleted_at.is_(None))
    )
    return _filtered(seen, user, filters)


def _filtered(query: sa.Select[Any], user: User, filters: OpportunityFilters) -> sa.Select[Any]:
    q = (filters.q or "").replace("\x00", "").strip()
    if q:
        query = query.where(Opportunity.name.ilike(f"%{_escape(q)}%", escape="\\"))
    if filters.team_id:
        in_team = sa.select(Account.id).where(Account.team_id == filters.team_id)
        query = query.where(Opportunity.account_id.in_(in_team))
    if filters.owner_id:
        query = query.where(Opportunity.id.in_(_seated(filters.owner_id, TriangleRole.AR)))
    if filters.mine:
        query = query.where(Opportunity.id.in_(_seated(user.id)))
    if filters.close_month:
        query = query.where(
            Opportunity.expected_close >= filters.close_month,
            Opportunity.expected_close < next_month(filters.close_month),
        )
    if filters.playbook:
        versions = sa.select(PlaybookVersion.id).where(PlaybookVersion.key == filters.playbook)
        query = query.where(Opportunity.playbook_version_id.in_(versions))
    if filters.status in {s.value for s in Status}:
        query = query.where(Opportunity.status == filters.status)
    if filters.stage:
        query = query.where(Opportunity.stage_key == filters.stage)
    if filters.account_id:
        query = query.where(Opportunity.account_id == filters.account_id)
    return query


def _seated(user_id: int, role: TriangleRole | None = None) -> sa.Select[Any]:
    seats = sa.select(OpportunityRole.opportunity_id).where(OpportunityRole.user_id == user_id)
    return seats.where(OpportunityRole.role == role) if role else seats


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def encode_cursor(sort: str, descending: bool, value: Any, last_id: int) -> str:
    raw = json.dumps([sort, descending, _plain(value), last_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _parse(sort: str, value: str) -> Any:
    """A cursor's sort value back in the column's type; ValueError if it is not one."""
    if sort == "amount":
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
            raise ValueError(value)
        return amount
    if sort == "close":
        day = date.fromisoformat(value)
        if validation.day_problem(day) and day != FAR_FUTURE:  # no date sorts as FAR_FUTURE
            raise ValueError(value)
        return day
    if sort in {"stage_age", "updated"}:
        moment = datetime.fromisoformat(value)
        if validation.moment_problem(moment):
            raise ValueError(value)
        return moment
    return value


def decode_cursor(cursor: str | None, sort: str, descending: bool) -> tuple[Any, int] | None:
    """(sort value, id) of a cursor made for the same order; None for a foreign or tampered one
    (the list then starts from the top)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, made_desc, value, last_id = json.loads(raw)
        if made_for != sort or made_desc is not descending or not isinstance(value, str):
            return None
        if not validation.is_id(last_id):
            return None
        return _parse(sort, value), last_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, InvalidOperation):
        return None


def with_people(query: sa.Select[Any]) -> sa.Select[Any]:
    """Load each row's account, playbook version and iron triangle with the page (3 queries)."""
    return query.options(
        so.joinedload(Opportunity.account),
        so.joinedload(Opportunity.playbook_version),
        so.selectinload(Opportunity.roles).joinedload(OpportunityRole.user),
    )


def page(
    query: sa.Select[Any],
    *,
    sort: str = "close",
    descending: bool = False,
    cursor: str | None = None,
    size: int = 50,
) -> tuple[list[Opportunity], str | None]:
    """One page by keyset on (sort value, id): the page's ids and sort values in the order (which
    an index answers without reading the deals' rows), then those deals with their people
    (with_people): two queries and the people's, whatever the list's length."""
    sort = sort if sort in SORTS else "close"
    column = SORTS[sort]
    after = decode_cursor(cursor, sort, descending)
    if after is not None:
        value, last_id = after
        bound = sa.literal(value, column.type)
        beyond = column < bound if descending else column > bound
        tie = Opportunity.id < last_id if descending else Opportunity.id > last_id
        query = query.where(sa.or_(beyond, sa.and_(column == bound, tie)))
    order = (column.desc(), Opportunity.id.desc()) if descending else (column, Opportunity.id)
    found = db.session.execute(
        query.with_only_columns(Opportunity.id, column).order_by(*order).limit(size + 1)
    ).all()
    shown = found[:size]
    loaded = db.session.scalars(
        with_people(sa.select(Opportunity).where(Opportunity.id.in_([i for i, _v in shown])))
    ).unique()
    by_id = {deal.id: deal for deal in loaded}
    rows = [by_id[deal_id] for deal_id, _value in shown]
    next_cursor = None
    if len(found) > size:
        last_id, value = shown[-1]
        next_cursor = encode_cursor(sort, descending, value, last_id)
    return rows, next_cursor


def seat(opportunity: Opportunity, role: str) -> User | None:
    """Who holds `role` on the deal (its roles are loaded with the page)."""
    return next((r.user for r in opportunity.roles if r.role.value == role), None)


def stage_of(opportunity: Opportunity) -> Stage:
    return registry.playbook(opportunity.playbook_version).stage(opportunity.stage_key)


def weighted(opportunity: Opportunity) -> Decimal:
    """The deal's weighted amount (rules.weighted_amount at its current stage)."""
    return rules.weighted_amount(opportunity.amount, stage_of(opportunity).probability)


@dataclass(frozen=True)
class DealRow:
    """A deal as a list row or a board card shows it, its rules applied (opportunities.rules)."""

    deal: Opportunity
    stage: Stage
    days_in_stage: int
    over_limit: bool  # open and over its stage's time limit
    weighted: Decimal
    ar: User | None  # who holds the AR seat (seat())


def deal_row(opportunity: Opportunity, now: datetime) -> DealRow:
    """One deal's row, as of `now` (its playbook version loaded with it)."""
    stage, entered = stage_of(opportunity), opportunity.stage_entered_at
    return DealRow(
        opportunity,
        stage,
        rules.days_in_stage(entered, now),
        opportunity.is_open and rules.over_limit(entered, stage.sla_days, now),
        rules.weighted_amount(opportunity.amount, stage.probability),
        seat(opportunity, TriangleRole.AR),
    )


@dataclass
class Column:
    stage: Stage
    count: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)  # by currency
    weighted: dict[str, Decimal] = field(default_factory=dict)
    cards: list[DealRow] = field(default_factory=list)
    cursor: str | None = None  # where the column's next page of cards starts

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def board_playbook(key: str | None) -> Playbook | None:
    """The newest version of playbook `key` (the folder's, else the newest stored)."""
    files = registry.file_playbooks()
    if key in files:
        return files[key]
    row = db.session.scalar(
        sa.select(PlaybookVersion)
        .where(PlaybookVersion.key == key)
        .order_by(PlaybookVersion.version.desc())
        .limit(1)
    )
    return registry.playbook(row) if row else None


def _board_query(user: User, playbook: Playbook, filters: OpportunityFilters) -> sa.Select[Any]:
    """The board's deals: the playbook's open deals `user` may see, with the list's filters.
    The scope is joined (not the list's `account_id IN (…)`), so that the database walks the
    board's covering index (status, stage, close, version, amounts) in the cards' order and
    stops after a page, rather than every account's deals with their full rows."""
    filters = OpportunityFilters(
        **{**filters.__dict__, "playbook": playbook.key, "status": Status.open.value, "stage": None}
    )
    seen = (
        sa.select(Opportunity)
        .join(Account, Account.id == Opportunity.account_id)
        .where(scope.visible_accounts(user), Opportunity.deleted_at.is_(None))
    )
    return _filtered(seen, user, filters)


def board(
    user: User, playbook: Playbook, filters: OpportunityFilters, *, now: datetime | None = None
) -> list[Column]:
    """The open deals of `playbook` (every version) by stage: totals per column aggregated in SQL
    (count, amount and weighted amount per currency, by opportunities.rules), and each column's
    first CARDS_PER_PAGE cards by expected close, as of `now` (default: clock.now()). A query
    for the totals and one per column with deals (read from the index, never ranking every
    open deal)."""
    query = _board_query(user, playbook, filters)
    columns = {stage.key: Column(stage) for stage in playbook.stages}
    _totals(query, columns, _kept_totals(user, playbook, filters))
    for key, column in columns.items():
        if column.count:
            column.cards, column.cursor = _cards(query, key, None, now or clock.now())
    return list(columns.values())


def board_cards(
    user: User,
    playbook: Playbook,
    filters: OpportunityFilters,
    stage_key: str,
    cursor: str | None,
    *,
    now: datetime,
) -> tuple[list[DealRow], str | None]:
    """The next CARDS_PER_PAGE cards of one board column after `cursor` (the column's "show
    more"), and the cursor after them (None at its end)."""
    return _cards(_board_query(user, playbook, filters), stage_key, cursor, now)


def _kept_totals(user: User, playbook: Playbook, filters: OpportunityFilters) -> list | None:
    """The columns' totals from the open pipeline the reports keep per team, when the board's
    filters name no more than a team (None: counted from the deals). The memory never imports
    the reports (tests/test_layering.py): the app factory hands their function over
    (BOARD_TOTALS), and says None for a reader who does not see whole teams."""
    kept = current_app.extensions.get(BOARD_TOTALS)
    q = (filters.q or "").replace("\x00", "").strip()
    narrowed = (q, filters.owner_id, filters.mine, filters.close_month, filters.account_id)
    if kept is None or any(narrowed):
        return None
    return kept(user, playbook.key, filters.team_id)


def _totals(query: sa.Select[Any], columns: dict[str, Column], kept: list | None) -> None:
    """Each column's count, amount and weighted amount per currency: the `kept` totals' rows
    (version, stage, currency, count, amount, weighted cents), else one grouped query."""
    # every stored version (a handful of rows, parsed once by the registry): the weighted amount
    # needs each stage's probability inside the query
    versions = {v.id: registry.playbook(v) for v in db.session.scalars(sa.select(PlaybookVersion))}
    rows = kept
    if rows is None:
        deals = query.subquery()
        deal = so.aliased(Opportunity, deals)
        rows = db.session.execute(
            sa.select(
                deals.c.playbook_version_id,
                deals.c.stage_key,
                deals.c.currency,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(deals.c.amount), 0),
                rules.weighted_sum_sql(versions, deal),
            ).group_by(deals.c.playbook_version_id, deals.c.stage_key, deals.c.currency)
        ).all()
    for version_id, stage_key, currency, count, amount, weighted in rows:
        version = versions[version_id]
        column = columns.get(stage_key)
        if column is None:  # a stage an older version had: shown with that version's name
            column = columns[stage_key] = Column(version.stage(stage_key))
        column.count += count
        column.amount[currency] = column.amount.get(currency, Decimal(0)) + Decimal(amount)
        column.weighted[currency] = column.weighted.get(currency, Decimal(0)) + rules.from_cents(
            weighted
        )


def _cards(
    query: sa.Select[Any], stage_key: str, cursor: str | None, now: datetime
) -> tuple[list[DealRow], str | None]:
    """A page of one column's cards by expected close (no date last), keyset on (close, id),
    and the cursor after it (None at the column's end)."""
    found = _card_ids(query.where(Opportunity.stage_key == stage_key), cursor)
    shown = found[:CARDS_PER_PAGE]
    by_id = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Opportunity)
            .where(Opportunity.id.in_([i for i, _close in shown]))
            .options(
                so.joinedload(Opportunity.account),
                so.selectinload(Opportunity.playbook_version),
                so.selectinload(Opportunity.roles).joinedload(OpportunityRole.user),
            )
        )
    }
    cards = [deal_row(by_id[i], now) for i, _close in shown]
    if len(found) <= CARDS_PER_PAGE:
        return cards, None
    last_id, last_close = shown[-1]
    return cards, encode_cursor("close", False, last_close, last_id)


def _card_ids(query: sa.Select[Any], cursor: str | None) -> list[tuple[int, date]]:
    """(id, close) of the next CARDS_PER_PAGE + 1 deals of a column after `cursor`: the dated
    ones by (date, id), then those without a date (FAR_FUTURE) by id. Two plain orders the
    board's index keeps, so the database stops after the page instead of sorting the stage."""
    close = Opportunity.expected_close
    after = decode_cursor(cursor, "close", False)
    value, last_id = after if after is not None else (None, 0)
    found: list[tuple[int, date]] = []
    if value != FAR_FUTURE:
        dated = query.where(close.is_not(None))
        if value is not None:
            dated = dated.where(
                sa.or_(close > value, sa.and_(close == value, Opportunity.id > last_id))
            )
        found = [
            (i, day)
            for i, day in db.session.execute(
                dated.with_only_columns(Opportunity.id, close)
                .order_by(close, Opportunity.id)
                .limit(CARDS_PER_PAGE + 1)
            )
        ]
    if len(found) <= CARDS_PER_PAGE:
        undated = query.where(
            close.is_(None), Opportunity.id > (last_id if value == FAR_FUTURE else 0)
        )
        found += [
            (i, FAR_FUTURE)
            for i in db.session.scalars(
                undated.with_only_columns(Opportunity.id)
                .order_by(Opportunity.id)
                .limit(CARDS_PER_PAGE + 1 - len(found))
            )
        ]
    return found


def playbook_keys(user: User) -> list[str]:
    """Keys of the playbooks a board can show: the folder's and any with deals still running."""
    stored = db.session.scalars(sa.select(PlaybookVersion.key).distinct())
    return sorted(set(registry.file_playbooks()) | set(stored))


def open_deal_names(account_id: int, *, also: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the account's open deals, and of deal `also` (one already linked), by name:
    what a contact may be logged against."""
    rule = Opportunity.status == Status.open
    if also is not None:
        rule = sa.or_(rule, Opportunity.id == also)
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.name)
        .where(Opportunity.account_id == account_id, Opportunity.deleted_at.is_(None), rule)
        .order_by(Opportunity.name)
    )
    return [(deal_id, name) for deal_id, name in rows]


def filter_teams(user: User) -> list[Team]:
    """The teams the list's and the board's filter offers `user`: those they may see."""
    query = sa.select(Team).where(scope.visible_teams(user)).order_by(Team.name)
    return list(db.session.scalars(query))


def filter_people(user: User) -> list[User]:
    """The active people the filters offer `user`: those they may see, by name."""
    query = sa.select(User).where(User.active, scope.visible_people(user)).order_by(User.name)
    return list(db.session.scalars(query))


def seat_people(account: Account, holders: Collection[int] = ()) -> list[tuple[int, str]]:
    """Whom a seat picker of a deal on `account` offers, by name: the people who may see the
    account (scope.sees_account) and may hold a seat (User.may_hold; `holders` hold one now),
    each named with their team, and with their e-mail too when two share a name."""
    users = db.session.scalars(
        sa.select(User)
        .where(scope.sees_account(account), User.may_hold(holders))
        .options(so.joinedload(User.team))
        .order_by(User.name, User.id)
    ).all()
    names = Counter(u.name for u in users)
    return [(u.id, person_label(u, same_name=names[u.name] > 1)) for u in users]


def person_label(user: User, *, same_name: bool) -> str:
    """A person as a picker names them: "Li Ming (North)", "Li Ming (North, li@example.com)"."""
    parts = [user.team.name] if user.team is not None else []
    if same_name:
        parts.append(user.email)
    return f"{user.name} ({', '.join(parts)})" if parts else user.name


def pending_decisions(user: User) -> list[decisions.PendingDecision]:
    """The decisions waiting for `user` to decide (opportunities.decisions), oldest first."""
    return decisions.pending_decisions(user)


def decisions_waiting(
    user: User, *, team_id: int | None = None, limit: int | None = None
) -> tuple[list[decisions.PendingDecision], int]:
    """The decisions asked on the deals `user` sees and not answered (of one team), oldest
    first: the review's "Decisions waiting" (the first `limit`), and how many there are."""
    return decisions.waiting_in(user, team_id=team_id, limit=limit)
