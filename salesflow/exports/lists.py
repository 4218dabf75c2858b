"""A column spec per exported list. Each starts from the page's (or the API list's) own scoped,
filtered query, selects only the columns its rows show with the names joined in SQL (no ORM
object per row), and turns a batch of rows into cells in the reader's language: labels rather
than stored values, names rather than ids (each list's own id is a column of its own)."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql

from salesflow import scope
from salesflow.accounts import queries as account_queries
from salesflow.accounts.forms import FIELD_LABELS as ACCOUNT_LABELS
from salesflow.accounts.models import Account, AccountMember, TeamRole, Tier
from salesflow.auth.models import User
from salesflow.contacts import queries as contact_queries
from salesflow.contacts.forms import FIELD_LABELS as CONTACT_LABELS
from salesflow.contacts.models import (
    EDITABLE_FIELDS,
    Attitude,
    Contact,
    DecisionRole,
    Influence,
    Level,
)
from salesflow.exports.files import Column, Listing
from salesflow.extensions import db
from salesflow.interactions import queries as interaction_queries
from salesflow.interactions.forms import FIELD_LABELS as INTERACTION_LABELS
from salesflow.interactions.models import (
    Interaction,
    Kind,
    interaction_attendees,
    interaction_participants,
)
from salesflow.labels import label
from salesflow.opportunities import queries as opportunity_queries
from salesflow.opportunities import rules
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status
from salesflow.pipeline.figures import versions
from salesflow.playbooks import registry
from salesflow.playbooks.schema import text
from salesflow.teams.models import Team

ID = Column(_l("Id"), 8)
UPDATED = Column(_l("Last updated"), 17)


def _labels(enum: Any) -> dict[str, str]:
    """Each value of a vocabulary enum with its label in the reader's language (computed once
    per export, not once per cell)."""
    return {member.value: str(label(member.value)) for member in enum}


def _plain(column: Any) -> Any:
    """A vocabulary column read as its stored text: a dictionary key as it is, not an enum
    member made for every row (whose hash is Python code)."""
    return sa.type_coerce(column, sa.String).label(column.key)


def _names(rows: Any) -> dict[Any, str]:
    """(key, name) rows, in order, as {key: "name, name"}."""
    grouped: dict[Any, list[str]] = defaultdict(list)
    for key, name in rows:
        grouped[key].append(name)
    return {key: ", ".join(names) for key, names in grouped.items()}


SIDE_IDS = 1000  # ids per query for a batch's related rows: past a few thousand SQLite's plan
# turns to scanning the other table (measured: 5,000 accounts' teams 460 ms, 5 × 1,000 60 ms)


def _related(query: sa.Select[Any], column: Any, ids: Sequence[int]) -> Iterator[sa.Row[Any]]:
    """`query` restricted to `column` in `ids`: on PostgreSQL one array parameter (a thousand
    bind parameters cost psycopg more than the query: 20 ms against 5), on SQLite SIDE_IDS ids
    at a time."""
    connection = db.session.connection()  # Core rows: plain columns, no ORM result machinery
    if connection.dialect.name == "postgresql":
        wanted = sa.bindparam("ids", list(ids), type_=postgresql.ARRAY(sa.Integer))
        yield from connection.execute(query.where(column == sa.any_(wanted))).all()
        return
    for start in range(0, len(ids), SIDE_IDS):
        yield from connection.execute(query.where(column.in_(ids[start : start + SIDE_IDS]))).all()


# Accounts ------------------------------------------------------------------------------------

ACCOUNT_ROLES = tuple(role.value for role in TeamRole)


def accounts(
    user: User, filters: account_queries.AccountFilters, *, sort: str, descending: bool
) -> Listing:
    """/accounts under its filters and sort; the account team by role; the parent account's
    name only where the reader may see the parent (as on the account page)."""
    parent = so.aliased(Account)
    parent_name = sa.case((parent.id.in_(scope.visible_account_ids(user)), parent.name))
    query = (
        account_queries.list_query(user, filters)
        .with_only_columns(
            Account.id,
            Account.name,
            _plain(Account.tier),
            Account.industry,
            Account.region,
            Team.name.label("team"),
            parent_name.label("parent"),
            Account.website,
            Account.address,
            Account.notes,
            Account.updated_at,
            Account.deleted_at,
        )
        .join_from(Account, Team, Team.id == Account.team_id)
        .outerjoin(parent, parent.id == Account.parent_id)
    )
    columns = [
        ID,
        Column(ACCOUNT_LABELS["name"], 30),
        Column(ACCOUNT_LABELS["tier"], 14),
        Column(ACCOUNT_LABELS["industry"]),
        Column(ACCOUNT_LABELS["region"]),
        Column(ACCOUNT_LABELS["team_id"]),
        Column(ACCOUNT_LABELS["parent_id"], 24),
        *(Column(label(role), 20) for role in ACCOUNT_ROLES),
        Column(ACCOUNT_LABELS["website"], 24),
        Column(ACCOUNT_LABELS["address"], 30),
        Column(ACCOUNT_LABELS["notes"], 40),
        UPDATED,
    ]
    if filters.deleted:
        columns.append(Column(ACCOUNT_LABELS["deleted_at"], 17))
    tiers = _labels(Tier)

    members = (
        sa.select(AccountMember.account_id, _plain(AccountMember.role), User.name)
        .join(User, User.id == AccountMember.user_id)
        .order_by(User.name, User.id)
    )

    def cells(rows: Sequence[sa.Row[Any]]) -> list[list[Any]]:
        teams: dict[int, dict[str, list[str]]] = defaultdict(dict)
        for account_id, role, name in _related(
            members, AccountMember.account_id, [r.id for r in rows]
        ):
            teams[account_id].setdefault(role, []).append(name)
        out = []
        for r in rows:
            team = teams.get(r.id) or {}
            out.append(
                [
                    r.id,
                    r.name,
                    tiers[r.tier],
                    r.industry,
                    r.region,
                    r.team,
                    r.parent,
                    *[", ".join(team[role]) if role in team else None for role in ACCOUNT_ROLES],
                    r.website,
                    r.address,
                    r.notes,
                    r.updated_at,
                    *([r.deleted_at] if filters.deleted else []),
                ]
            )
        return out

    return Listing(
        "accounts",
        _l("Accounts"),
        columns,
        query,
        cells,
        Account.id,
        sort=account_queries.SORTS[sort],
        descending=descending,
    )


# Contacts ------------------------------------------------------------------------------------


def contacts(user: User, *, account_id: int | None, q: str | None) -> Listing:
    """The contacts the reader may see (GET /api/v1/contacts: one account's, or matching `q`
    in name, title, department or e-mail), by id; NotFound for an account outside the scope."""
    boss = so.aliased(Contact)
    query = (
        contact_queries.list_query(user, account_id=account_id, q=q)
        .with_only_columns(
            Contact.id,
            Account.name.label("account"),
            Contact.name,
            Contact.title,
            Contact.department,
            _plain(Contact.level),
            boss.name.label("reports_to"),
            _plain(Contact.decision_role),
            _plain(Contact.influence),
            _plain(Contact.attitude),
            Contact.email,
            Contact.phone,
            Contact.background,
            Contact.education,
            Contact.hometown,
            Contact.interests,
            Contact.preferences,
            Contact.notes,
            Contact.left_on,
            Contact.updated_at,
        )
        .join_from(Contact, Account, Account.id == Contact.account_id)
        .outerjoin(boss, boss.id == Contact.reports_to_id)
    )
    names = EDITABLE_FIELDS
    wide = {
        "name": 20,
        "title": 20,
        "email": 26,
        "background": 40,
        "interests": 30,
        "preferences": 30,
        "notes": 40,
    }
    columns = [
        ID,
        Column(_l("Account"), 30),
        *(Column(CONTACT_LABELS[n], wide.get(n, 16)) for n in names),
        UPDATED,
    ]
    levels, roles = _labels(Level), _labels(DecisionRole)
    influences, attitudes = _labels(Influence), _labels(Attitude)

    def cells(rows: Sequence[sa.Row[Any]]) -> list[list[Any]]:
        return [
            [
                r.id,
                r.account,
                r.name,
                r.title,
                r.department,
                levels.get(r.level),
                r.reports_to,
                roles[r.decision_role],
                influences[r.influence],
                attitudes[r.attitude],
                r.email,
                r.phone,
                r.background,
                r.education,
                r.hometown,
                r.interests,
                r.preferences,
                r.notes,
                r.left_on,
                r.updated_at,
            ]
            for r in rows
        ]

    return Listing("contacts", _l("Contacts"), columns, query, cells, Contact.id)


# Contact history -----------------------------------------------------------------------------


def interactions(
    user: User,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    mine: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Listing:
    """The contact history the reader may see (GET /api/v1/interactions and its filters), by id,
    with our people and theirs by name."""
    deal, owner = so.aliased(Opportunity), so.aliased(User)
    query = (
        interaction_queries.list_query(
            user,
            account_id=account_id,
            contact_id=contact_id,
            mine=mine,
            since=since,
            until=until,
        )
        .with_only_columns(
            Interaction.id,
            Account.name.label("account"),
            Interaction.occurred_at,
            _plain(Interaction.kind),
            Interaction.summary,
            Interaction.outcome,
            deal.name.label("opportunity"),
            Interaction.next_step,
            Interaction.next_step_due,
            Interaction.next_step_done_at,
            Interaction.cost,
            owner.name.label("owner"),
        )
        .join_from(Interaction, Account, Account.id == Interaction.account_id)
        .join(owner, owner.id == Interaction.owner_id)
        .outerjoin(deal, deal.id == Interaction.opportunity_id)
    )
    labels = INTERACTION_LABELS
    columns = [
        ID,
        Column(_l("Account"), 30),
        Column(labels["occurred_at"], 17),
        Column(labels["kind"], 14),
        Column(labels["participant_ids"], 24),
        Column(labels["contact_ids"], 24),
        Column(labels["summary"], 50),
        Column(labels["outcome"], 30),
        Column(labels["opportunity_id"], 24),
        Column(labels["next_step"], 30),
        Column(labels["next_step_due"], 12),
        Column(labels["next_step_done_at"], 17),
        Column(_("Cost (%(currency)s)", currency=current_app.config["CURRENCY"]), 12),
        Column(_l("Logged by"), 18),
    ]
    kinds = _labels(Kind)

    def cells(rows: Sequence[sa.Row[Any]]) -> list[list[Any]]:
        ids = [r.id for r in rows]
        ours = _names(
            _related(
                sa.select(interaction_participants.c.interaction_id, User.name)
                .join(User, User.id == interaction_participants.c.user_id)
                .order_by(User.name, User.id),
                interaction_participants.c.interaction_id,
                ids,
            )
        )
        theirs = _names(
            _related(
                sa.select(interaction_attendees.c.interaction_id, Contact.name)
                .join(Contact, Contact.id == interaction_attendees.c.contact_id)
                .order_by(Contact.name, Contact.id),
                interaction_attendees.c.interaction_id,
                ids,
            )
        )
        return [
            [
                r.id,
                r.account,
                r.occurred_at,
                kinds[r.kind],
                ours.get(r.id),
                theirs.get(r.id),
                r.summary,
                r.outcome,
                r.opportunity,
                r.next_step,
                r.next_step_due,
                r.next_step_done_at,
                r.cost,
                r.owner,
            ]
            for r in rows
        ]

    return Listing("contact-history", _l("Contact history"), columns, query, cells, Interaction.id)


# Opportunities -------------------------------------------------------------------------------


def opportunities(
    query: sa.Select[Any],
    *,
    sort: str,
    descending: bool,
    now: datetime,
    name: str = "opportunities",
) -> Listing:
    """/opportunities, or a drill-down of the pipeline review (`query` is its scoped, filtered
    query of Opportunity): the page's order; the iron triangle by name (a query per batch: joined
    into the rows' query, PostgreSQL's planner hashed every seat of the company); stage names,
    probabilities and time limits from the deal's own playbook version."""
    query = query.with_only_columns(
        Opportunity.id,
        Account.name.label("account"),
        Opportunity.name,
        Opportunity.playbook_version_id,
        Opportunity.stage_key,
        _plain(Opportunity.status),
        Opportunity.amount,
        Opportunity.currency,
        Opportunity.expected_close,
        Opportunity.stage_entered_at,
        Opportunity.competitors,
        Opportunity.loss_reason,
        Opportunity.close_reason,
    ).join_from(Opportunity, Account, Account.id == Opportunity.account_id)
    seated = sa.select(
        OpportunityRole.opportunity_id, _plain(OpportunityRole.role), User.name
    ).join(User, User.id == OpportunityRole.user_id)
    columns = [
        ID,
        Column(_l("Account"), 30),
        Column(_l("Name"), 30),
        Column(_l("Playbook"), 20),
        Column(_l("Stage"), 20),
        Column(_l("Status"), 10),
        Column(_l("Amount"), 14),
        Column(_l("Currency"), 8),
        Column(_l("Weighted amount"), 14),
        Column(_l("Expected close"), 12),
        Column(_l("Days in stage"), 8),
        Column(_l("SLA days"), 8),
        Column("AR", 18),
        Column("SR", 18),
        Column("FR", 18),
        Column(_l("Competitors"), 24),
        Column(_l("Loss reason"), 20),
        Column(_l("Reason"), 30),
    ]
    stages = _stages()
    locale = get_locale()
    loss_names = {key: text(name, locale) for key, name in registry.loss_reason_names().items()}
    statuses = _labels(Status)

    def cells(rows: Sequence[sa.Row[Any]]) -> list[list[Any]]:
        seats: dict[int, dict[str, str]] = defaultdict(dict)
        for opportunity_id, role, name in _related(
            seated, OpportunityRole.opportunity_id, [r.id for r in rows]
        ):
            seats[opportunity_id][role] = name  # one person per seat
        empty: dict[str, str] = {}
        weighted, days = rules.weighted_amount, rules.days_in_stage
        out = []
        # Unpacked rather than read by name: ten thousand rows, a dozen columns each.
        for (
            id_,
            account,
            name,
            version_id,
            stage_key,
            status,
            amount,
            currency,
            close,
            entered_at,
            competitors,
            loss,
            reason,
            *_sort,
        ) in rows:
            playbook, stage, probability, sla_days = stages[version_id, stage_key]
            seat = seats.get(id_, empty)
            out.append(
                [
                    id_,
                    account,
                    name,
                    playbook,
                    stage,
                    statuses[status],
                    amount,
                    currency,
                    weighted(amount, probability),
                    close,
                    days(entered_at, now) if status == OPEN else None,
                    sla_days,
                    seat.get("AR"),
                    seat.get("SR"),
                    seat.get("FR"),
                    competitors,
                    loss_names.get(loss, loss) if loss else None,
                    reason,
                ]
            )
        return out

    return Listing(
        name,
        _l("Opportunities"),
        columns,
        query,
        cells,
        Opportunity.id,
        sort=opportunity_queries.SORTS[sort],
        descending=descending,
    )


OPEN = Status.open.value


def _stages() -> dict[tuple[int, str], tuple[str, str, Any, int]]:
    """(version id, stage key) → the playbook's and the stage's names in the reader's language,
    the stage's probability and time limit: every stored version, read once per export."""
    locale = get_locale()
    return {
        (version_id, stage.key): (
            text(playbook.name, locale),
            text(stage.name, locale),
            stage.probability,
            stage.sla_days,
        )
        for version_id, playbook in versions().items()
        for stage in playbook.stages
    }
