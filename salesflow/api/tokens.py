"""POST /tokens (log in), the caller's own tokens (list, revoke, log out) and GET /me."""

from datetime import datetime

from flask import request
from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import bp, caller, paginate, token_auth
from salesflow.api.schemas import PageQuery, Strict
from salesflow.auth import services
from salesflow.auth.login import check_credentials
from salesflow.auth.models import ApiToken
from salesflow.errors import NotFound

UNAUTHORIZED = "Missing, unknown, expired or revoked bearer token"


class TokenIn(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    token: str


class TokenInfo(BaseModel):
    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool = Field(description="Neither revoked nor expired")
    current: bool = Field(description="The token this request was made with")


class TokenPage(BaseModel):
    items: list[TokenInfo]
    next_cursor: str | None


class MeOut(BaseModel):
    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    locale: str | None = None


def user_out(user) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team_id": user.team_id,
        "active": user.active,
        "locale": user.locale,
        "profile": {"hometown": user.hometown, "education": user.education},
    }


@bp.post("/tokens")
@bp.input(TokenIn, location="json", arg_name="data")
@bp.output(TokenOut, status_code=201)
@bp.doc(
    summary="Log in and get a bearer token",
    description="Throttled before any password is checked: an e-mail with too many failures "
    "in a row, or an address with very many, is refused for a while (429 with Retry-After).",
    responses={
        401: "Wrong e-mail or password (or the user is deactivated)",
        422: "Malformed request",
        429: "Too many failed logins: try again after the Retry-After header's seconds",
    },
)
def create_token(data: TokenIn):
    now = clock.now()
    user = check_credentials(
        data.email, data.password, address=request.remote_addr or "", device_cookie=None, now=now
    )  # commits the attempt; a refusal is raised as the error response
    return {"token": services.create_token(user, now=now)}, 201


def _current_token() -> ApiToken:
    """The token this request authenticated with."""
    auth = token_auth.get_auth()
    token = services.token_for_secret(auth.token if auth else "", now=clock.now())
    if token is None:  # revoked between the check and now
        raise NotFound()
    return token


def _token_info(token: ApiToken, *, current_id: int, now: datetime) -> dict:
    return {
        "id": token.id,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "active": token.revoked_at is None and token.expires_at > now,
        "current": token.id == current_id,
    }


@bp.get("/tokens")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="paging")
@bp.output(TokenPage)
@bp.doc(
    summary="Your own API tokens, live and past (never their secrets)",
    description="A page of `{id, created_at, expires_at, revoked_at, active, current}`; "
    "`current` marks the token of this request.",
    responses={200: "A page of your tokens", 401: UNAUTHORIZED, 422: "Invalid limit or cursor"},
)
def list_tokens(paging: PageQuery):
    current_id, now = _current_token().id, clock.now()
    return paginate(
        services.own_tokens(caller()),
        ApiToken.id,
        lambda token: _token_info(token, current_id=current_id, now=now),
    )


@bp.delete("/tokens/current")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Log this client out: revoke the token of this request", responses={401: UNAUTHORIZED}
)
def revoke_current_token():
    services.revoke_token(_current_token(), actor=caller(), now=clock.now())
    return "", 204


@bp.delete("/tokens/<int:token_id>")
@bp.auth_required(token_auth)
@bp.output({}, status_code=204)
@bp.doc(
    summary="Revoke one of your own tokens (again is fine)",
    responses={401: UNAUTHORIZED, 404: "No token of yours has this id"},
)
def revoke_token(token_id: int):
    token = services.get_own_token(caller(), token_id)
    services.revoke_token(token, actor=caller(), now=clock.now())
    return "", 204


@bp.get("/me")
@bp.auth_required(token_auth)
@bp.output(MeOut)
@bp.doc(summary="The caller", responses={401: UNAUTHORIZED})
def me():
    return user_out(caller())
