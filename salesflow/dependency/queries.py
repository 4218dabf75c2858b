"""The set-wise shell of the dependency report (STYLE.md rule 11): current contacts and live tie
strengths for any set of accounts in two queries, the strengths summed in SQL from the day
counts with a table of decay weights; then the pure metrics per account."""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from salesflow import clock, scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import live, metrics
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.playbooks import registry
from salesflow.playbooks.models import PlaybookVersion
from salesflow.ties.models import TieChange
from salesflow.ties.queries import tied_accounts
from salesflow.ties.strength import decay

BY_ACCOUNT_LIMIT = 2000
# A change written by a transaction still open when a snapshot is taken may carry an earlier
# time than the snapshot: changes this close to it count as after it.
IN_FLIGHT = timedelta(minutes=5)


@dataclass(frozen=True)
class Gone:
    """Ties that count as gone for every figure, because the departure has happened: every tie
    of a person who has been deactivated (has left the company), and, on an account, the ties of
    the person who handed it over once that handover was complete (its checklist proven to 100 %,
    Handover.completed_at)."""

    people: frozenset[int]  # deactivated users
    handed_over: frozenset[tuple[int, int]]  # (account, user) of complete handovers

    def keeps(self, account_id: int, user_id: int) -> bool:
        return user_id not in self.people and (account_id, user_id) not in self.handed_over


def gone(account_ids: Iterable[int] | None = None) -> Gone:
    """Who is gone (Gone), for these accounts (None: all); two small queries."""
    people = frozenset(db.session.scalars(sa.select(User.id).where(User.active.is_(False))))
    handed = sa.select(HandoverAccount.account_id, Handover.from_user_id).join(
        Handover, Handover.id == HandoverAccount.handover_id
    )
    handed = handed.where(Handover.completed_at.is_not(None))
    if account_ids is not None:
        handed = handed.where(HandoverAccount.account_id.in_(set(account_ids)))
    pairs = frozenset((a, u) for a, u in db.session.execute(handed))
    return Gone(people, pairs)


def account_inputs(
    account_ids: set[int] | None, *, now: datetime, keep_gone: bool = False
) -> dict[int, metrics.AccountInput]:
    """Each account's current contacts and live ties as of `now` (None: every account that is
    not deleted), in three queries, without the ties that are gone (Gone; `keep_gone`: with
    them, as they were before the departure). The whole company reads the window of day counts
    by its day index; a set of accounts is read by account (a literal id list keeps both engines
    on the right index)."""
    accounts = sa.select(Account.id).where(Account.deleted_at.is_(None))
    if account_ids is not None:
        accounts = accounts.where(Account.id.in_(account_ids))
    ids = db.session.scalars(accounts.order_by(Account.id)).all()
    if account_ids is not None and not ids:
        return {}
    few = account_ids is not None and len(ids) <= BY_ACCOUNT_LIMIT
    by_account = Contact.account_id.in_(ids) if few else sa.true()
    contacts: dict[int, list[metrics.ContactIn]] = defaultdict(list)
    rows = (
        db.session.connection()
        .execute(
            sa.select(
                Contact.account_id, Contact.id, Contact.decision_role, Contact.influence
            ).where(by_account, Contact.deleted_at.is_(None), Contact.left_on.is_(None))
        )
        .all()
    )
    for account_id, cid, role, influence in rows:
        contacts[account_id].append(metrics.ContactIn(cid, role, influence))
    # Many accounts: read the whole window by day and keep theirs; a few: read them by account.
    ties = _strengths(None if account_ids is None or len(ids) > BY_ACCOUNT_LIMIT else ids, now)
    if not keep_gone:
        left = gone(ids if few else None)
        for account_id, pairs in ties.items():
            for key in [k for k in pairs if not left.keeps(account_id, k[0])]:
                del pairs[key]
    return {
        a: metrics.AccountInput(a, tuple(sorted(contacts[a], key=lambda c: c.id)), ties[a])
        for a in ids
    }


def _strengths(ids: list[int] | None, now: datetime) -> dict[int, dict[tuple[int, int], float]]:
    """Live tie strength per account and (user, contact): Σ touches × decay, summed in SQL with
    a table of each window day's decay weight."""
    config = current_app.config
    window, half_life = config["TIE_WINDOW_DAYS"], config["TIE_HALF_LIFE_DAYS"]
    today = clock.day_number(now)
    # our own numbers, not user input: written into the statement as literals
    weights = ", ".join(f"({today - age}, {decay(age, half_life)!r})" for age in range(window + 1))
    source, day = "tie_touches AS t", "t.day"
    if db.session.get_bind().dialect.name == "sqlite":
        # With statistics SQLite builds an automatic index instead of reading its covering one
        # (measured: 1.7 s instead of 0.8 s for a million day counts; for the ~700 accounts of
        # a departure 0.8 s instead of 0.25 s): the day counts are read from the index, and
        # `+t.day` keeps them the outer loop, each looking its day's weight up.
        index = "ix_tie_touches_day" if ids is None else "ix_tie_touches_account_id_user_id"
        source, day = f"tie_touches AS t INDEXED BY {index}", "+t.day"
    where = "" if ids is None else " AND t.account_id IN :ids"
    statement = sa.text(
        f"WITH weights(day, weight) AS (VALUES {weights}) "
        "SELECT t.account_id, t.user_id, t.contact_id, SUM(t.touches * weights.weight) "
        f"FROM {source} JOIN weights ON weights.day = {day} "
        f"WHERE t.day BETWEEN :first AND :today{where} "
        "GROUP BY t.account_id, t.user_id, t.contact_id"
    ).bindparams(first=today - window, today=today)
    if ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", ids, expanding=True))
    ties: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for account_id, user_id, contact_id, value in db.session.connection().execute(statement).all():
        if value and value > 0:
            ties[account_id][(user_id, contact_id)] = float(value)
    return ties


def holdings(account_ids: set[int] | None, *, now: datetime) -> dict[int, metrics.Holdings]:
    """Each account's Holdings at `now` (None: every account not deleted), computed set-wise in
    SQL (dependency.live), without the ties that are gone (Gone)."""
    few = account_ids is not None and len(account_ids) <= BY_ACCOUNT_LIMIT
    left = gone(account_ids if few else None)
    return live.holdings(account_ids, now=now, keeps=left.keeps)


def risks(account_ids: set[int], *, now: datetime) -> dict[int, metrics.Risk]:
    """Each account's dependency risk at `now` (PRODUCT.md, Risk), set-wise: what a handover
    shows and keeps as its accounts' risk before (handovers.risks)."""
    if not account_ids:
        return {}
    inputs = account_inputs(account_ids, now=now)
    return {a: metrics.account_metrics(inp).risk for a, inp in inputs.items()}


def _stale(day: date, since: datetime) -> set[int]:
    """Accounts today's snapshot may no longer answer for: what their figures are made of
    changed since `since` (ties.touches.changed: tie counts, contacts, who has gone) with no
    refresh of the row after the snapshot — a change in flight while it was taken. Every other
    change refreshed its accounts' rows in its own transaction (snapshots.refresh)."""
    return set(
        db.session.scalars(
            sa.select(TieChange.account_id).where(
                TieChange.at >= since,
                ~TieChange.account_id.in_(
                    sa.select(AccountSnapshot.account_id).where(
                        AccountSnapshot.day == day, AccountSnapshot.refreshed_at.is_not(None)
                    )
                ),
            )
        )
    )


SNAPSHOT_COLUMNS = (
    AccountSnapshot.account_id,
    sa.cast(AccountSnapshot.shares, sa.Text),
    AccountSnapshot.top_share,
    AccountSnapshot.holder_id,
    AccountSnapshot.effective_holders,
    sa.cast(AccountSnapshot.key_contact_ids, sa.Text),
    sa.cast(AccountSnapshot.uncovered_ids, sa.Text),
    sa.cast(AccountSnapshot.single_threaded_ids, sa.Text),
    AccountSnapshot.multi_threaded_coverage,
    AccountSnapshot.bus_factor,
    AccountSnapshot.risk,
)


def _stored(rows: list[Any]) -> dict[int, metrics.AccountMetrics]:
    """The snapshot's rows as metrics: their JSON texts (shares and three id lists a row)
    decoded in one pass, as one JSON document, instead of four decodings a row."""
    texts = ",".join(f"[{r[1]},{r[5] or '[]'},{r[6] or '[]'},{r[7] or '[]'}]" for r in rows)
    found = {}
    for row, (shares, keys, uncovered, single) in zip(rows, json.loads(f"[{texts}]"), strict=True):
        account_id, _s, top, holder, effective, _k, _u, _i, coverage, bus, risk = row
        found[account_id] = metrics.AccountMetrics(
            account_id=account_id,
            shares={int(u): v for u, v in shares.items()},
            top_share=top,
            holder_id=holder,
            effective_holders=effective,
            key_contacts=tuple(keys),
            uncovered_key_contacts=tuple(uncovered),
            single_threaded_key_contacts=tuple(single),
            multi_threaded_coverage=coverage,
            bus_factor=bus,
            risk=metrics.Risk[risk],
        )
    return found


def from_snapshot(ids: set[int], *, now: datetime) -> dict[int, metrics.AccountMetrics]:
    """The metrics today's snapshot still answers for, among `ids`: accounts it may no longer
    answer for (_stale), or that it does not have, are left out, for the caller to compute.
    Nothing when there is no snapshot of today taken before `now`. Three queries; the JSON
    columns read as text and decoded here (the ORM's JSON type is slow over 10,000 rows)."""
    day = clock.today(now)
    taken = db.session.scalar(
        sa.select(sa.func.max(AccountSnapshot.taken_at)).where(AccountSnapshot.day == day)
    )
    if taken is None or taken > now or not ids:
        return {}
    stale = _stale(day, taken - IN_FLIGHT)
    query = sa.select(*SNAPSHOT_COLUMNS).where(
        AccountSnapshot.day == day, AccountSnapshot.shares.is_not(None)
    )
    if len(ids) <= BY_ACCOUNT_LIMIT:
        query = query.where(AccountSnapshot.account_id.in_(ids))
    rows = db.session.connection().execute(query).all()
    return _stored([row for row in rows if row[0] in ids and row[0] not in stale])


@dataclass
class ReportFilters:
    team_id: int | None = None
    tier: str | None = None
    risk: str | None = None
    holder_id: int | None = None


@dataclass
class ReportRow:
    account: Any  # (id, name, team_id, tier)
    metrics: metrics.AccountMetrics


def _visible(user: User, filters: ReportFilters) -> dict[int, Any]:
    """The accounts `user` may see that the team and tier filters keep: (id, name, team_id,
    tier) by id, in one query."""
    query = sa.select(Account.id, Account.name, Account.team_id, Account.tier).where(
        scope.visible_accounts(user)
    )
    if filters.team_id:
        query = query.where(Account.team_id == filters.team_id)
    if filters.tier:
        query = query.where(Account.tier == filters.tier)
    return {row.id: row for row in db.session.connection().execute(query)}


def figures(ids: set[int], *, now: datetime) -> dict[int, metrics.AccountMetrics]:
    """Every figure of these accounts at `now`: today's snapshot where it answers (kept up to
    date as tie counts change: snapshots.refresh), the rest computed."""
    known = from_snapshot(ids, now=now)
    missing = ids - set(known)
    inputs = holdings(missing, now=now) if missing else {}
    return known | {a: metrics.account_metrics(held) for a, held in inputs.items()}


def _kept(result: metrics.AccountMetrics, filters: ReportFilters) -> bool:
    """Whether the risk and holder filters keep this account."""
    if filters.risk and result.risk.name != filters.risk:
        return False
    return not (filters.holder_id and result.holder_id != filters.holder_id)


def report(user: User, filters: ReportFilters, *, now: datetime) -> list[ReportRow]:
    """The dependency of every account `user` may see, filtered, the worst first (highest risk,
    then fewest effective holders, then largest top share)."""
    names = _visible(user, filters)
    found = figures(set(names), now=now)
    rows = [ReportRow(names[a], m) for a, m in found.items() if _kept(m, filters)]
    rows.sort(
        key=lambda r: (
            -r.metrics.risk,
            r.metrics.effective_holders or 0.0,
            -(r.metrics.top_share or 0.0),
            r.account.name,
        )
    )
    return rows


def account_metrics_page(
    user: User, filters: ReportFilters, *, now: datetime, after: int | None, limit: int
) -> list[metrics.AccountMetrics]:
    """Up to limit + 1 accounts' metrics by account id after `after` (the API's pages); the risk
    and holder filters apply after computing, so pages are filled batch by batch."""
    found: list[metrics.AccountMetrics] = []
    base = sa.select(Account.id).where(scope.visible_accounts(user))
    if filters.team_id:
        base = base.where(Account.team_id == filters.team_id)
    if filters.tier:
        base = base.where(Account.tier == filters.tier)
    while len(found) <= limit:
        query = base.where(Account.id > after) if after else base
        ids = db.session.scalars(query.order_by(Account.id).limit(max(limit + 1, 200))).all()
        if not ids:
            break
        found_ids = figures(set(ids), now=now)
        found += [found_ids[a] for a in ids if _kept(found_ids[a], filters)]
        after = ids[-1]
    return found[: limit + 1]


@dataclass
class Departure:
    user_ids: set[int]
    accounts: list[metrics.AccountDeparture]
    opportunity_ids: list[int]
    pipeline_at_risk_amount: dict[str, Decimal]  # per currency (API.md: reports sum per currency)
    pipeline_at_risk_weighted: dict[str, Decimal]
    # open deals where a departing person is SR or FR: shown, not counted as at risk
    other_roles: dict[int, str] = field(default_factory=dict)


def _touched_accounts(user_ids: set[int], now: datetime) -> set[int]:
    """Accounts where a departing user has a live tie or holds AR on an open deal."""
    tied = tied_accounts(user_ids, now=now)
    ar = (
        sa.select(Opportunity.account_id)
        .join(OpportunityRole, OpportunityRole.opportunity_id == Opportunity.id)
        .where(
            OpportunityRole.user_id.in_(user_ids),
            OpportunityRole.role == TriangleRole.AR,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
    )
    return set(db.session.scalars(tied.union(ar)))


def _open_deals(account_ids: Iterable[int]) -> list[Any]:
    """The open deals of these accounts as plain rows: the playbook version by id (its 10 KB
    source is read once per version, in _probabilities, not once per deal)."""
    return db.session.execute(
        sa.select(
            Opportunity.id,
            Opportunity.account_id,
            Opportunity.amount,
            Opportunity.currency,
            Opportunity.stage_key,
            Opportunity.playbook_version_id,
        )
        .where(
            Opportunity.account_id.in_(set(account_ids)),
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
        .order_by(Opportunity.id)
    ).all()


def _probability(version_ids: set[int]) -> Callable[[int, str], int]:
    """The probability of a playbook version's stage, the versions read once each."""
    versions = db.session.scalars(
        sa.select(PlaybookVersion).where(PlaybookVersion.id.in_(version_ids))
    )
    playbooks = {v.id: registry.playbook(v) for v in versions}
    return lambda version_id, stage_key: playbooks[version_id].stage(stage_key).probability


def departure(user: User, user_ids: set[int], *, now: datetime) -> Departure:
    """What the departure (or rotation) of `user_ids` puts at risk among the accounts `user` may
    see (PRODUCT.md, Departure simulation): only the accounts they touch are recomputed, from
    their tie counts, each account's figures as they are read from today's snapshot."""
    ids = _visible_among(user, _touched_accounts(user_ids, now))
    inputs = holdings(ids, now=now) if ids else {}
    known = from_snapshot(ids, now=now)
    results = {a: metrics.departure(held, user_ids, known.get(a)) for a, held in inputs.items()}
    ar_deals = set(
        db.session.scalars(
            sa.select(OpportunityRole.opportunity_id).where(
                OpportunityRole.user_id.in_(user_ids), OpportunityRole.role == TriangleRole.AR
            )
        )
    )
    deals = [
        d
        for d in _open_deals(results)
        if d.id in ar_deals or results[d.account_id].loses_decision_makers
    ]
    probability = _probability({d.playbook_version_id for d in deals})
    amount: dict[str, Decimal] = defaultdict(Decimal)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    for d in deals:
        amount[d.currency] += d.amount or Decimal(0)
        weighted[d.currency] += rules.weighted_amount(
            d.amount, probability(d.playbook_version_id, d.stage_key)
        )
    at_risk = [d.id for d in deals]
    # every account the departing people touch; the ones that get worse first
    shown = sorted(
        results.values(),
        key=lambda r: (
            not r.risk_rises,
            -len(r.newly_uncovered_key_contacts),
            -r.after.risk,
            r.account_id,
        ),
    )
    cents = Decimal("0.01")
    return Departure(
        user_ids,
        shown,
        at_risk,
        {c: v.quantize(cents) for c, v in sorted(amount.items())},
        {c: v.quantize(cents) for c, v in sorted(weighted.items())},
        _other_roles(user_ids, user),
    )


def _other_roles(user_ids: set[int], user: User) -> dict[int, str]:
    """Open deals on accounts `user` sees where one of `user_ids` sits as SR or FR: the
    simulation lists them but does not count them as pipeline at risk. The scope is checked
    on the accounts of the deals found (the people's roles are few; the scope may be all)."""
    rows = db.session.execute(
        sa.select(Opportunity.id, Opportunity.account_id, OpportunityRole.role)
        .join(OpportunityRole, OpportunityRole.opportunity_id == Opportunity.id)
        .where(
            OpportunityRole.user_id.in_(user_ids),
            OpportunityRole.role.in_([TriangleRole.SR, TriangleRole.FR]),
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
        )
        .order_by(Opportunity.id, OpportunityRole.role)
    ).all()
    accounts = {account_id for _deal, account_id, _role in rows}
    visible = _visible_among(user, accounts)
    found: dict[int, str] = {}
    for deal_id, account_id, role in rows:
        if account_id in visible:
            found[deal_id] = ", ".join(filter(None, [found.get(deal_id), role.value]))
    return found


def _visible_among(user: User, account_ids: set[int]) -> set[int]:
    """Those of these accounts `user` may see."""
    if not account_ids:
        return set()
    query = sa.select(Account.id).where(scope.visible_accounts(user), Account.id.in_(account_ids))
    return set(db.session.scalars(query))
