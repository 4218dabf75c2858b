"""POST /tokens (log in) and GET /me."""

from flask import request
from pydantic import BaseModel, Field

from salesflow import clock
from salesflow.api import bp, caller, token_auth
from salesflow.api.schemas import Strict
from salesflow.auth import services
from salesflow.extensions import db


class TokenIn(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    token: str


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
    }


@bp.post("/tokens")
@bp.input(TokenIn, location="json", arg_name="data")
@bp.output(TokenOut, status_code=201)
@bp.doc(
    summary="Log in and get a bearer token",
    responses={401: "Wrong e-mail or password", 429: "Too many failed logins"},
)
def create_token(data: TokenIn):
    now = clock.now()
    try:
        user = services.authenticate(
            data.email, data.password, ip=request.remote_addr or "", now=now
        )
    except (services.BadCredentials, services.TooManyAttempts):
        db.session.commit()  # the failure must count towards the throttle
        raise
    return {"token": services.create_token(user, now=now)}, 201


@bp.get("/me")
@bp.auth_required(token_auth)
@bp.output(MeOut)
@bp.doc(summary="The caller")
def me():
    return user_out(caller())
