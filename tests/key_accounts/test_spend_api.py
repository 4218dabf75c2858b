"""API: GET, PUT /accounts/{id}/budget?year= — per role (outside the scope 404; setting it is the
team director's, leadership's and admins'), stale versions 409, malformed bodies 400/422 with
nothing kept, and a fixed number of queries however many contacts were logged."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.key_accounts.spend_models import AccountBudget
from tests import factories as f
from tests.conftest import api_as, sql_statements


def _budgets() -> list[tuple]:
    return db.session.execute(
        sa.select(AccountBudget.currency, AccountBudget.amount).order_by(AccountBudget.currency)
    ).all()


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep_a", 200), ("director_a", 200), ("leader", 200), ("admin", 200), ("rep_b", 404)],
)
def test_get_per_role(app, world, now, who, status):
    f.make_interaction(
        account=world.account_a, owner=world.rep_a, kind="meal", cost=Decimal("88.8")
    )
    response = api_as(app, getattr(world, who)).get(f"/accounts/{world.account_a.id}/budget")
    assert response.status_code == status
    if status == 200:
        assert response.get_json() == {
            "account_id": world.account_a.id,
            "year": 2026,
            "amounts": {},
            "versions": {},
            "spent": {"CNY": "88.80"},
            "by_kind": {"meal": {"CNY": "88.80"}},
            "left": {},
        }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep_a", 403),
        ("rep_a2", 403),
        ("director_a", 200),
        ("leader", 200),
        ("admin", 200),
        ("director_b", 404),
        ("rep_b", 404),
    ],
)
def test_put_per_role(app, world, now, who, status):
    api = api_as(app, getattr(world, who))
    response = api.put(
        f"/accounts/{world.account_a.id}/budget?year=2027", json={"amounts": {"CNY": "5000"}}
    )
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert (body["year"], body["amounts"], body["versions"], body["left"]) == (
            2027,
            {"CNY": "5000.00"},
            {"CNY": 1},
            {"CNY": "5000.00"},
        )
        assert _budgets() == [("CNY", Decimal("5000.00"))]
    else:
        assert _budgets() == []


def test_put_stale_version_is_409_and_keeps_the_budget(app, world, now):
    api = api_as(app, world.director_a)
    path = f"/accounts/{world.account_a.id}/budget"
    assert api.put(path, json={"amounts": {"CNY": "100"}}).status_code == 200
    changed = api.put(path, json={"amounts": {"CNY": "150"}, "versions": {"CNY": 1}})
    assert changed.status_code == 200 and changed.get_json()["versions"] == {"CNY": 2}
    stale = api.put(path, json={"amounts": {"CNY": "1"}, "versions": {"CNY": 1}})
    assert stale.status_code == 409
    unread = api.put(path, json={"amounts": {"CNY": "1"}})
    assert unread.status_code == 422
    assert _budgets() == [("CNY", Decimal("150.00"))]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"amounts": {"CNY": "-5"}}, 422),
        ({"amounts": {"CNY": "5", "cny": "1"}}, 422),
        ({"amounts": {}}, 422),
        ({"amounts": {"CNY": [1]}}, 422),
        ({"amounts": {"CNY": "5"}, "surplus": 1}, 422),
        ({}, 422),
        ("not json", 400),
    ],
)
def test_put_bad_input_keeps_nothing(app, world, now, body, status):
    api = api_as(app, world.admin)
    path = f"/accounts/{world.account_a.id}/budget"
    if isinstance(body, str):
        response = api.put(path, data=body, headers={"Content-Type": "application/json"})
    else:
        response = api.put(path, json=body)
    assert response.status_code == status
    assert _budgets() == []


@pytest.mark.parametrize("query", ["year=1999", "year=abc", "year=2101"])
def test_bad_year(app, world, now, query):
    response = api_as(app, world.admin).get(f"/accounts/{world.account_a.id}/budget?{query}")
    assert response.status_code in {400, 422}


def test_get_reads_a_fixed_number_of_queries(app, world, now):
    api = api_as(app, world.leader)
    path = f"/accounts/{world.account_a.id}/budget"

    def count() -> int:
        with sql_statements() as seen:
            assert api.get(path).status_code == 200
        return len(seen)

    db.session.commit()
    few = count()
    for i in range(10):
        f.make_interaction(
            account=world.account_a,
            owner=world.rep_a,
            kind=["meal", "visit", "event"][i % 3],
            cost=Decimal(i + 1),
        )
    db.session.commit()
    assert count() == few
