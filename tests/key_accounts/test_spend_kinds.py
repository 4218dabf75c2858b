"""The spend kind chosen when logging a contact (issue 17): the spend per kind reads it, else the
kind of contact; the quick log, the edit form and the API take it (empty: from the kind), audited;
a value not among the kinds is refused on its field with nothing kept."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.interactions import services
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import spend
from tests import factories as f
from tests.conftest import api_as, login

D = Decimal


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))


def _data(world, **overrides):
    data = {
        "account_id": world.account_a.id,
        "kind": "meal",
        "occurred_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        "summary": "Dinner and a present",
        "contact_ids": [world.contact_a.id],
        "cost": "120.00",
    }
    return {**data, **overrides}


def test_the_spend_per_kind_reads_the_chosen_kind_else_the_kind_of_contact(world, now):
    """A meal logged as a gift of 200 counts as a gift; a call logged as travel of 80 as travel;
    a meal of 30 and a site visit of 45 with no chosen kind as a meal and a visit; a call of 5
    with none as other."""
    a, rep = world.account_a, world.rep_a
    for kind, cost, chosen in [
        ("meal", "200", "gift"),
        ("call", "80", "travel"),
        ("meal", "30", None),
        ("site_visit", "45", None),
        ("call", "5", None),
    ]:
        made = f.make_interaction(account=a, owner=rep, kind=kind, cost=D(cost))
        made.spend_kind = chosen
    db.session.flush()
    assert spend.spent_by_kind([a.id], 2026) == {
        "gift": {"CNY": D("200.00")},
        "meal": {"CNY": D("30.00")},
        "other": {"CNY": D("5.00")},
        "travel": {"CNY": D("80.00")},
        "visit": {"CNY": D("45.00")},
    }


def test_logged_changed_and_cleared_with_the_audit(world, now):
    logged = services.log_interaction(_data(world, spend_kind="gift"), actor=world.rep_a, now=now)
    assert logged.spend_kind == "gift"
    changed = services.update_interaction(
        logged, {"spend_kind": "", "version": logged.version}, actor=world.rep_a, now=now
    )
    assert changed.spend_kind is None
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "interactions", AuditEntry.entity_id == logged.id)
        .order_by(AuditEntry.id)
    ).all()
    assert entries[0].changes["spend_kind"] == [None, "gift"]
    assert entries[-1].changes["spend_kind"] == ["gift", None]


@pytest.mark.parametrize("value", ["banquet", "GIFT", 3, ["gift"]])
def test_an_unknown_kind_is_refused_and_nothing_kept(world, now, value):
    before = _count()
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(_data(world, spend_kind=value), actor=world.rep_a, now=now)
    assert "spend_kind" in error.value.fields
    assert _count() == before


def test_the_api_takes_and_returns_it(app, world, now):
    api = api_as(app, world.rep_a)
    body = {
        "account_id": world.account_a.id,
        "kind": "meal",
        "occurred_at": "2026-11-19T19:00:00+08:00",
        "summary": "Dinner",
        "cost": "90.00",
    }
    created = api.post("/interactions", json={**body, "spend_kind": "event"})
    assert created.status_code == 201 and created.get_json()["spend_kind"] == "event"
    plain = api.post("/interactions", json=body)
    assert plain.get_json()["spend_kind"] is None
    before = _count()
    refused = api.post("/interactions", json={**body, "spend_kind": "banquet"})
    assert refused.status_code == 422
    assert "spend_kind" in refused.get_json()["error"]["fields"]
    assert _count() == before
    made = created.get_json()
    patched = api.patch(
        f"/interactions/{made['id']}", json={"spend_kind": None, "version": made["version"]}
    )
    assert patched.status_code == 200 and patched.get_json()["spend_kind"] is None


def _form(world, **overrides):
    data = {
        "account_id": str(world.account_a.id),
        "kind": "meal",
        "occurred_at": "2026-11-20T19:00",
        "contact_ids": [str(world.contact_a.id)],
        "participant_ids": [str(world.rep_a.id)],
        "summary": "Dinner with the CEO",
        "cost": "66",
    }
    return {**data, **overrides}


def test_the_quick_log_and_the_edit_form(client, world, now):
    login(client, world.rep_a)
    page = client.get(f"/interactions/new?account_id={world.account_a.id}")
    assert 'name="spend_kind"' in page.get_data(as_text=True)
    before = _count()
    refused = client.post("/interactions/new", data=_form(world, spend_kind="banquet"))
    assert refused.status_code == 422 and _count() == before
    assert "Not one of the allowed values." in refused.get_data(as_text=True)
    assert client.post("/interactions/new", data=_form(world, spend_kind="gift")).status_code == 302
    logged = db.session.scalars(sa.select(Interaction).order_by(Interaction.id.desc())).first()
    assert logged.spend_kind == "gift"
    edit = client.get(f"/interactions/{logged.id}/edit").get_data(as_text=True)
    assert '<option selected value="gift">' in edit
