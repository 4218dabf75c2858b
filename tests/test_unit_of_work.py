"""One unit of work for every request (salesflow/unit_of_work.py): a write that answered below 400
is kept, and a refused one keeps nothing — on every state-changing page of the app.

A refused button (Forbidden, Conflict, ValidationFailed, unmet gates, a form that does not
validate) answers 303 back to its page with the reason in a flash. A refused form is the form again
with its messages (422, or 409 for a stale version). A record outside the user's scope is a 404
that does not tell it exists. Pages a user may not open at all stay a 403 page (the admin pages,
planning a handover, the duplicates).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from salesflow.accounts import services as account_services
from salesflow.errors import Conflict, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import expectations
from salesflow.merges import services as merge_services
from salesflow.merges.models import MergeKind
from salesflow.notifications.models import Notification
from salesflow.opportunities.models import Opportunity
from salesflow.requests import services as request_services
from tests import factories as f
from tests.conftest import World, login
from tests.handovers.conftest import plan
from tests.imports.import_helpers import csv_bytes, dry_run

BUTTON, FORM, NOT_FOUND = "button", "form", "not found"


@dataclass
class Refused:
    """A refused request: who sends it, where, with what, and how it must answer."""

    who: str
    path: str
    data: dict[str, Any]
    answer: str  # BUTTON, FORM or NOT_FOUND
    back: str | None = None  # where a refused button goes back to


def _deal(world: World) -> Opportunity:
    return f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})


def _merge(world: World, now: Any) -> int:
    """Two of team A's accounts merged by its director, and the merge undone already: undoing it
    again is refused (a conflict)."""
    twin = f.make_account(team=world.team_a, name="Huadong Power Co.")
    data = {"other_ids": [twin.id], "version": world.account_a.version, "fields": {}}
    data["versions"] = {twin.id: twin.version}
    merge = merge_services.merge_records(
        MergeKind.accounts, world.account_a, data, actor=world.director_a, now=now
    )
    merge_services.undo_merge(merge, actor=world.director_a, now=now)
    return merge.id


def _import(world: World, now: Any) -> int:
    rows = csv_bytes(["account", "name"], ["Huadong Power", "Qian Hao"])
    imp = dry_run(rows, world.director_a, now, kind="contacts", mode="fill")
    return imp.id


def _notification(world: World, now: Any) -> int:
    plan(world, now=now)  # everyone involved is told
    return db.session.scalar(
        sa.select(Notification.id).where(Notification.user_id == world.rep_a.id).limit(1)
    )


# Each state-changing page, refused the way a user meets it. `who` is the World's person.
REFUSALS: dict[str, Callable[[World, Any], Refused]] = {
    "accounts.new": lambda w, now: Refused("rep_a", "/accounts/new", {"name": ""}, FORM),
    "accounts.edit": lambda w, now: Refused(
        "rep_a", f"/accounts/{w.account_a.id}/edit", {"name": ""}, FORM
    ),
    "accounts.team": lambda w, now: Refused(
        "director_a",
        f"/accounts/{w.account_a.id}/team",
        {"members-0-user_id": "", "members-0-role": "AR"},
        FORM,
    ),
    "accounts.delete": lambda w, now: Refused(
        "rep_a", f"/accounts/{w.account_a.id}/delete", {}, BUTTON, f"/accounts/{w.account_a.id}"
    ),
    "accounts.restore": lambda w, now: Refused(
        "rep_a", f"/accounts/{w.account_b.id}/restore", {}, NOT_FOUND
    ),
    "contacts.new": lambda w, now: Refused(
        "rep_a", f"/accounts/{w.account_a.id}/contacts/new", {"name": ""}, FORM
    ),
    "contacts.edit": lambda w, now: Refused(
        "rep_a", f"/contacts/{w.contact_a.id}/edit", {"name": ""}, FORM
    ),
    "contacts.delete": lambda w, now: Refused(
        "rep_a", f"/contacts/{w.contact_a.id}/delete", {}, BUTTON, f"/contacts/{w.contact_a.id}"
    ),
    "contacts.restore": lambda w, now: Refused(
        "rep_a", f"/contacts/{w.contact_a.id}/restore", {}, BUTTON, f"/contacts/{w.contact_a.id}"
    ),
    "contacts.leave": lambda w, now: Refused(
        "rep_a",
        f"/contacts/{w.contact_a.id}/leave",
        {"left_on": "2026-11-19"},  # without the version read: the confirmation form again
        FORM,
    ),
    "contacts.rejoin": lambda w, now: Refused(
        "rep_b", f"/contacts/{w.contact_a.id}/rejoin", {}, NOT_FOUND
    ),
    "interactions.new": lambda w, now: Refused(
        "rep_a", "/interactions/new", {"account_id": str(w.account_a.id)}, FORM
    ),
    "interactions.edit": lambda w, now: Refused(
        "rep_a", f"/interactions/{w.interaction_a.id}/edit", {"summary": ""}, FORM
    ),
    "interactions.done": lambda w, now: Refused(
        "rep_a",
        f"/interactions/{w.interaction_a.id}/done",
        {"version": "99"},
        BUTTON,
        f"/interactions/{w.interaction_a.id}",
    ),
    "interactions.reschedule": lambda w, now: Refused(
        "rep_a",
        f"/interactions/{w.interaction_a.id}/reschedule",
        {"due": "2026-11-23", "version": "99", "next": "/"},
        BUTTON,
        "/",
    ),
    "interactions.delete": lambda w, now: Refused(
        "rep_a",
        f"/interactions/{w.interaction_a.id}/delete",
        {"next": "/"},
        BUTTON,
        "/",
    ),
    "interactions.restore": lambda w, now: Refused(
        "rep_a",
        f"/interactions/{w.interaction_a.id}/restore",
        {"next": "//elsewhere.example/"},  # never another site
        BUTTON,
        f"/interactions/{w.interaction_a.id}",
    ),
    "teams.new_user": lambda w, now: Refused("admin", "/admin/users/new", {"name": ""}, FORM),
    "teams.edit_user": lambda w, now: Refused(
        "admin", f"/admin/users/{w.rep_a.id}/edit", {"name": ""}, FORM
    ),
    "teams.new_team": lambda w, now: Refused("admin", "/admin/teams/new", {"name": ""}, FORM),
    "teams.edit_team": lambda w, now: Refused(
        "admin", f"/admin/teams/{w.team_a.id}/edit", {"name": ""}, FORM
    ),
    "merges.choose": lambda w, now: Refused(
        "director_a",
        f"/duplicates/accounts/merge?ids={w.account_a.id},{w.shared.id}",
        {"step": "merge"},
        FORM,
    ),
    "merges.undo": lambda w, now: (
        lambda merge_id: Refused(
            "director_a",
            f"/merges/{merge_id}/undo",
            {},
            BUTTON,
            f"/accounts/{w.account_a.id}",
        )
    )(_merge(w, now)),
    "handovers.new": lambda w, now: Refused("director_a", "/handovers/new", {}, FORM),
    "handovers.transfer": lambda w, now: (
        lambda h: Refused("rep_a2", f"/handovers/{h.id}/transfer", {}, BUTTON, f"/handovers/{h.id}")
    )(plan(w, now=now)),
    "handovers.confirm": lambda w, now: (
        lambda h: Refused(
            "director_a",  # only the successor confirms
            f"/handovers/{h.id}/contacts/{w.contact_a.id}/confirm",
            {"attitude": "supporter", "influence": "high"},
            BUTTON,
            f"/handovers/{h.id}",
        )
    )(plan(w, now=now)),
    "handovers.confirm_many": lambda w, now: (
        lambda h: Refused(
            "director_a",  # only the successor confirms
            f"/handovers/{h.id}/confirm",
            {
                "contact_ids": [w.contact_a.id],
                f"c{w.contact_a.id}-attitude": "supporter",
                f"c{w.contact_a.id}-influence": "high",
            },
            BUTTON,
            f"/handovers/{h.id}",
        )
    )(plan(w, now=now)),
    "handovers.plan_joint": lambda w, now: (
        lambda h: Refused(
            "director_a",
            f"/handovers/{h.id}/contacts/{w.contact_a.id}/plan",
            {"due": "2020-01-01"},  # a day gone: a joint contact is planned to come
            BUTTON,
            f"/handovers/{h.id}",
        )
    )(plan(w, now=now)),
    "imports.new": lambda w, now: Refused("director_a", "/imports/new", {}, FORM),
    "imports.remap": lambda w, now: (
        lambda i: Refused("director_a", f"/imports/{i}/map", {"mode": "nonsense"}, FORM)
    )(_import(w, now)),
    "imports.commit": lambda w, now: (
        lambda i: Refused("rep_b", f"/imports/{i}/commit", {}, NOT_FOUND)
    )(_import(w, now)),
    "imports.undo": lambda w, now: (
        lambda i: Refused("director_a", f"/imports/{i}/undo", {}, BUTTON, f"/imports/{i}#undo")
    )(_import(w, now)),
    "auth.login": lambda w, now: Refused(
        "nobody", "/login", {"email": w.rep_a.email, "password": "wrong"}, FORM
    ),
    "auth.change_password": lambda w, now: Refused("rep_a", "/me/password", {}, FORM),
    "auth.update_profile": lambda w, now: Refused(
        "rep_a", "/me/profile", {"hometown": "湖南长沙", "education": "x" * 301}, FORM
    ),
    "auth.revoke_token": lambda w, now: Refused("rep_a", "/me/tokens/999999/revoke", {}, NOT_FOUND),
    "notifications.open_": lambda w, now: (
        lambda n: Refused("rep_b", f"/notifications/{n}/open", {}, NOT_FOUND)
    )(_notification(w, now)),
    "notifications.read": lambda w, now: (
        lambda n: Refused("rep_b", f"/notifications/{n}/read", {}, NOT_FOUND)
    )(_notification(w, now)),
    "opportunities.new": lambda w, now: Refused(
        "rep_a", f"/opportunities/new?account_id={w.account_a.id}", {}, FORM
    ),
    "opportunities.edit": lambda w, now: (
        lambda d: Refused("rep_a", f"/opportunities/{d.id}/edit", {"name": ""}, FORM)
    )(_deal(w)),
    "opportunities.roles": lambda w, now: (
        lambda d: Refused(
            "rep_a",
            f"/opportunities/{d.id}/roles",
            {"seats-0-role": "nonsense", "seats-0-user_id": str(w.rep_a.id)},
            FORM,
        )
    )(_deal(w)),
}


def _request(world: World, now: Any) -> int:
    """rep_a asks rep_a2 for a demo on account_a (open: not yet to be rated)."""
    asked = request_services.ask(
        world.rep_a,
        kind="demo",
        title="Demo for the control room",
        account_id=world.account_a.id,
        assignee_id=world.rep_a2.id,
        needed_by=date(2026, 12, 10),
        now=now,
    )
    return asked.id


# Requests between our people: a stale move, rating an open request, dismissing its rating.
REFUSALS["requests.new"] = lambda w, now: Refused(
    "rep_a", f"/requests/new?account_id={w.account_a.id}", {"title": ""}, FORM
)
REFUSALS["requests.transition"] = lambda w, now: (
    lambda r: Refused(
        "rep_a2",
        f"/requests/{r}/transition",
        {"to": "accepted", "version": "99"},
        BUTTON,
        f"/requests/{r}#moves",
    )
)(_request(w, now))
REFUSALS["requests.rate"] = lambda w, now: (
    lambda r: Refused(
        "rep_a", f"/requests/{r}/rating", {"rating": "5"}, BUTTON, f"/requests/{r}#rating"
    )
)(_request(w, now))
REFUSALS["requests.dismiss_rating"] = lambda w, now: (
    lambda r: Refused("rep_a", f"/requests/{r}/rating/dismiss", {}, BUTTON, f"/requests/{r}")
)(_request(w, now))

# A refused button on the deal page goes back to the part of the page that shows what to do
# (opportunities/actions.py): the exit criteria, the other moves, the checklist, the decisions.
_LANDS = {
    "advance": "#gates",
    "back": "#other-moves",
    "won": "#gates",
    "lost": "#other-moves",
    "reopen": "",
    "migrate": "",
    "checklist": "#checklist",
    "approvals": "#decisions",
}
for _action, _anchor in _LANDS.items():
    _endpoint = {"checklist": "tick", "approvals": "decide"}.get(_action, _action)
    REFUSALS[f"opportunities.{_endpoint}"] = lambda w, now, a=_action, at=_anchor: (
        lambda d: Refused(
            "rep_a",
            f"/opportunities/{d.id}/{a}",
            {"version": "99", "item": "nonsense", "gate": "nonsense", "decision": "approve"},
            BUTTON,
            f"/opportunities/{d.id}{at}",
        )
    )(_deal(w))
REFUSALS["opportunities.untick"] = lambda w, now: (
    lambda d: Refused(
        "rep_a",
        f"/opportunities/{d.id}/checklist/clear",
        {"item": "nonsense"},
        BUTTON,
        f"/opportunities/{d.id}#checklist",
    )
)(_deal(w))
REFUSALS["tiering.decide"] = lambda w, now: Refused(
    "director_a",
    f"/accounts/{w.account_a.id}/tier",
    {"decision": "keep", "reason": "", "version": str(w.account_a.version)},
    BUTTON,
    f"/accounts/{w.account_a.id}#tiering",
)
REFUSALS["tiering.potential"] = lambda w, now: Refused(
    "rep_a",
    f"/accounts/{w.account_a.id}/potential",
    {"yearly_potential": "-1", "potential_currency": "CNY", "version": str(w.account_a.version)},
    BUTTON,
    f"/accounts/{w.account_a.id}#tiering",
)
REFUSALS["plans.edit"] = lambda w, now: Refused(
    "rep_a",
    f"/accounts/{w.account_a.id}/plan/edit?year=2026",
    {"vision": "Kept?", "objectives-0-kind": "executive_exchange", "objectives-0-title": ""},
    FORM,
)


def _expectation(world: World, now: Any) -> int:
    """An open expectation of account_a (closing it as met without an action is refused)."""
    found = expectations.add_expectation(
        world.account_a,
        {"statement": "Spare parts in 48 hours", "category": "delivery", "owner_role": "FR"},
        actor=world.rep_a,
        now=now,
    )
    return found.id


REFUSALS["expectations.add"] = lambda w, now: Refused(
    "rep_a", f"/accounts/{w.account_a.id}/expectations", {"statement": "", "category": "x"}, FORM
)
REFUSALS["expectations.perceive"] = lambda w, now: Refused(
    "rep_a", f"/accounts/{w.account_a.id}/perceptions", {"perceived": "9", "source": "x"}, FORM
)
REFUSALS["expectations.close"] = lambda w, now: (
    lambda e: Refused(
        "rep_a",
        f"/accounts/{w.account_a.id}/expectations/{e}/close",
        {f"close-{e}-status": "met", f"close-{e}-version": "1"},
        BUTTON,
        f"/accounts/{w.account_a.id}/expectations",
    )
)(_expectation(w, now))
REFUSALS["spend.set_budget"] = lambda w, now: Refused(
    "director_a",
    f"/accounts/{w.account_a.id}/budget",
    {"amount": "-5", "currency": "CNY", "year": "2026"},
    BUTTON,
    f"/accounts/{w.account_a.id}#spend",
)
REFUSALS["deal_roles.change"] = lambda w, now: (
    lambda d: Refused(
        "rep_a",
        f"/opportunities/{d.id}/contacts",
        {"contact_id": str(w.contact_b.id), "role": "user", "version": str(d.version)},
        BUTTON,
        f"/opportunities/{d.id}#buying-roles",
    )
)(_deal(w))

# Refused only by a missing or stale CSRF token (test_every_write_refused_without_csrf): nothing
# a service could refuse — the user's own session, language, calendar and bell.
CSRF_ONLY = {
    "auth.logout",
    "auth.language",
    "calendar.create",
    "calendar.revoke",
    "notifications.read_all",
}


def write_endpoints(app: Flask) -> set[str]:
    """Every page that changes something: the POST rules outside the API."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    }


def snapshot() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text (a refusal must leave each one as it was)."""
    found = {}
    for name, table in db.metadata.tables.items():
        rows = db.session.execute(sa.select(table)).all()
        found[name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return found


def test_every_write_page_has_a_refusal_here(app):
    assert write_endpoints(app) == set(REFUSALS) | CSRF_ONLY


@pytest.mark.parametrize("endpoint", sorted(REFUSALS))
def test_a_refused_write_keeps_nothing_and_answers_the_one_way(client, world, now, endpoint):
    refused = REFUSALS[endpoint](world, now)
    if refused.who != "nobody":
        login(client, getattr(world, refused.who))
    db.session.commit()  # the request's rollback goes back to here
    before = snapshot()
    response = client.post(refused.path, data=refused.data)
    db.session.expire_all()
    after = snapshot()
    if endpoint == "auth.login":  # the throttle counts a failed attempt on purpose
        before.pop("login_throttles"), after.pop("login_throttles")
    assert after == before
    if refused.answer == BUTTON:
        assert response.status_code == 303
        assert response.headers["Location"] == refused.back
        with client.session_transaction() as session:
            assert [c for c, _m in session["_flashes"]] == ["danger"]
    elif refused.answer == FORM:
        assert response.status_code in {401, 409, 422}
        assert response.mimetype == "text/html" and "<form" in response.get_data(as_text=True)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("endpoint", sorted(CSRF_ONLY | set(REFUSALS)))
def test_every_write_refused_without_csrf_keeps_nothing(
    app, client, world, now, endpoint, monkeypatch
):
    refused = REFUSALS[endpoint](world, now) if endpoint in REFUSALS else None
    path = refused.path if refused else next(app.url_map.iter_rules(endpoint)).rule
    login(client, world.rep_a)
    db.session.commit()
    before = snapshot()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(path, data=refused.data if refused else {})
    db.session.expire_all()
    assert response.status_code == 400 and snapshot() == before


def test_a_successful_button_is_committed(app, client, world, now):
    """Seen from a new session after the request's own is gone: the delete was committed."""
    login(client, world.director_a)
    response = client.post(f"/accounts/{world.account_a.id}/delete")
    assert response.status_code == 303
    account_id = world.account_a.id
    db.session.remove()
    deleted_at = db.session.execute(
        sa.text("SELECT deleted_at FROM accounts WHERE id = :id"), {"id": account_id}
    ).scalar_one()
    assert deleted_at is not None


def _writes_then_refuses(real: Callable[..., Any], error: Exception) -> Callable[..., Any]:
    """A service that has written (flushed) its change and its audit entry before it refuses."""

    def service(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise error

    return service


def test_a_button_refused_after_its_service_wrote_keeps_nothing(client, world, monkeypatch):
    refusal = _writes_then_refuses(account_services.delete_account, Conflict())
    monkeypatch.setattr(account_services, "delete_account", refusal)
    login(client, world.director_a)
    before = snapshot()
    response = client.post(f"/accounts/{world.account_a.id}/delete", follow_redirects=True)
    assert response.history[0].status_code == 303
    assert "Someone else changed this record" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


def test_a_form_refused_after_its_service_wrote_keeps_nothing(client, world, monkeypatch):
    error = ValidationFailed(fields={"name": ["Not this name."]})
    refusal = _writes_then_refuses(account_services.update_account, error)
    monkeypatch.setattr(account_services, "update_account", refusal)
    login(client, world.rep_a)
    before = snapshot()
    data = {
        "name": "Renamed",
        "team_id": str(world.team_a.id),
        "tier": "A",
        "version": str(world.account_a.version),
    }
    response = client.post(f"/accounts/{world.account_a.id}/edit", data=data)
    assert response.status_code == 422
    assert "Not this name." in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
