"""API: duplicate candidates, merging accounts and contacts, undoing a merge (API.md, "Data in and
out"). The rules live in merges.services; this module only shapes requests and answers.

A merged record's old addresses: every GET of the API that names it (`/accounts/{id}`,
`/contacts/{id}`, `/accounts/{id}/team` …) answers 307 with the surviving record's address in
`Location` (most clients follow it), for callers who may see the survivor; others get the 404
they got before. Temporary, because the merge can be undone for 30 days.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from salesflow import clock, scope
from salesflow.api import _encode_cursor, bp, caller, page_params, paginate, token_auth
from salesflow.api.accounts import AccountOut, account_out
from salesflow.api.contacts import ContactOut, contact_out
from salesflow.api.schemas import BodyId, Id, Strict, Version
from salesflow.errors import Forbidden
from salesflow.merges import queries, services
from salesflow.merges.kinds import KINDS
from salesflow.merges.models import Merge, MergeKind

ERRORS = {
    404: "Not found or outside your scope",
    403: "Not a director of the records' team or an admin",
    422: "Invalid input",
}
FieldName = Annotated[str, StringConstraints(max_length=40)]
FIELDS_HELP = (
    "Per field, the id of the record (this one or one of `other_ids`) whose value the survivor "
    "keeps. A field not named keeps the survivor's value, or the first other's where the "
    "survivor's is blank. Accounts: {accounts}. Contacts: {contacts}."
).format(
    accounts=", ".join(KINDS[MergeKind.accounts].fields),
    contacts=", ".join(KINDS[MergeKind.contacts].fields),
)


class MergeIn(Strict):
    other_ids: list[BodyId] = Field(
        max_length=50,
        description=f"The duplicates merged into this record (at most {services.MAX_OTHERS}); "
        "they are soft-deleted and their related records move here.",
    )
    fields: dict[FieldName, BodyId] | None = Field(None, max_length=40, description=FIELDS_HELP)
    version: Version
    other_versions: dict[Annotated[str, StringConstraints(max_length=12)], BodyId] | None = Field(
        None,
        max_length=50,
        description="Optional: {id: version} of the others as you read them; a 409 when one "
        "has changed since.",
    )


class AccountMergeOut(AccountOut):
    merge_id: int


class ContactMergeOut(ContactOut):
    merge_id: int


class MergeOut(BaseModel):
    id: int
    kind: Literal["accounts", "contacts"]
    survivor_id: int
    merged_ids: list[int]
    fields: dict[str, list[Any]] = Field(description="The survivor's fields changed: [old, new].")
    moved: dict[str, int] = Field(description="How many related records moved, by kind.")
    actor_id: int
    at: datetime
    undo_until: datetime
    undone_at: datetime | None
    undone_by_id: int | None
    kept: dict[str, Any] | None = Field(
        description="After an undo: what was kept because it changed after the merge "
        "(`fields`: the survivor's fields; `rows`: how many related rows)."
    )


class MergePage(BaseModel):
    items: list[MergeOut]
    next_cursor: str | None


class MergeFilter(BaseModel):
    kind: Literal["accounts", "contacts"] | None = None
    survivor_id: Id | None = None
    limit: int | None = None
    cursor: str | None = None


class GroupOut(BaseModel):
    ids: list[int]
    reasons: dict[str, list[str]] = Field(
        description="Why they look alike: email, phone (E.164), domain, name (the company name "
        "without its legal form, or a person's name) with the values they share; similar_name "
        "is a suggestion only."
    )


class GroupPage(BaseModel):
    items: list[GroupOut]
    next_cursor: str | None


class DuplicateFilter(BaseModel):
    account_id: Id | None = Field(None, description="Contacts: only this account's.")
    limit: int | None = None
    cursor: str | None = None


def merge_out(merge: Merge) -> dict[str, Any]:
    return {
        "id": merge.id,
        "kind": merge.kind.value,
        "survivor_id": merge.survivor_id,
        "merged_ids": merge.merged_ids,
        "fields": merge.fields,
        "moved": merge.moved,
        "actor_id": merge.actor_id,
        "at": merge.at,
        "undo_until": services.undo_deadline(merge),
        "undone_at": merge.undone_at,
        "undone_by_id": merge.undone_by_id,
        "kept": merge.kept,
    }


def _finders() -> None:
    if not scope.can_find_duplicates(caller()):
        raise Forbidden()


@bp.post("/accounts/<int:account_id>/merge")
@bp.auth_required(token_auth)
@bp.input(MergeIn, location="json", arg_name="data")
@bp.output(AccountMergeOut)
@bp.doc(
    summary="Merge duplicate accounts into this one (director of its team, or admin)",
    description="Contacts, interactions, opportunities, child accounts, the account team and "
    "handover items of the others move here; the others are soft-deleted, and their addresses "
    "answer with a redirect here until the merge is undone (`POST /merges/{merge_id}/undo`, "
    "within 30 days).",
    responses={**ERRORS, 409: "Stale version"},
)
def merge_accounts(account_id: int, data: MergeIn):
    account = scope.get_account(caller(), account_id)
    merge = services.merge_records(
        MergeKind.accounts, account, data.model_dump(), actor=caller(), now=clock.now()
    )
    return {**account_out(scope.get_account(caller(), account_id)), "merge_id": merge.id}


@bp.post("/contacts/<int:contact_id>/merge")
@bp.auth_required(token_auth)
@bp.input(MergeIn, location="json", arg_name="data")
@bp.output(ContactMergeOut)
@bp.doc(
    summary="Merge duplicate contacts of one account into this one (director or admin)",
    description="Interaction attendance (once per interaction), the people reporting to them "
    "and handover key contacts move here; the others are soft-deleted and their addresses "
    "redirect here until the merge is undone (within 30 days).",
    responses={**ERRORS, 409: "Stale version"},
)
def merge_contacts(contact_id: int, data: MergeIn):
    contact = scope.get_contact(caller(), contact_id)
    merge = services.merge_records(
        MergeKind.contacts, contact, data.model_dump(), actor=caller(), now=clock.now()
    )
    return {**contact_out(scope.get_contact(caller(), contact_id)), "merge_id": merge.id}


@bp.get("/merges")
@bp.auth_required(token_auth)
@bp.input(MergeFilter, location="query", arg_name="filters")
@bp.output(MergePage)
@bp.doc(
    summary="Merges on the records you may merge (directors and admins), oldest first",
    responses={403: "Not a director or admin", 422: "Invalid filter, limit or cursor"},
)
def list_merges(filters: MergeFilter):
    _finders()
    query = queries.merges_query(caller(), kind=filters.kind, survivor_id=filters.survivor_id)
    return paginate(query, Merge.id, merge_out)


@bp.get("/merges/<int:merge_id>")
@bp.auth_required(token_auth)
@bp.output(MergeOut)
@bp.doc(summary="One merge: what moved, and whether it was undone", responses=ERRORS)
def get_merge(merge_id: int):
    _finders()
    return merge_out(queries.merge_in_scope(caller(), merge_id))


@bp.post("/merges/<int:merge_id>/undo")
@bp.auth_required(token_auth)
@bp.output(MergeOut)
@bp.doc(
    summary="Unmerge within 30 days: every moved record and changed field back as it was",
    description="What changed again after the merge (a field of the survivor, a record moved "
    "elsewhere) is kept and counted in `kept`. Merges of one account are undone newest first.",
    responses={**ERRORS, 409: "Already undone", 422: "Too old, or later merges still stand"},
)
def undo_merge(merge_id: int):
    _finders()
    merge = queries.merge_in_scope(caller(), merge_id)
    return merge_out(services.undo_merge(merge, actor=caller(), now=clock.now()))


@bp.get("/duplicates/<any(accounts, contacts):kind>")
@bp.auth_required(token_auth)
@bp.input(DuplicateFilter, location="query", arg_name="filters")
@bp.output(GroupPage)
@bp.doc(
    summary="Groups of records that look like duplicates (directors: their team; admins: all)",
    description="By the import's matching keys: e-mail, E.164 phone, website domain, the "
    "company name without its legal form; contacts only within one account.",
    responses={
        403: "Not a director or admin",
        404: "Account not found or outside your scope",
        422: "Invalid limit or cursor",
    },
)
def list_duplicates(kind: str, filters: DuplicateFilter):
    _finders()
    if kind == "accounts":
        groups = queries.account_groups(caller())
    else:
        if filters.account_id is not None:
            scope.get_account(caller(), filters.account_id)
        groups = queries.contact_groups(caller(), filters.account_id)
    limit, after = page_params()
    start = after or 0
    shown = groups[start : start + limit]
    more = start + limit < len(groups)
    return {
        "items": [
            {"ids": g.ids, "reasons": {r.value: sorted(v) for r, v in g.reasons.items()}}
            for g in shown
        ],
        "next_cursor": _encode_cursor(start + limit) if more else None,
    }


@bp.record_once
def _describe_redirects(state: Any) -> None:
    """The document says which GETs answer 307 for a merged record (chained after the API's
    own processing of the document)."""
    app = state.app
    previous = app.spec_callback

    def describe(spec: dict[str, Any]) -> dict[str, Any]:
        spec = previous(spec) if previous else spec
        for path, operations in spec["paths"].items():
            named = "{account_id}" in path or "{contact_id}" in path
            if named and "get" in operations and not path.startswith("/api/v1/duplicates"):
                operations["get"]["responses"].setdefault(
                    "307",
                    {
                        "description": "The record was merged into another: `Location` is the "
                        "surviving record's address (until the merge is undone)",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                )
        return spec

    app.spec_processor(describe)
