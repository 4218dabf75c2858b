"""One unit of work per request (STYLE.md rule 5), for the pages and the API alike: services
flush, and this one place commits a write that answered below 400 and rolls back every other.

A refused button answers a redirect back with the reason in a flash (303, salesflow.forms.press):
below 400, so press() calls refuse() and the request is rolled back all the same. A refused form
is the form again with its messages (422 or 409, salesflow.forms.save_form). Deliberate commits
inside a request stay where they are and say why (the login throttle counts a failed attempt
before answering; an import's runner commits a chunk at a time).
"""

from flask import Flask, Response, g, request

from salesflow.extensions import db

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse() -> None:
    """Nothing of this request is kept, whatever it answers: undone now, and not committed at
    its end."""
    db.session.rollback()
    g.refused = True


def commit_or_rollback(response: Response) -> Response:
    """A write that answered below 400 and was not refused is kept; any other is undone."""
    refused = g.pop("refused", False)  # popped: a test's app context outlives its requests
    if request.method in WRITES:
        if response.status_code < 400 and not refused:
            db.session.commit()
        else:
            db.session.rollback()
    return response


def register_unit_of_work(app: Flask) -> None:
    app.after_request(commit_or_rollback)
