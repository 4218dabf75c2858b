"""The JSON API of API.md: one package because it is one contract. A module per resource."""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from apiflask import APIBlueprint, HTTPTokenAuth
from flask import current_app, request
from flask_babel import gettext as _

from salesflow import clock
from salesflow.auth import services as auth_services
from salesflow.auth.models import User
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.validation import parse_id

bp = APIBlueprint("api", __name__, url_prefix="/api/v1")
token_auth = HTTPTokenAuth(scheme="Bearer", description="A token from POST /api/v1/tokens")

# Every error of the API has this shape (API.md, Conventions); the document says so for each one.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "unmet": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}}}


def _document_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Every answer an operation can give is in the document: 404 where the path names a record
    (missing, outside the caller's scope, or an id out of range), 400 where a body or query can
    be malformed (JSON that does not parse, a NUL character)."""
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            if "{" in path:
                responses.setdefault(
                    "404", {"description": "Not found or outside your scope", **_ERROR}
                )
            queried = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if operation.get("requestBody") or queried:
                responses.setdefault("400", {"description": "Malformed request", **_ERROR})
    return spec


@bp.record_once
def _describe_errors(state: Any) -> None:
    state.app.config.update(HTTP_ERROR_SCHEMA=ERROR_SCHEMA, VALIDATION_ERROR_SCHEMA=ERROR_SCHEMA)
    state.app.spec_processor(_document_errors)


@token_auth.verify_token
def _verify_token(token: str) -> User | None:
    return auth_services.user_for_token(token, now=clock.now()) if token else None


def caller() -> User:
    """The user whose bearer token authenticated this request."""
    return token_auth.current_user  # type: ignore[return-value]


def _encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    """The last id of the previous page; anything else (tampered, or an id out of range) is 422."""
    try:
        last_id = parse_id(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        last_id = None
    if last_id is None:
        raise ValidationFailed(fields={"cursor": [_("Not a cursor from this API.")]})
    return last_id


def page_params() -> tuple[int, int | None]:
    """`limit` and the decoded `cursor` of a list request; bad values are a 422."""
    limit = parse_id(request.args.get("limit", "50"))
    maximum = current_app.config["API_MAX_PAGE_SIZE"]
    if limit is None or limit > maximum:
        message = _("A whole number from 1 to %(n)d.", n=maximum)
        raise ValidationFailed(fields={"limit": [message]})
    cursor = request.args.get("cursor")
    return limit, (_decode_cursor(cursor) if cursor else None)


def paginate(
    query: sa.Select[Any], id_column: Any, serialize: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """Keyset pagination by id (no OFFSET, no COUNT): `{"items": [...], "next_cursor": ...}`."""
    limit, after = page_params()
    if after is not None:
        query = query.where(id_column > after)
    rows: Sequence[Any] = db.session.scalars(query.order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [serialize(row) for row in rows],
        "next_cursor": _encode_cursor(rows[-1].id) if more else None,
    }


from salesflow.api import (  # noqa: E402,F401  (each module adds its routes to bp)
    accounts,
    calendar,
    contacts,
    handovers,
    imports,
    interactions,
    key_briefing,
    key_expectations,
    key_plans,
    key_spend,
    merges,
    notifications,
    opportunities,
    pipeline,
    playbooks,
    reports,
    requests,
    tokens,
    users,
    vcards,
)
