"""What the dependency pages show, built from the report's queries (dependency.queries) with the
names, people and sums each page needs: the dashboard's holders and charts, one account's holders
and ties, the departure simulation's totals and deals. The views parse the request and render."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from salesflow import scope
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.dependency import charts, metrics, queries, snapshots
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.key_accounts import layers as key_layers
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.teams.models import Team
from salesflow.ties import people as ties_people
from salesflow.ties.people import Person
from salesflow.ties.queries import live_ties, tied_accounts

PAGE = 100
DEALS_PAGE = 50  # the departure simulation's deals at risk, a page at a time
TREND_DAYS = 90
HOLDERS_SHOWN = 15
# The definitions of the figures (docs/figures.md), served by the help pages.
HELP_ENDPOINT, HELP_PAGE = "help.page", "figures"


@dataclass(frozen=True)
class Figure:
    """A figure the pages show, explained in one sentence, with its definition's anchor."""

    key: str
    anchor: str
    name: Any
    sentence: Any

    @property
    def url(self) -> str:
        """The figure's definition in the help pages (docs/figures.md)."""
        if HELP_ENDPOINT in current_app.view_functions:
            return url_for(HELP_ENDPOINT, page=HELP_PAGE, _anchor=self.anchor)
        return f"/help/{HELP_PAGE}#{self.anchor}"


FIGURES = {
    figure.key: figure
    for figure in (
        Figure(
            "holder",
            "top-share",
            _l("Holder"),
            _l(
                "The holder is the one of our people with the largest share of the account's "
                "relationships; the percentage is that share."
            ),
        ),
        Figure(
            "effective_holders",
            "effective-holders",
            _l("Effective holders"),
            _l(
                "How many of our people the account's relationships really rest on: 1.0 means "
                "one person holds them all; 2.5 or more is healthy."
            ),
        ),
        Figure(
            "uncovered",
            "uncovered-key-contacts",
            _l("Uncovered"),
            _l(
                "Key contacts (decision makers and people of high influence) whom nobody of ours "
                "has met in the last 180 days."
            ),
        ),
        Figure(
            "single_threaded",
            "single-threaded-key-contacts",
            _l("Single-threaded"),
            _l("Key contacts whom only one of our people has met in the last 180 days."),
        ),
        Figure(
            "multi_threaded",
            "multi-threaded-coverage",
            _l("Multi-threaded coverage"),
            _l(
                "The share of the account's key contacts whom two or more of our people have met "
                "in the last 180 days."
            ),
        ),
        Figure(
            "bus_factor",
            "bus-factor",
            _l("Bus factor"),
            _l(
                "How many of our people would have to leave before half of what the account's "
                "key contacts weigh is known by nobody of ours: 1 means one departure is enough."
            ),
        ),
        Figure(
            "risk",
            "risk",
            _l("Risk"),
            _l(
                "High when the relationships rest on one person or a decision maker is known by "
                "one of ours or by nobody; medium when they rest on fewer than 2.5 people or a "
                "key contact is known by one; low otherwise."
            ),
        ),
        Figure(
            "tie_strength",
            "tie-strength",
            _l("Tie strength"),
            _l(
                "How well one of our people knows a contact: every contact of the last 180 days "
                "counts, a recent one fully, one 90 days old half."
            ),
        ),
        Figure(
            "pipeline_at_risk",
            "departure-simulation",
            _l("Open pipeline at risk"),
            _l(
                "Open deals where a person leaving is the account manager (AR), or whose account "
                "would lose the last of our ties to a decision maker. Deals where they are the "
                "solution or fulfilment manager (SR, FR) are listed apart and not counted."
            ),
        ),
        Figure(
            "left",
            "tie",
            _l("Left"),
            _l("Deactivated: this person has left, and their ties no longer count in any figure."),
        ),
    )
}


def names(model: Any, ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


def teams(user: User) -> list[Team]:
    query = sa.select(Team).where(scope.visible_teams(user)).order_by(Team.name)
    return list(db.session.scalars(query))


def people(user: User) -> list[User]:
    """Whom `user` may simulate or filter by: everyone for leadership, else the team."""
    query = sa.select(User).where(scope.not_admins(), scope.visible_people(user))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def labelled(users: list[User]) -> list[Person]:
    """These people as the pages name them (ties.people)."""
    return ties_people.of(users)


def _in_filters(filters: queries.ReportFilters) -> sa.Select[Any]:
    """The ids of the accounts the team and tier filters keep."""
    query = sa.select(Account.id).where(Account.deleted_at.is_(None))
    if filters.team_id:
        query = query.where(Account.team_id == filters.team_id)
    if filters.tier:
        query = query.where(Account.tier == filters.tier)
    return query


def _pipeline_by_ar(user: User, filters: queries.ReportFilters) -> dict[int, dict[str, Decimal]]:
    """Open pipeline per AR and currency on the accounts `user` sees that the team and tier
    filters keep (one aggregate query)."""
    rows = db.session.execute(
        sa.select(
            OpportunityRole.user_id,
            Opportunity.currency,
            sa.func.coalesce(sa.func.sum(Opportunity.amount), 0),
        )
        .join(Opportunity, Opportunity.id == OpportunityRole.opportunity_id)
        .where(
            OpportunityRole.role == TriangleRole.AR,
            Opportunity.status == Status.open,
            Opportunity.deleted_at.is_(None),
            Opportunity.account_id.in_(scope.visible_account_ids(user)),
            Opportunity.account_id.in_(_in_filters(filters)),
        )
        .group_by(OpportunityRole.user_id, Opportunity.currency)
    )
    pipeline: dict[int, dict[str, Decimal]] = {}
    for user_id, currency, amount in rows:
        pipeline.setdefault(user_id, {})[currency] = Decimal(amount)
    return pipeline


@dataclass(frozen=True)
class HolderRow:
    person: Person
    held: int  # accounts where they are the holder
    pipeline: dict[str, Decimal]  # open pipeline as AR, by currency


def _holders(
    user: User, filters: queries.ReportFilters, rows: list[queries.ReportRow]
) -> list[HolderRow]:
    """The people holding the most accounts (then the most pipeline in the company's currency),
    by person, never by name."""
    held: dict[int, int] = {}
    for row in rows:
        if row.metrics.holder_id is not None:
            held[row.metrics.holder_id] = held.get(row.metrics.holder_id, 0) + 1
    pipeline, currency = _pipeline_by_ar(user, filters), current_app.config["CURRENCY"]
    who = ties_people.named(set(held) | set(pipeline))
    main = {u: pipeline.get(u, {}).get(currency, Decimal(0)) for u in who}
    top = sorted(main, key=lambda u: (-held.get(u, 0), -main[u], who[u].label, u))
    return [HolderRow(who[u], held.get(u, 0), pipeline.get(u, {})) for u in top[:HOLDERS_SHOWN]]


@dataclass(frozen=True)
class Column:
    """A sortable column of the dashboard: the value sorted by, and which way shows the most
    worrying accounts first (its first click)."""

    key: Callable[[queries.ReportRow], Any]
    worst_first: str  # "asc" or "desc"


def _none_last(value: float | None) -> tuple[bool, float]:
    return (value is None, value or 0.0)


# Every column sorts both ways (the account's name breaks ties).
COLUMNS: dict[str, Column] = {
    "name": Column(lambda r: r.account.name.casefold(), "asc"),
    "team": Column(lambda r: r.team_name.casefold(), "asc"),
    "holder": Column(lambda r: r.holder.label.casefold() if r.holder else "\uffff", "asc"),
    "top_share": Column(lambda r: _none_last(r.metrics.top_share), "desc"),
    "effective_holders": Column(lambda r: _none_last(r.metrics.effective_holders), "asc"),
    "key_contacts": Column(lambda r: len(r.metrics.key_contacts), "desc"),
    "uncovered": Column(lambda r: len(r.metrics.uncovered_key_contacts), "desc"),
    "single_threaded": Column(lambda r: len(r.metrics.single_threaded_key_contacts), "desc"),
    "multi_threaded": Column(lambda r: _none_last(r.metrics.multi_threaded_coverage), "asc"),
    "bus_factor": Column(lambda r: r.metrics.bus_factor, "asc"),
    "risk": Column(lambda r: int(r.metrics.risk), "desc"),
}
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class Action:
    """The next thing to do about an account, as a link."""

    text: Any
    url: str


@dataclass
class Row:
    """One account of the dashboard's table, with its people named and its next action."""

    account: Any  # (id, name, team_id, tier)
    metrics: metrics.AccountMetrics
    team_name: str = ""
    holder: Person | None = None
    action: Action | None = None
    layers: key_layers.Layers | None = None  # the three relationship layers, shown rows only


def _action(row: Row) -> Action | None:
    """No relationships: a first contact; key contacts nobody or one person knows: a second
    person (the account's tie matrix plans the joint contact); resting on one person: what if
    they left."""
    m, account_id = row.metrics, row.account.id
    if m.holder_id is None:
        return Action(_l("Log a first contact"), url_for("interactions.new", account_id=account_id))
    if m.uncovered_key_contacts:
        return Action(
            _l("Cover the key contacts"),
            url_for("dependency.account", account_id=account_id, _anchor="tie-matrix"),
        )
    if m.single_threaded_key_contacts:
        return Action(
            _l("Add a second contact"),
            url_for("dependency.account", account_id=account_id, _anchor="tie-matrix"),
        )
    if m.effective_holders is not None and m.effective_holders < 2.5 and row.holder:
        return Action(
            _l("What if %(name)s left?", name=row.holder.label),
            url_for("dependency.departure", user_ids=m.holder_id),
        )
    return None


@dataclass(frozen=True)
class LeaverAccount:
    """An account whose holder has left, with no handover planned from them for it."""

    account: Any  # (id, name, team_id, tier)
    team_name: str
    holder: Person
    share: float
    plan_url: str


def _leavers(
    user: User, filters: queries.ReportFilters, team_names: dict[int, str], *, now: datetime
) -> list[LeaverAccount]:
    """Accounts the dashboard's filters keep whose holder — with the ties of those who left
    still counted, as before their departure — has been deactivated, and that no handover from
    them covers: set-wise, a few queries."""
    leavers = set(db.session.scalars(sa.select(User.id).where(User.active.is_(False))))
    if not leavers:
        return []
    ids = set(
        db.session.scalars(
            sa.select(Account.id).where(
                scope.visible_accounts(user),
                Account.id.in_(_in_filters(filters)),
                Account.id.in_(tied_accounts(leavers, now=now)),
            )
        )
    )
    handed = set(
        db.session.execute(
            sa.select(HandoverAccount.account_id, Handover.from_user_id)
            .join(Handover, Handover.id == HandoverAccount.handover_id)
            .where(Handover.from_user_id.in_(leavers), HandoverAccount.account_id.in_(ids))
        ).all()
    )
    held = []
    for account_id, inp in queries.account_inputs(ids, now=now, keep_gone=True).items():
        m = metrics.account_metrics(inp)
        if m.holder_id in leavers and (account_id, m.holder_id) not in handed:
            held.append(m)
    if not held:
        return []
    accounts = {
        row.id: row
        for row in db.session.execute(
            sa.select(Account.id, Account.name, Account.team_id, Account.tier).where(
                Account.id.in_({m.account_id for m in held})
            )
        )
    }
    who = ties_people.named({m.holder_id for m in held if m.holder_id})
    found = [
        LeaverAccount(
            accounts[m.account_id],
            team_names.get(accounts[m.account_id].team_id, ""),
            who[m.holder_id],  # type: ignore[index]
            m.top_share or 0.0,
            url_for("handovers.new", from_user_id=m.holder_id, account_ids=m.account_id),
        )
        for m in held
    ]
    found.sort(key=lambda a: (a.holder.label, -a.share, a.account.name, a.account.id))
    return found


def sort_links(sort: str, direction: str) -> dict[str, dict[str, str | None]]:
    """Per column: its aria-sort value (None when not the sort) and the direction its link asks
    for (the other way when it is the sort, else the most worrying first)."""
    links = {}
    for key, column in COLUMNS.items():
        if key == sort:
            other = "asc" if direction == "desc" else "desc"
            aria = "ascending" if direction == "asc" else "descending"
            links[key] = {"aria": aria, "next": other}
        else:
            links[key] = {"aria": None, "next": column.worst_first}
    return links


def dashboard(
    user: User,
    filters: queries.ReportFilters,
    *,
    sort: str | None,
    direction: str | None,
    page: int,
    now: datetime,
) -> dict[str, Any]:
    """The dashboard's page `page` of the report (the worst first, or by the column `sort` in
    `direction`), the accounts held by people who left, the holders, the trend and the charts;
    the team and tier filters apply to every table and chart."""
    found = queries.report(user, filters, now=now)
    visible_teams = teams(user)
    team_names = {t.id: t.name for t in visible_teams} | names(
        Team, {r.account.team_id for r in found}
    )
    who = ties_people.named({r.metrics.holder_id for r in found if r.metrics.holder_id})
    rows = [
        Row(
            r.account,
            r.metrics,
            team_names.get(r.account.team_id, ""),
            who.get(r.metrics.holder_id) if r.metrics.holder_id else None,
        )
        for r in found
    ]
    if sort in COLUMNS:
        direction = direction if direction in DIRECTIONS else COLUMNS[sort].worst_first
        rows.sort(key=lambda r: r.account.name.casefold())
        rows.sort(key=COLUMNS[sort].key, reverse=direction == "desc")
    else:
        sort, direction = None, None
    shown = rows[(page - 1) * PAGE : page * PAGE]
    shown_layers = key_layers.for_accounts({row.account.id for row in shown}, now=now)
    for row in shown:
        row.action = _action(row)
        row.layers = shown_layers.get(row.account.id)
    holders = _holders(user, filters, found)
    trend = snapshots.trend(
        user,
        since=(now - timedelta(days=TREND_DAYS)).date(),
        team_id=filters.team_id,
        tier=filters.tier,
    )
    currency = current_app.config["CURRENCY"]
    return {
        "rows": shown,
        "total": len(rows),
        "page": page,
        "more": len(rows) > page * PAGE,
        "sort": sort,
        "direction": direction,
        "sorts": sort_links(sort or "", direction or ""),
        "leavers": _leavers(user, filters, team_names, now=now),
        "teams": visible_teams,
        "team_names": team_names,
        "people": ties_people.of(people(user)),
        "holders": holders,
        "trend": trend,
        "figures": FIGURES,
        "charts": {
            "risk": charts.risk_by_team(found, team_names),
            "holders": charts.holders(holders, currency),
            "trend": charts.trend(trend, team_names) if trend else None,
        },
    }


def account(account: Account, *, now: datetime) -> dict[str, Any]:
    """One account's figures, its key contacts and who is tied to whom, strongest first."""
    result = metrics.account_metrics(queries.account_inputs({account.id}, now=now)[account.id])
    keys = sa.select(Contact).where(Contact.id.in_(result.key_contacts)).order_by(Contact.name)
    contacts = {c.id: c for c in db.session.scalars(keys)}
    ties = live_ties(account.id, now=now)
    tied = sorted({u for pairs in ties.values() for u, _s in pairs}, key=lambda u: (u.name, u.id))
    who = ties_people.named({u.id for u in tied} | set(result.shares))
    share_rows = sorted(result.shares.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "m": result,
        "holder": who.get(result.holder_id) if result.holder_id else None,
        "contacts": contacts,
        "people": [who[u.id] for u in tied],
        "strength": {(c, u.id): s for c, pairs in ties.items() for u, s in pairs},
        "share_rows": [(who[u], s) for u, s in share_rows],
        "ties": ties,
        "figures": FIGURES,
        "share_chart": charts.shares([(who[u].label, s) for u, s in share_rows]),
    }


@dataclass(frozen=True)
class Deal:
    id: int
    name: str
    amount: Decimal | None
    currency: str
    account_id: int
    role: str | None = None  # the leaving person's seat, for the deals not counted


def _deals(
    ids: Iterable[int],
    roles: dict[int, str] | None = None,
    *,
    page: int = 1,
    size: int | None = None,
) -> list[Deal]:
    """These deals, the largest first; `size`: one page of them (and one more, to tell whether
    another page follows)."""
    query = (
        sa.select(
            Opportunity.id,
            Opportunity.name,
            Opportunity.amount,
            Opportunity.currency,
            Opportunity.account_id,
        )
        .where(Opportunity.id.in_(set(ids)))
        .order_by(Opportunity.amount.desc().nulls_last(), Opportunity.id)
    )
    if size is not None:
        query = query.limit(size + 1).offset((page - 1) * size)
    rows = db.session.execute(query).all()
    return [Deal(*row, role=(roles or {}).get(row.id)) for row in rows]


def _deals_pages(leaving: list[User], at: str, page: int, more: bool) -> dict[str, str | None]:
    """The addresses of the deals' previous and next pages (the same people and moment)."""

    def address(number: int) -> str:
        args = {"user_ids": [p.id for p in leaving], "deals_page": number}
        return url_for("dependency.departure", **args, **({"at": at} if at else {}))

    return {
        "previous": address(page - 1) if page > 1 else None,
        "next": address(page + 1) if more else None,
    }


def departure(
    user: User, leaving: list[User], *, now: datetime, deals_page: int = 1, at: str = ""
) -> dict[str, Any]:
    """The simulation of `leaving` (people `user` may simulate) leaving, with the names and the
    deals it puts at risk (counted; a page of DEALS_PAGE of them, the largest first), the deals
    where they sit as SR or FR (not counted), the accounts whose risk rises and those they
    held."""
    result = queries.departure(user, {p.id for p in leaving}, now=now)
    contact_ids = {c for d in result.accounts for c in d.newly_uncovered_key_contacts}
    counted = set(result.opportunity_ids)
    others = {d: r for d, r in result.other_roles.items() if d not in counted}
    account_ids = {d.account_id for d in result.accounts}
    deals = _deals(counted, page=deals_page, size=DEALS_PAGE)
    other_deals = _deals(others, others)
    return {
        "result": result,
        "leaving": ties_people.of(leaving),
        "account_ids": [d.account_id for d in result.accounts],
        "rising": [d for d in result.accounts if d.risk_rises],
        "held": [d for d in result.accounts if d.holder_left],
        "accounts": names(Account, account_ids | {d.account_id for d in other_deals}),
        "contacts": names(Contact, contact_ids),
        "deals": deals[:DEALS_PAGE],
        "deals_pages": _deals_pages(leaving, at, deals_page, len(deals) > DEALS_PAGE),
        "other_deals": other_deals,
        "figures": FIGURES,
    }
