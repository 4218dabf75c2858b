"""The application class: APIFlask that runs a request once more when PostgreSQL picked it to
give way in a deadlock or a serialization failure, so such a race never reaches the user.

Writes take their row locks in a fixed order where it matters (ties.touches), which makes
deadlocks rare; this is the net under whatever order remains. Services never commit and entry
points commit once (STYLE.md rules 4 and 5), so a request is one transaction and running it again
from a rolled-back session is safe.
"""

from typing import Any

import sqlalchemy.exc as sa_exc
from apiflask import APIFlask
from flask import Response, request

from salesflow.errors import TryAgain
from salesflow.extensions import db

# SQLSTATEs (psycopg 3's `sqlstate`) after which the same transaction, run again, may succeed.
RETRYABLE = {"40P01": "deadlock detected", "40001": "serialization failure"}
ATTEMPTS = 2


def retryable(error: BaseException) -> str | None:
    """What went wrong, when `error` is a deadlock or serialization failure; else None."""
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    return RETRYABLE.get(getattr(error.orig, "sqlstate", None) or "")


class SalesflowApp(APIFlask):
    def full_dispatch_request(self) -> Response:
        """The whole request — before-request hooks, the view (which commits), after-request
        hooks (the API commits there) — run again after a deadlock or serialization failure;
        a second one answers TryAgain (409, nothing saved), never a 500."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return super().full_dispatch_request()
            except sa_exc.DBAPIError as error:
                problem = retryable(error)
                if problem is None:
                    raise
                db.session.rollback()
                self.logger.warning(
                    "%s %s: %s (attempt %d of %d)",
                    request.method,
                    request.path,
                    problem,
                    attempt,
                    ATTEMPTS,
                )
                _rewind_uploads()
        answer: Any = self.handle_user_exception(TryAgain())
        return self.finalize_request(answer, from_error_handler=True)


def _rewind_uploads() -> None:
    """A view that read an uploaded file reads it from the start when run again."""
    for upload in request.files.values():
        upload.stream.seek(0)
