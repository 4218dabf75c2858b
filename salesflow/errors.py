"""Domain errors raised by services, rendered once for HTML and once for the API."""

from typing import Any

import sqlalchemy.exc as sa_exc
import sqlalchemy.orm.exc as orm_exc
from apiflask import HTTPError
from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    status = 400
    code = "bad_request"
    default_message: Any = _l("The request could not be processed.")

    def __init__(
        self,
        message: Any = None,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.message = str(message or self.default_message)
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        self.headers = headers or {}  # sent with the error (a 429's Retry-After)
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class NotFound(AppError):
    status, code = 404, "not_found"
    default_message = _l("Not found.")


class Forbidden(AppError):
    status, code = 403, "forbidden"
    default_message = _l("You are not allowed to do this.")


class ValidationFailed(AppError):
    status, code = 422, "validation_failed"
    default_message = _l("Please correct the highlighted fields.")


class Conflict(AppError):
    status, code = 409, "conflict"
    default_message = _l(
        "Someone else changed this record after you opened it. "
        "Reload it and apply your change again."
    )


class TryAgain(Conflict):
    """The database twice chose this request to give way to others writing the same rows at
    the same moment (a deadlock or serialization failure): nothing was saved, and sending the
    same request again is safe."""

    default_message = _l(
        "Many people saved at the same moment and your change could not get through. "
        "Nothing was saved; please try again."
    )


class GatesUnmet(AppError):
    status, code = 422, "gates_unmet"
    default_message = _l("The stage's exit criteria are not met.")

    def __init__(self, unmet: list[dict[str, str]], message: Any = None):
        self.unmet = unmet
        super().__init__(message)

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["error"]["unmet"] = self.unmet
        return body


def wants_json() -> bool:
    return request.path.startswith("/api/")


_API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "validation_failed",
    429: "too_many_attempts",
}


def api_error_response(error: HTTPError):
    """APIFlask's own errors (schema validation, missing token) in API.md's error shape."""
    fields: dict[str, list[str]] = {}
    if isinstance(error.detail, dict):
        for location in error.detail.values():  # {"json": {"field": ["message"]}}
            if isinstance(location, dict):
                for name, messages in location.items():
                    fields.setdefault(name, []).extend(
                        messages if isinstance(messages, list) else [str(messages)]
                    )
    body: dict[str, Any] = {
        "code": _API_CODES.get(error.status_code, "error"),
        "message": error.message or "",
    }
    if fields:
        body["fields"] = fields
    return {"error": body}, error.status_code, error.headers


def register_errorhandlers(app: Flask) -> None:
    app.error_callback = api_error_response  # type: ignore[attr-defined]
    app.register_error_handler(HTTPError, api_error_response)

    @app.errorhandler(AppError)
    def handle_app_error(error: AppError):
        if wants_json():
            return error.to_dict(), error.status, error.headers
        return render_template("errors/error.html", error=error), error.status, error.headers

    @app.errorhandler(sa_exc.IntegrityError)
    @app.errorhandler(orm_exc.StaleDataError)
    def handle_race(error: Exception):
        """Two writers raced past the service checks (a unique key, a version): the loser gets a
        clear conflict and nothing of its work is kept."""
        from salesflow.extensions import db

        db.session.rollback()
        return handle_app_error(Conflict())

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return {"error": {"code": code, "message": error.description}}, error.code
        return render_template("errors/error.html", error=error), error.code
