"""Amounts per customer attendee (issue 17): given, they replace the equal split of a contact's
cost; they must be the contact's attendees and add up to its cost, else a field error with
nothing kept; clearing them goes back to the equal split; audited; in the API."""

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
from salesflow.key_accounts.spend_models import InteractionSpend
from tests import factories as f
from tests.conftest import api_as, login

D = Decimal


@pytest.fixture
def three(world):
    """account_a's CEO (contact_a) and two more of its people."""
    wang = f.make_contact(account=world.account_a, name="Wang Qiang")
    li = f.make_contact(account=world.account_a, name="Li Na")
    return world.contact_a, wang, li


def _data(world, people, **overrides):
    data = {
        "account_id": world.account_a.id,
        "kind": "meal",
        "occurred_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        "summary": "Dinner",
        "contact_ids": [c.id for c in people],
        "cost": "300.00",
    }
    return {**data, **overrides}


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InteractionSpend))


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Interaction))


def test_given_amounts_replace_the_equal_split(world, now, three):
    """A dinner of 300.00 for three: 200.00 for the CEO, 60.00 and 40.00 for the others, beside
    a visit of 100.00 for the CEO and Wang split equally (50.00 each): the CEO 250.00, Wang
    110.00, Li 40.00."""
    ceo, wang, li = three
    spend_given = [
        {"contact_id": ceo.id, "amount": "200"},
        {"contact_id": wang.id, "amount": "60.00"},
        {"contact_id": li.id, "amount": 40},
    ]
    logged = services.log_interaction(
        _data(world, three, spend=spend_given), actor=world.rep_a, now=now
    )
    services.log_interaction(
        _data(world, [ceo, wang], kind="visit", cost="100"), actor=world.rep_a, now=now
    )
    assert spend.spent_by_contact(world.account_a.id, 2026) == {
        ceo.id: D("250.00"),
        wang.id: D("110.00"),
        li.id: D("40.00"),
    }
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "interactions", AuditEntry.entity_id == logged.id
        )
    )
    assert entry.changes["spend"][1] == {
        str(ceo.id): "200.00",
        str(wang.id): "60.00",
        str(li.id): "40.00",
    }
    cleared = services.update_interaction(
        logged, {"spend": [], "version": logged.version}, actor=world.rep_a, now=now
    )
    assert cleared.spend_shares == [] and _rows() == 0
    assert spend.spent_by_contact(world.account_a.id, 2026) == {
        ceo.id: D("150.00"),
        wang.id: D("150.00"),
        li.id: D("100.00"),
    }


@pytest.mark.parametrize(
    ("shares", "field"),
    [
        ([("ceo", "200"), ("wang", "99.99")], "spend"),  # 299.99, not 300.00
        ([("ceo", "200"), ("other", "100")], "spend"),  # not an attendee
        ([("ceo", "300"), ("ceo", "0")], "spend.1"),  # twice
        ([("ceo", "-1"), ("wang", "301")], "spend.0"),
        ([("ceo", "1.234")], "spend.0"),
        ([("ceo", None)], "spend.0"),
        ([("ceo", "abc")], "spend.0"),
        ([("x", "300")], "spend.0"),
        ("all of it", "spend"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_kept(world, now, three, shares, field):
    ceo, wang, _li = three
    other = f.make_contact(account=world.account_a, name="Not there")
    ids = {"ceo": ceo.id, "wang": wang.id, "other": other.id, "x": "x"}
    given = (
        shares
        if isinstance(shares, str)
        else [{"contact_id": ids[who], "amount": amount} for who, amount in shares]
    )
    before = _count(), _rows()
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(_data(world, three, spend=given), actor=world.rep_a, now=now)
    assert field in error.value.fields
    assert (_count(), _rows()) == before


def test_amounts_need_a_cost(world, now, three):
    with pytest.raises(ValidationFailed) as error:
        services.log_interaction(
            _data(world, three, cost="", spend=[{"contact_id": three[0].id, "amount": "5"}]),
            actor=world.rep_a,
            now=now,
        )
    assert "spend" in error.value.fields


def test_a_changed_cost_or_attendees_must_still_fit_the_amounts(world, now, three):
    ceo, wang, li = three
    given = [{"contact_id": ceo.id, "amount": "250"}, {"contact_id": wang.id, "amount": "50"}]
    logged = services.log_interaction(_data(world, three, spend=given), actor=world.rep_a, now=now)
    for change in ({"cost": "310"}, {"contact_ids": [ceo.id, li.id]}):
        with pytest.raises(ValidationFailed) as error:
            services.update_interaction(
                logged, {**change, "version": logged.version}, actor=world.rep_a, now=now
            )
        assert "spend" in error.value.fields
    db.session.refresh(logged)
    assert logged.cost == D("300.00") and _rows() == 2
    kept = services.update_interaction(
        logged,
        {"contact_ids": [ceo.id, wang.id], "version": logged.version},
        actor=world.rep_a,
        now=now,
    )
    assert {s.contact_id: s.amount for s in kept.spend_shares} == {
        ceo.id: D("250.00"),
        wang.id: D("50.00"),
    }


def test_the_api_takes_and_returns_them(app, world, now, three):
    ceo, wang, _li = three
    api = api_as(app, world.rep_a)
    body = {
        "account_id": world.account_a.id,
        "kind": "meal",
        "occurred_at": "2026-11-19T19:00:00+08:00",
        "summary": "Dinner",
        "contact_ids": [ceo.id, wang.id],
        "cost": "90.00",
    }
    created = api.post(
        "/interactions",
        json={
            **body,
            "spend": [
                {"contact_id": ceo.id, "amount": "60"},
                {"contact_id": wang.id, "amount": 30},
            ],
        },
    )
    assert created.status_code == 201
    assert created.get_json()["spend"] == [
        {"contact_id": ceo.id, "amount": "60.00"},
        {"contact_id": wang.id, "amount": "30.00"},
    ]
    before = _count(), _rows()
    refused = api.post(
        "/interactions", json={**body, "spend": [{"contact_id": ceo.id, "amount": "80"}]}
    )
    assert refused.status_code == 422 and "spend" in refused.get_json()["error"]["fields"]
    assert (_count(), _rows()) == before
    listed = api.get(f"/interactions?account_id={world.account_a.id}").get_json()["items"]
    assert [i["spend"] for i in listed if i["id"] == created.get_json()["id"]] == [
        created.get_json()["spend"]
    ]


def _form(world, people, amounts, **overrides):
    data = {
        "account_id": str(world.account_a.id),
        "kind": "meal",
        "occurred_at": "2026-11-20T19:00",
        "contact_ids": [str(c.id) for c in people],
        "participant_ids": [str(world.rep_a.id)],
        "summary": "Dinner with the CEO",
        "cost": "300",
        "spend_contact": [str(c.id) for c in people],
        "spend_amount": amounts,
    }
    return {**data, **overrides}


def test_the_quick_log_and_the_edit_form(client, world, now, three):
    ceo, wang, li = three
    login(client, world.rep_a)
    page = client.get(f"/interactions/new?account_id={world.account_a.id}").get_data(as_text=True)
    assert page.count('name="spend_amount"') == page.count('name="contact_ids"') >= 3
    before = _count(), _rows()
    refused = client.post("/interactions/new", data=_form(world, three, ["200", "50", "1"]))
    assert refused.status_code == 422 and (_count(), _rows()) == before
    text = refused.get_data(as_text=True)
    assert "The amounts per attendee must add up to the cost." in text
    assert 'value="200"' in text  # what was typed stays
    saved = client.post("/interactions/new", data=_form(world, three, ["200", "", "100"]))
    assert saved.status_code == 302
    logged = db.session.scalars(sa.select(Interaction).order_by(Interaction.id.desc())).first()
    assert {s.contact_id: s.amount for s in logged.spend_shares} == {
        ceo.id: D("200.00"),
        li.id: D("100.00"),
    }
    assert spend.spent_by_contact(world.account_a.id, 2026) == {
        ceo.id: D("200.00"),
        li.id: D("100.00"),
    }  # Wang came, with no share of the cost
    assert wang.id not in {s.contact_id for s in logged.spend_shares}
    edit = client.get(f"/interactions/{logged.id}/edit").get_data(as_text=True)
    assert 'value="200.00"' in edit and 'value="100.00"' in edit
    cleared = client.post(
        f"/interactions/{logged.id}/edit",
        data=_form(world, three, ["", "", ""], version=str(logged.version)),
    )
    assert cleared.status_code == 302 and _rows() == 0


def test_the_history_says_it_in_words(client, world, now, three):
    ceo, _wang, li = three
    login(client, world.rep_a)
    client.post(
        "/interactions/new", data=_form(world, three, ["200", "", "100"], spend_kind="gift")
    )
    logged = db.session.scalars(sa.select(Interaction).order_by(Interaction.id.desc())).first()
    page = client.get(f"/interactions/{logged.id}").get_data(as_text=True)
    assert "Spent on: — → Gifts" in page
    assert f"Shares of the cost: — → {ceo.name} 200 CNY, {li.name} 100 CNY" in page
