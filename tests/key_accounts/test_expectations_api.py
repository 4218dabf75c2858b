"""API: GET, POST /accounts/{id}/expectations — the register with its satisfaction trend, per role
(outside the scope 404), a new expectation or a perception (201), malformed bodies 400/422 with
nothing kept, and a fixed number of queries however long the register."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.key_accounts.expectations_models import AccountExpectation, PerceptionRecord
from tests.conftest import api_as


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


EXPECTATION = {
    "statement": "Spare parts within 48 hours",
    "category": "delivery",
    "owner_role": "FR",
    "due": "2026-12-31",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep_a", 200), ("director_a", 200), ("leader", 200), ("admin", 200), ("rep_b", 404)],
)
def test_get_per_role(app, world, now, who, status):
    api = api_as(app, getattr(world, who))
    response = api.get(f"/accounts/{world.account_a.id}/expectations")
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert body["account_id"] == world.account_a.id
        assert body["expectations"] == [] and body["perceptions"] == []
        assert body["satisfaction"]["gap"] is None
        assert [q["quarter"] for q in body["satisfaction"]["quarters"]] == [
            "2026-01-01",
            "2026-04-01",
            "2026-07-01",
            "2026-10-01",
        ]


def test_post_an_expectation_then_a_perception(app, world, now):
    api = api_as(app, world.rep_a)
    path = f"/accounts/{world.account_a.id}/expectations"
    created = api.post(path, json={"expectation": EXPECTATION})
    assert created.status_code == 201
    [e] = created.get_json()["expectations"]
    assert (e["statement"], e["status"], e["owner_role"], e["due"], e["version"]) == (
        "Spare parts within 48 hours",
        "open",
        "FR",
        "2026-12-31",
        1,
    )
    perceived = api.post(
        path,
        json={
            "perception": {
                "perceived": 2,
                "expected": 4,
                "source": "complaint",
                "contact_id": world.contact_a.id,
                "at": "2026-11-19T10:00:00+08:00",
            }
        },
    )
    assert perceived.status_code == 201
    body = perceived.get_json()
    [p] = body["perceptions"]
    assert (p["gap"], p["contact_id"], p["at"]) == (-2, world.contact_a.id, "2026-11-19T02:00:00Z")
    assert (body["satisfaction"]["gap"], body["satisfaction"]["records"]) == (-2.0, 1)
    assert body["satisfaction"]["quarters"][-1] == {
        "quarter": "2026-10-01",
        "gap": -2.0,
        "records": 1,
    }


@pytest.mark.parametrize(
    "body",
    [
        {},  # neither
        {"expectation": EXPECTATION, "perception": {"perceived": 1, "expected": 1}},  # both
        {"expectation": {**EXPECTATION, "category": "weather"}},
        {"expectation": {**EXPECTATION, "statement": ""}},
        {"expectation": {**EXPECTATION, "statement": "x" * 2001}},
        {"expectation": {**EXPECTATION, "due": "2026-02-30"}},
        {"expectation": {**EXPECTATION, "colour": "red"}},
        {"expectation": {**EXPECTATION, "statement": "a\u0000b"}},
        {"perception": {"perceived": 6, "expected": 1, "source": "survey"}},
        {"perception": {"perceived": "3", "expected": 1, "source": "survey"}},
        {"perception": {"perceived": 3, "expected": 1, "source": "rumour"}},
        {"perception": {"perceived": 3, "expected": 1, "source": "survey", "at": "2026-11-19"}},
        {"perception": {"perceived": 3, "expected": 1, "source": "survey", "contact_id": "1"}},
    ],
)
def test_malformed_bodies_are_refused_and_keep_nothing(app, world, now, body):
    api = api_as(app, world.rep_a)
    response = api.post(f"/accounts/{world.account_a.id}/expectations", json=body)
    assert response.status_code in {400, 422}
    assert "error" in response.get_json()
    assert _count(AccountExpectation) == 0 and _count(PerceptionRecord) == 0


def test_domain_refusals_are_422_with_the_fields(app, world, now):
    api = api_as(app, world.rep_a)
    response = api.post(
        f"/accounts/{world.account_a.id}/expectations",
        json={
            "perception": {
                "perceived": 3,
                "expected": 4,
                "source": "meeting",
                "contact_id": world.contact_b.id,  # another account's contact
                "at": "2026-12-01T00:00:00+08:00",  # in the future
            }
        },
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"contact_id", "at"}
    assert _count(PerceptionRecord) == 0


def test_outside_the_scope_post_is_404_and_keeps_nothing(app, world, now):
    api = api_as(app, world.rep_b)
    response = api.post(
        f"/accounts/{world.account_a.id}/expectations", json={"expectation": EXPECTATION}
    )
    assert response.status_code == 404 and _count(AccountExpectation) == 0


def test_get_reads_a_fixed_number_of_queries(app, world, now):
    from tests.conftest import sql_statements

    api = api_as(app, world.admin)
    path = f"/accounts/{world.account_a.id}/expectations"

    def add() -> None:
        db.session.add(
            AccountExpectation(
                account_id=world.account_a.id,
                statement="s",
                category="service",
                owner_role="AR",
                created_at=now,
            )
        )
        db.session.add(
            PerceptionRecord(
                account_id=world.account_a.id,
                contact_id=world.contact_a.id,
                perceived=3,
                expected=4,
                source="survey",
                at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )
        db.session.commit()

    add()
    with sql_statements() as first:
        assert api.get(path).status_code == 200
    for _n in range(5):
        add()
    with sql_statements() as second:
        body = api.get(path).get_json()
    assert len(body["expectations"]) == 6
    assert len(second) == len(first)
