"""Teams and users: everyone reads them (names on records); admins create and change them."""

from typing import Literal

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import BodyId, PageQuery, Strict, provided, text
from salesflow.api.tokens import user_out
from salesflow.auth import services as auth_services
from salesflow.auth.login import check_credentials
from salesflow.auth.models import User
from salesflow.errors import NotFound, ValidationFailed
from salesflow.extensions import db
from salesflow.teams import services as team_services
from salesflow.teams.models import Team

RoleName = Literal["rep", "director", "leadership", "admin"]


class TeamIn(Strict):
    name: text(Team.name, required=True)
    director_id: BodyId | None = None


class TeamPatch(Strict):
    name: text(Team.name, required=True) | None = None
    director_id: BodyId | None = None


class TeamOut(BaseModel):
    id: int
    name: str
    director_id: int | None


class UserIn(Strict):
    name: text(User.name, required=True)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: RoleName = "rep"
    team_id: BodyId | None = None
    password: str = Field(min_length=1, max_length=200)
    active: bool = True


class ProfileIn(Strict):
    hometown: text(User.hometown) | None = None
    education: text(User.education) | None = None


class ProfileOut(BaseModel):
    hometown: str | None
    education: str | None


class UserPatch(Strict):
    name: text(User.name, required=True) | None = None
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: RoleName | None = None
    team_id: BodyId | None = None
    password: str | None = Field(None, min_length=1, max_length=200)
    current_password: str | None = Field(
        None, max_length=200, description="Required to change your own password."
    )
    active: bool | None = None
    locale: Literal["en", "zh"] | None = None
    profile: ProfileIn | None = Field(
        None, description="Your own hometown and schools, matched by the visit briefing."
    )


class UserOut(BaseModel):
    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    active: bool
    locale: str | None = None
    profile: ProfileOut | None = None


class TeamPage(BaseModel):
    items: list[TeamOut]
    next_cursor: str | None


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


def team_out(team: Team) -> dict:
    return {"id": team.id, "name": team.name, "director_id": team.director_id}


@bp.get("/teams")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="paging")
@bp.output(TeamPage)
@bp.doc(summary="Sales teams / regions, by id", responses={422: "Invalid limit or cursor"})
def list_teams(paging: PageQuery):
    return paginate(sa.select(Team), Team.id, team_out)


@bp.post("/teams")
@bp.auth_required(token_auth)
@bp.input(TeamIn, location="json", arg_name="data")
@bp.output(TeamOut, status_code=201)
@bp.doc(summary="Create a team (admin)", responses={403: "Admins only"})
def create_team(data: TeamIn):
    team = team_services.create_team(provided(data), actor=caller(), now=clock.now())
    return team_out(team), 201


@bp.patch("/teams/<int:team_id>")
@bp.auth_required(token_auth)
@bp.input(TeamPatch, location="json", arg_name="data")
@bp.output(TeamOut)
@bp.doc(summary="Rename a team or change its director (admin)", responses={403: "Admins only"})
def update_team(team_id: int, data: TeamPatch):
    team = db.session.get(Team, team_id) or _not_found()
    return team_out(
        team_services.update_team(team, provided(data), actor=caller(), now=clock.now())
    )


@bp.get("/users")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="paging")
@bp.output(UserPage)
@bp.doc(summary="Users, by id", responses={422: "Invalid limit or cursor"})
def list_users(paging: PageQuery):
    return paginate(sa.select(User), User.id, user_out)


@bp.post("/users")
@bp.auth_required(token_auth)
@bp.input(UserIn, location="json", arg_name="data")
@bp.output(UserOut, status_code=201)
@bp.doc(summary="Create a user (admin)", responses={403: "Admins only"})
def create_user(data: UserIn):
    user = auth_services.create_user(provided(data), actor=caller(), now=clock.now())
    return user_out(user), 201


@bp.get("/users/<int:user_id>")
@bp.auth_required(token_auth)
@bp.output(UserOut)
@bp.doc(summary="One user")
def get_user(user_id: int):
    return user_out(db.session.get(User, user_id) or _not_found())


@bp.patch("/users/<int:user_id>")
@bp.auth_required(token_auth)
@bp.input(UserPatch, location="json", arg_name="data")
@bp.output(UserOut)
@bp.doc(
    summary="Change a user; admins deactivate leavers (ends their sessions and tokens). A new "
    "password ends the user's sessions and revokes their tokens; your own needs "
    "`current_password`.",
    responses={
        403: "Admins change anyone; others only their own name, language, password, profile",
        429: "Too many wrong current passwords",
    },
)
def update_user(user_id: int, data: UserPatch):
    user = db.session.get(User, user_id) or _not_found()
    now = clock.now()
    changes = provided(data)
    current = changes.pop("current_password", None)
    if "profile" in changes:  # the profile's fields given, each as a change of the user
        changes.pop("profile")
        changes.update(provided(data.profile) if data.profile is not None else {})
    if changes.get("password") and user.id == caller().id:
        _prove_current_password(user, current, now=now)
    auth_services.update_user(user, changes, actor=caller(), now=now)
    return user_out(user)


def _prove_current_password(user: User, password: str | None, *, now) -> None:
    """A password change by its owner proves the old one (OWASP ASVS 2.1.6), throttled like a
    login: a stolen token alone cannot take the account over."""
    if not password:
        raise ValidationFailed(fields={"current_password": [_("Enter your current password.")]})
    wrong = ValidationFailed(fields={"current_password": [_("This is not your current password.")]})
    try:
        check_credentials(
            user.email, password, address=request.remote_addr or "", device_cookie=None, now=now
        )
    except auth_services.BadCredentials:
        raise wrong from None


def _not_found():
    raise NotFound()
