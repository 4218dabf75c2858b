"""Old addresses of merged records lead to the survivor (the issue: "the merged records' old URLs
redirect").

Any GET whose path names a merged account or contact (`account_id`, `contact_id`: its page, its
edit form, its dependency page, the API's `/accounts/{id}` …) is sent to the same address with the
survivor's id: 302 for pages, 307 for the API. Temporary on purpose: the merge can be undone for
30 days, and a browser keeps a permanent redirect. Only a caller who may see the survivor is sent
there; anyone else gets what they got before (a login page, 401, 404). One indexed query per such
request; the caller is looked up only when the record was merged.
"""

from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user

from salesflow import scope
from salesflow.errors import NotFound
from salesflow.merges.models import MergeKind
from salesflow.merges.queries import survivor_of

NAMED = {"account_id": MergeKind.accounts, "contact_id": MergeKind.contacts}


def _caller() -> Any:
    """Who is asking: the API's bearer token, or the logged-in browser."""
    if request.path.startswith("/api/"):
        from salesflow.api import token_auth

        auth = token_auth.get_auth()
        return token_auth.authenticate(auth, None) if auth else None
    return current_user if current_user.is_authenticated else None


def _visible(user: Any, kind: MergeKind, record_id: int) -> bool:
    try:
        if kind == MergeKind.accounts:
            scope.get_account(user, record_id)
        else:
            scope.get_contact(user, record_id)
    except NotFound:
        return False
    return True


def follow_merges() -> Any:
    """Before a GET: the same address with the survivor's id, or None to carry on."""
    if request.method not in {"GET", "HEAD"} or not request.view_args or not request.endpoint:
        return None
    for name, kind in NAMED.items():
        record_id = request.view_args.get(name)
        if not isinstance(record_id, int):
            continue
        survivor = survivor_of(kind, record_id)
        if survivor is None:
            continue
        user = _caller()
        if user is None or not _visible(user, kind, survivor):
            return None
        query = {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}
        target = url_for(request.endpoint, **{**query, **request.view_args, name: survivor})
        return redirect(target, 307 if request.path.startswith("/api/") else 302)
    return None
