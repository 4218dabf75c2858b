"""One visibility rule and the action predicates, used by pages, API, reports and exports alike.

A rep sees the accounts of their own team plus accounts whose account team they are on; a director
sees their team's accounts; leadership and admin see all. Contacts, interactions and
opportunities are visible when their account is. Records outside the caller's scope answer 404
(API.md, Conventions).
Soft-deleted records are visible only to those who may restore them (directors and admins).
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from salesflow.accounts.models import Account, AccountMember, TeamRole
from salesflow.auth.models import Role, User
from salesflow.contacts.models import Contact
from salesflow.errors import NotFound
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from salesflow.interactions.models import Interaction
from salesflow.opportunities.models import Opportunity, OpportunityRole
from salesflow.teams.models import Team

_SEES_ALL = {Role.leadership, Role.admin}
_RESTORERS = {Role.director, Role.admin}
_DIRECTS = {Role.director, Role.admin}  # who may be named a team's director


def visible_accounts(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Account: the accounts `user` may see, deleted ones excluded."""
    if user.role in _SEES_ALL:
        rule: sa.ColumnElement[bool] = sa.true()
    elif user.role == Role.director:
        rule = Account.team_id == user.team_id
    else:
        on_team = sa.select(AccountMember.account_id).where(AccountMember.user_id == user.id)
        rule = sa.or_(Account.team_id == user.team_id, Account.id.in_(on_team))
    return sa.and_(rule, Account.deleted_at.is_(None))


def visible_account_ids(user: User, *, include_deleted: bool = False) -> sa.Select[Any]:
    """The ids of the accounts `user` may see, as a subquery for contacts and interactions."""
    rule = visible_accounts(user)
    if include_deleted and user.role in _RESTORERS:
        rule = _restorable_accounts(user)
    return sa.select(Account.id).where(rule)


def _restorable_accounts(user: User) -> sa.ColumnElement[bool]:
    if user.role == Role.admin:
        return sa.true()
    return Account.team_id == user.team_id


def get_account(user: User, account_id: int, *, include_deleted: bool = False) -> Account:
    """The account if `user` may see it, else NotFound; restorers also see deleted ones."""
    rule = visible_accounts(user)
    if include_deleted and user.role in _RESTORERS:
        rule = _restorable_accounts(user)
    account = db.session.scalar(sa.select(Account).where(Account.id == account_id, rule))
    if account is None:
        raise NotFound()
    return account


def get_contact(user: User, contact_id: int, *, include_deleted: bool = False) -> Contact:
    query = sa.select(Contact).where(
        Contact.id == contact_id,
        Contact.account_id.in_(visible_account_ids(user, include_deleted=include_deleted)),
    )
    if not (include_deleted and user.role in _RESTORERS):
        query = query.where(Contact.deleted_at.is_(None))
    contact = db.session.scalar(query)
    if contact is None:
        raise NotFound()
    return contact


def get_interaction(
    user: User, interaction_id: int, *, include_deleted: bool = False
) -> Interaction:
    query = sa.select(Interaction).where(
        Interaction.id == interaction_id,
        Interaction.account_id.in_(visible_account_ids(user, include_deleted=include_deleted)),
    )
    if not (include_deleted and user.role in _RESTORERS):
        query = query.where(Interaction.deleted_at.is_(None))
    interaction = db.session.scalar(query)
    if interaction is None:
        raise NotFound()
    return interaction


def get_opportunity(
    user: User, opportunity_id: int, *, include_deleted: bool = False
) -> Opportunity:
    """The opportunity if its account is visible to `user`, else NotFound."""
    query = sa.select(Opportunity).where(
        Opportunity.id == opportunity_id,
        Opportunity.account_id.in_(visible_account_ids(user, include_deleted=include_deleted)),
    )
    if not (include_deleted and user.role in _RESTORERS):
        query = query.where(Opportunity.deleted_at.is_(None))
    opportunity = db.session.scalar(query)
    if opportunity is None:
        raise NotFound()
    return opportunity


def visible_opportunities(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Opportunity: those `user` may see, deleted ones excluded."""
    return sa.and_(
        Opportunity.account_id.in_(visible_account_ids(user)), Opportunity.deleted_at.is_(None)
    )


def can_work_opportunity(user: User, opportunity: Opportunity) -> bool:
    """Whoever sees a deal's account works the deal (fields, checklist, moves); its iron
    triangle is reseated only by those can_set_roles allows."""
    return not opportunity.is_deleted and can_edit_account(user, opportunity.account)


def can_decide(user: User, opportunity: Opportunity) -> bool:
    """Overrides of unmet gates, approvals and reopening are a director's decisions (PLAYBOOKS.md):
    the director of the account's team, or an admin."""
    if user.role == Role.admin:
        return True
    return user.role == Role.director and opportunity.account.team_id == user.team_id


def can_see_team(user: User, team_id: int | None) -> bool:
    return user.role in _SEES_ALL or (team_id is not None and team_id == user.team_id)


def can_create_account(user: User, team_id: int | None) -> bool:
    """Reps and directors create accounts in their own team; leadership and admins anywhere."""
    return can_see_team(user, team_id)


def can_see_account(user: User, account: Account) -> bool:
    """visible_accounts for one loaded account, in Python."""
    if account.is_deleted:
        return False
    if user.role in _SEES_ALL or account.team_id == user.team_id:
        return True
    return user.role != Role.director and any(m.user_id == user.id for m in account.members)


def can_edit_account(user: User, account: Account) -> bool:
    """Whoever sees an account may keep it up to date (update_account asks this); moving it to
    another team needs the right to create accounts there."""
    return can_see_account(user, account)


def _leads_team_of(user: User, account: Account) -> bool:
    """Leadership and admins lead every team; a director leads their own team's accounts."""
    if user.role in _SEES_ALL:
        return True
    return user.role == Role.director and account.team_id == user.team_id


def _is_ar(user: User, seats: Iterable[AccountMember] | Iterable[OpportunityRole]) -> bool:
    """`user` holds the AR seat (the same value in TeamRole and TriangleRole)."""
    return any(seat.user_id == user.id and seat.role == TeamRole.AR for seat in seats)


def can_set_account_team(user: User, account: Account) -> bool:
    """An account team is changed by the people responsible for the account: the director of
    the account's team, leadership, admins, and the account's current AR. Others on the team
    (SR, FR, sponsor, member — perhaps of another team) may not replace its people."""
    if account.is_deleted:
        return False
    return _leads_team_of(user, account) or _is_ar(user, account.members)


def can_set_roles(user: User, opportunity: Opportunity) -> bool:
    """A deal's iron triangle is staffed by those who lead the deal or its account: the
    director of the account's team, leadership, admins, the deal's current AR, and the
    account's current AR (who answers for every deal on the account). The deal's SR and FR, and
    others who merely see the account, may not reseat it."""
    if opportunity.is_deleted:
        return False
    account = opportunity.account
    return (
        _leads_team_of(user, account)
        or _is_ar(user, opportunity.roles)
        or _is_ar(user, account.members)
    )


def can_edit_contact(user: User, contact: Contact) -> bool:
    """Whoever may keep the account up to date keeps its contacts up to date, and so does the
    successor of a handover of the account (who confirms its key contacts before the roles are
    theirs); a deleted contact is restored before it is changed."""
    if contact.is_deleted:
        return False
    return can_edit_account(user, contact.account) or _takes_over(user, contact.account_id)


def _takes_over(user: User, account_id: int) -> bool:
    handed_over = sa.select(HandoverAccount.handover_id).where(
        HandoverAccount.account_id == account_id
    )
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(Handover.id.in_(handed_over), Handover.to_user_id == user.id)
            )
        )
    )


def can_delete(user: User, account: Account) -> bool:
    """Reps never delete; directors delete and restore within their team, admins anywhere."""
    if user.role == Role.admin:
        return True
    return user.role == Role.director and account.team_id == user.team_id


def can_merge(user: User, account: Account) -> bool:
    """Duplicates are merged (and merges undone) by the director of the records' team and by
    admins: for an account, its own team; for a contact, its account's. Reps and leadership
    never; a director never brings another team's record into theirs."""
    if user.role == Role.admin:
        return True
    return user.role == Role.director and account.team_id == user.team_id


def can_find_duplicates(user: User) -> bool:
    """The duplicates pages and the list of merges: directors (their team) and admins."""
    return user.role in {Role.director, Role.admin}


def can_edit_interaction(user: User, interaction: Interaction) -> bool:
    """The person who logged it, its participants, or a director/admin in scope."""
    if interaction.is_deleted:
        return False
    if user.role in _RESTORERS:
        return True
    return interaction.owner_id == user.id or any(p.id == user.id for p in interaction.participants)


def can_review_pipeline(user: User) -> bool:
    """The pipeline review is a director's (their team) and leadership's (every team)."""
    return user.role in _SEES_ALL or user.role == Role.director


def can_see_review_list(user: User, figure: str, person_id: int | None) -> bool:
    """The deals behind a number of the review are the reviewers'; the deals over their stage's
    limit, and those past their expected close date, that a person holds are also that person's
    to list (the links of the breach and close-date notifications)."""
    return can_review_pipeline(user) or (figure in {"late", "overdue"} and person_id == user.id)


def can_review_tiers(user: User) -> bool:
    """The yearly tier review (suggested against actual tiers) is a director's (their team) and
    leadership's and admins' (every team)."""
    return user.role in _SEES_ALL or user.role == Role.director


def can_decide_tier(user: User, account: Account) -> bool:
    """Confirming or keeping an account's tier is the decision of the director of its team, or
    an admin's (issue 17: "the director confirms or keeps the tier")."""
    if account.is_deleted:
        return False
    if user.role == Role.admin:
        return True
    return user.role == Role.director and account.team_id == user.team_id


def can_set_budget(user: User, account: Account) -> bool:
    """An account's yearly relationship budget is set by the director of its team, leadership
    and admins; whoever sees the account sees its budget and spend (the budget informs)."""
    return not account.is_deleted and _leads_team_of(user, account)


def can_see_spend(user: User) -> bool:
    """Budget against spend per team and per AR is a director's view (their team) and
    leadership's and admins' (every team); a rep reads it on each account's page."""
    return user.role in _SEES_ALL or user.role == Role.director


def can_see_dependency(user: User) -> bool:
    """Rep dependency is leadership's view (all accounts) and a director's (their team's)."""
    return user.role in _SEES_ALL or user.role == Role.director


def can_manage_users(user: User) -> bool:
    """Admins create and change users and teams, and turn off anyone's calendar address."""
    return user.role == Role.admin


def is_admin_role(role: Role | str | None) -> bool:
    """Whether `role` (a user's, or one asked for in a form) is the admin role."""
    return role == Role.admin


def can_restore(user: User) -> bool:
    """Directors and admins restore deleted records (and so may list and open them)."""
    return user.role in _RESTORERS


def can_direct_team(user: User) -> bool:
    """Who may be named a team's director: directors and admins."""
    return user.role in _DIRECTS


def team_directors() -> sa.ColumnElement[bool]:
    """A WHERE clause on User: can_direct_team in SQL."""
    return User.role.in_(sorted(_DIRECTS))


def visible_teams(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Team: every team for leadership and admins, else the user's own (the
    teams a page's filters offer)."""
    return sa.true() if user.role in _SEES_ALL else Team.id == user.team_id


def visible_people(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: everyone for leadership and admins, else the user's own team
    (the people a page's filters and the departure simulation offer)."""
    return sa.true() if user.role in _SEES_ALL else User.team_id == user.team_id


def not_admins() -> sa.ColumnElement[bool]:
    """A WHERE clause on User: the people who sell (admins run the system, they hold no
    accounts to simulate leaving)."""
    return User.role != Role.admin


def handover_people(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: whom `user` may hand over from or to — everyone for leadership
    and admins, a director's own team, nobody for a rep."""
    if user.role in _SEES_ALL:
        return sa.true()
    if user.role == Role.director:
        return User.team_id == user.team_id
    return sa.false()


def imports_only_self(user: User) -> bool:
    """A rep imports only their own relationships and history; ties and history of other
    people are their director's to import."""
    return user.role == Role.rep


def can_plan_handovers(user: User) -> bool:
    """Handovers are planned by leadership and admins (anyone), and by directors (their team)."""
    return user.role in _SEES_ALL or user.role == Role.director


_IMPORTERS = {Role.rep, Role.director, Role.admin}


def can_import(user: User, kind: str | None = None) -> bool:
    """Imports: admins for any team, directors for their team, reps for their own team's
    accounts and contacts and interactions they took part in (the data a rep keeps anyway; a
    rep's sheet of customers is exactly what must move into salesflow). Deals are not a rep's to
    import: they enter at a later stage without salesflow checking the earlier gates, which is a
    director's decision like an override. Leadership reads the data, it does not load it. Without
    `kind`: whether the user may import anything (the menu)."""
    if user.role not in _IMPORTERS or (user.role != Role.admin and user.team_id is None):
        return False
    return not (user.role == Role.rep and kind == "opportunities")


def importable_accounts(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Account: the accounts an import by `user` may write to — any for an
    admin, their own team's for a director or rep (a rep on another team's account team sees
    that account but cannot import into it)."""
    if user.role == Role.admin:
        return visible_accounts(user)
    return sa.and_(visible_accounts(user), Account.team_id == user.team_id)


def can_import_into(user: User, account: Account, kind: str = "contacts") -> bool:
    """Whether an import by `user` may write `kind` rows to this account it sees (the record
    form of importable_accounts: vCards "into this account" from its page)."""
    if not can_import(user, kind) or account.is_deleted:
        return False
    return user.role == Role.admin or account.team_id == user.team_id


def can_undo_import(user: User, importer: User) -> bool:
    """Undoing an import deletes what it created, and only directors and admins delete: the
    importer's director (their team's imports, their own) or an admin. Each record is then
    deleted or restored only where can_delete allows."""
    if user.role == Role.admin:
        return True
    return (
        user.role == Role.director
        and user.team_id is not None
        and (importer.id == user.id or importer.team_id == user.team_id)
    )


def visible_imports(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Import: your own imports; a director's team's; all for an admin."""
    from salesflow.imports.models import Import

    if user.role == Role.admin:
        return sa.true()
    rule = Import.created_by_id == user.id
    if user.role == Role.director and user.team_id is not None:
        team = sa.select(User.id).where(User.team_id == user.team_id)
        rule = sa.or_(rule, Import.created_by_id.in_(team))
    return rule


def can_plan_handover(user: User, people: Iterable[User], accounts: Iterable[Account]) -> bool:
    """Leadership and admins hand over anyone's accounts; a director only between people of
    their own team and only the team's accounts; reps never."""
    if user.role in _SEES_ALL:
        return True
    if user.role != Role.director or user.team_id is None:
        return False
    return all(p.team_id == user.team_id for p in people) and all(
        a.team_id == user.team_id for a in accounts
    )


def can_manage_handover(user: User, handover: Handover) -> bool:
    """Transferring a handover's roles is for whoever could have planned it."""
    people = (handover.from_user, handover.to_user)
    return can_plan_handover(user, people, [a.account for a in handover.accounts])


def sees_handovers(user: User) -> bool:
    """The menu's Handovers: whoever plans them, and anyone a handover not yet complete hands
    accounts to or from (one small query)."""
    if can_plan_handovers(user):
        return True
    mine = sa.select(Handover.id).where(
        sa.or_(Handover.to_user_id == user.id, Handover.from_user_id == user.id),
        Handover.completed_at.is_(None),
    )
    return db.session.scalar(mine.limit(1)) is not None


def can_plan_joint_contact(user: User, handover: Handover) -> bool:
    """A handover's joint contact is planned by the two people in it or by whoever manages it."""
    in_it = user.id in (handover.from_user_id, handover.to_user_id)
    return in_it or can_manage_handover(user, handover)


def visible_handovers(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Handover: leadership and admins see every handover; anyone sees those
    they plan, give or receive; a director also those touching their team's people or accounts."""
    if user.role in _SEES_ALL:
        return sa.true()
    rule = sa.or_(
        Handover.from_user_id == user.id,
        Handover.to_user_id == user.id,
        Handover.created_by_id == user.id,
    )
    if user.role == Role.director and user.team_id is not None:
        team = sa.select(User.id).where(User.team_id == user.team_id)
        accounts = (
            sa.select(HandoverAccount.handover_id)
            .join(Account, Account.id == HandoverAccount.account_id)
            .where(Account.team_id == user.team_id)
        )
        rule = sa.or_(
            rule,
            Handover.from_user_id.in_(team),
            Handover.to_user_id.in_(team),
            Handover.id.in_(accounts),
        )
    return rule


def get_handover(user: User, handover_id: int) -> Handover:
    """The handover if `user` may see it, else NotFound."""
    handover = db.session.scalar(
        sa.select(Handover).where(Handover.id == handover_id, visible_handovers(user))
    )
    if handover is None:
        raise NotFound()
    return handover


def decided_accounts(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Account: can_decide in SQL — every account for an admin, the team's
    accounts for its director, none for anyone else (the decisions waiting for `user`)."""
    if user.role == Role.admin:
        return sa.true()
    if user.role == Role.director:
        return Account.team_id == user.team_id
    return sa.false()


def deciders(account: Account) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: who is asked when a decision on a deal of `account` is requested —
    the active directors of the account's team (can_decide; admins may decide but are not
    asked: they run the system, they do not lead a team)."""
    return sa.and_(
        User.role == Role.director, User.team_id == account.team_id, User.active.is_(True)
    )


def sees_account(account: Account) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: who may see `account` (can_see_account in SQL, for the people a
    seat picker offers), admins left out — they hold no seats."""
    on_team = sa.select(AccountMember.user_id).where(AccountMember.account_id == account.id)
    return sa.and_(
        User.role != Role.admin,
        sa.or_(
            User.role.in_(sorted(_SEES_ALL)),
            User.team_id == account.team_id,
            sa.and_(User.role != Role.director, User.id.in_(on_team)),
        ),
    )


def visible_requests(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on InternalRequest: the requests between our people `user` may see — those
    they asked or were asked, those of the people of their team for a director, every one for
    leadership and admins (issue 16, Rules)."""
    from salesflow.requests.models import InternalRequest

    if user.role in _SEES_ALL:
        return sa.true()
    rule = sa.or_(InternalRequest.requester_id == user.id, InternalRequest.assignee_id == user.id)
    if user.role == Role.director and user.team_id is not None:
        team = sa.select(User.id).where(User.team_id == user.team_id)
        rule = sa.or_(
            rule, InternalRequest.requester_id.in_(team), InternalRequest.assignee_id.in_(team)
        )
    return rule


def request_directors(team_id: int | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: who is asked for a decision of a team — the team's named director
    first (Team.director_id), else its active directors (the caller takes the first)."""
    named = sa.select(Team.director_id).where(Team.id == team_id)
    return sa.and_(
        User.active.is_(True),
        sa.or_(User.id.in_(named), sa.and_(User.role == Role.director, User.team_id == team_id)),
    )


def escalated_to() -> sa.ColumnElement[bool]:
    """A WHERE clause on User: whom decisions waiting too long for their director are escalated
    to — active leadership (issue 16, Jobs)."""
    return sa.and_(User.role == Role.leadership, User.active.is_(True))
