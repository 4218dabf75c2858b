"""The account plan: objectives measured by the data against a hand-built account, the SWOT the
data suggests, and GET, PUT /accounts/{id}/plan per role, with bad input and stale versions.

"Planned" (frozen now 2026-11-20), our people rep_a (Li Ming) and rep_a2:

| contact | role / influence / level          | attitude  | live ties     |
|---------|-----------------------------------|-----------|---------------|
| cio     | decision_maker / high / executive | neutral   | rep_a, rep_a2 |
| cfo     | decision_maker / medium / -       | supporter | rep_a         |

| interaction | kind       | when       | with | executive exchange? |
|-------------|------------|------------|------|---------------------|
| q4          | exec_visit | 10 days    | cio  | yes, Q4 2026        |
| cfo visit   | visit      | 50 days    | cfo  | no                  |
| q1          | exec_visit | 2026-02-10 | cio  | yes, Q1 2026        |
| q2 deleted  | exec_visit | 2026-05-10 | cio  | no (deleted)        |
| last year   | exec_visit | 2025-08-10 | cio  | no (2025)           |

Objectives of the 2026 plan, and their expected progress on 2026-11-20:

| objective                    | due        | progress                       | behind |
|------------------------------|------------|--------------------------------|--------|
| cio at supporter             | 2026-06-30 | neutral 2 / supporter 3 = 0.6667 | yes (past due) |
| every DM held by 2           | 2026-12-31 | (cio 2/2 + cfo 1/2) / 2 = 0.75 | yes (< 323/364) |
| executive exchange a quarter | 2026-12-31 | Q1, Q4 = 2 / 4 = 0.5           | yes    |
| cfo at supporter             | 2026-12-31 | 3 / 3 = 1.0                    | no (met) |

Overall: (0.6667 + 0.75 + 0.5 + 1) / 4 = 0.7292.
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from salesflow.key_accounts import plans_pages, plans_progress, plans_swot
from salesflow.key_accounts.plans_models import AccountPlan, PlanObjective
from tests import factories as f
from tests.conftest import api_as, sql_statements


class Planned:
    def __init__(self, world):
        a = f.make_account(team=world.team_a, name="Planned", members={world.rep_a: "AR"})
        self.account = a
        rep_a, rep_a2 = world.rep_a, world.rep_a2
        self.cio = f.make_contact(
            account=a,
            name="CIO",
            decision_role="decision_maker",
            influence="high",
            level="executive",
            attitude="neutral",
        )
        self.cfo = f.make_contact(
            account=a, name="CFO", decision_role="decision_maker", attitude="supporter"
        )
        f.make_interaction(
            account=a,
            owner=rep_a,
            participants=[rep_a, rep_a2],
            contacts=[self.cio],
            kind="exec_visit",
            days_ago=10,
        )
        f.make_interaction(account=a, owner=rep_a, contacts=[self.cfo], days_ago=50)
        for when, deleted in (
            (datetime(2026, 2, 10, 3, tzinfo=UTC), False),
            (datetime(2026, 5, 10, 3, tzinfo=UTC), True),
            (datetime(2025, 8, 10, 3, tzinfo=UTC), False),
        ):
            f.make_interaction(
                account=a,
                owner=rep_a,
                contacts=[self.cio],
                kind="exec_visit",
                occurred_at=when,
                deleted=deleted,
            )

    def body(self, **extra):
        return {
            "vision": "Their preferred partner for the grid upgrade",
            "objectives": [
                {
                    "kind": "contact_attitude",
                    "title": "CIO at supporter by June",
                    "due": "2026-06-30",
                    "params": {"contact_id": self.cio.id, "attitude": "supporter"},
                },
                {
                    "kind": "decision_makers_held",
                    "title": "Every decision maker held by two",
                    "due": "2026-12-31",
                    "params": {"people": 2},
                },
                {
                    "kind": "executive_exchange",
                    "title": "An executive exchange every quarter",
                    "due": "2026-12-31",
                },
                {
                    "kind": "contact_attitude",
                    "title": "CFO stays a supporter",
                    "due": "2026-12-31",
                    "params": {"contact_id": self.cfo.id, "attitude": "supporter"},
                },
            ],
            **extra,
        }


@pytest.fixture
def planned(world):
    return Planned(world)


def test_objectives_are_measured_by_the_data(app, planned, world, now):
    api = api_as(app, world.rep_a)
    response = api.put(f"/accounts/{planned.account.id}/plan?year=2026", json=planned.body())
    assert response.status_code == 200, response.json
    got = response.json
    assert [o["progress"] for o in got["objectives"]] == [0.6667, 0.75, 0.5, 1.0]
    assert [o["behind"] for o in got["objectives"]] == [True, True, True, False]
    assert [o["met"] for o in got["objectives"]] == [False, False, False, True]
    assert got["progress"] == 0.7292
    assert got["version"] == 1 and got["year"] == 2026


def test_a_deactivated_holder_no_longer_holds_a_decision_maker(app, planned, world, now):
    api = api_as(app, world.rep_a)
    api.put(f"/accounts/{planned.account.id}/plan?year=2026", json=planned.body())
    world.rep_a2.active = False
    db.session.flush()
    got = api.get(f"/accounts/{planned.account.id}/plan?year=2026").json
    assert got["objectives"][1]["progress"] == 0.5  # (cio 1/2 + cfo 1/2) / 2


def test_behind_is_measured_against_the_time_passed():
    o = PlanObjective(kind="executive_exchange", title="x", due=date(2026, 12, 31), params={})
    assert plans_progress.behind(o, 2026, 0.5, date(2026, 7, 3)) is True  # 0.5 < 183/364
    assert plans_progress.behind(o, 2026, 0.5, date(2026, 7, 2)) is False  # 0.5 = 182/364
    assert plans_progress.behind(o, 2026, 0.0, date(2026, 1, 1)) is False
    assert plans_progress.behind(o, 2026, 1.0, date(2027, 1, 5)) is False
    assert plans_progress.behind(o, 2026, 0.9, date(2027, 1, 1)) is True


def test_swot_suggestions_say_what_the_data_says(world, now):
    a = f.make_account(team=world.team_a, name="Single")
    boss = f.make_contact(account=a, name="Boss", decision_role="decision_maker", influence="high")
    f.make_contact(account=a, name="Absent", decision_role="decision_maker")
    friend = f.make_contact(account=a, name="Friend", attitude="champion")
    f.make_contact(account=a, name="Never", attitude="champion")
    met = f.make_contact(account=a, name="Recent", attitude="champion")
    f.make_interaction(account=a, owner=world.rep_a, contacts=[boss, met], days_ago=5)
    f.make_interaction(account=a, owner=world.rep_a, contacts=[friend], days_ago=120)
    got = plans_swot.suggest(a.id, now)
    assert got.weaknesses == [
        "Bus factor 1: if Li Ming left, half of the key relationships would have no live tie.",
        "Decision maker Absent: nobody of ours holds a live tie.",
    ]
    assert got.threats == ["Champion Friend: not met for 120 days.", "Champion Never: never met."]


def test_get_without_a_plan_offers_the_suggestions(app, planned, world, now):
    got = api_as(app, world.rep_a).get(f"/accounts/{planned.account.id}/plan").json
    assert got["year"] == 2026 and got["version"] is None and got["objectives"] == []
    assert got["progress"] is None and got["vision"] is None
    assert got["suggestions"]["weaknesses"] == []  # bus factor 2, both decision makers held


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_everyone_who_sees_the_account_reads_and_saves_its_plan(app, planned, world, who):
    api = api_as(app, getattr(world, who))
    path = f"/accounts/{planned.account.id}/plan?year=2027"
    assert api.get(path).status_code == 200
    assert api.put(path, json={"vision": "Grow"}).json["vision"] == "Grow"


@pytest.mark.parametrize("who", ["rep_b", "director_b"])
def test_a_plan_outside_scope_is_404(app, planned, world, who):
    api = api_as(app, getattr(world, who))
    path = f"/accounts/{planned.account.id}/plan"
    assert api.get(path).status_code == 404
    assert api.put(path, json={"vision": "x"}).status_code == 404


def test_updates_need_the_version_read_and_a_stale_one_is_409(app, planned, world):
    api = api_as(app, world.rep_a)
    path = f"/accounts/{planned.account.id}/plan?year=2026"
    assert api.put(path, json=planned.body()).json["version"] == 1
    assert api.put(path, json={"vision": "Other"}).status_code == 422
    second = api.put(path, json=planned.body(version=1, vision="Second"))
    assert second.json["version"] == 2
    assert api.put(path, json=planned.body(version=1, vision="Lost")).status_code == 409
    objectives_only = planned.body(version=2, vision="Second")
    objectives_only["objectives"] = objectives_only["objectives"][:1]
    assert api.put(path, json=objectives_only).json["version"] == 3
    assert api.get(path).json["vision"] == "Second"


def test_bad_objectives_are_refused_all_at_once_and_nothing_is_saved(app, planned, world):
    other = f.make_contact(account=world.account_a, name="Elsewhere")
    api = api_as(app, world.rep_a)
    path = f"/accounts/{planned.account.id}/plan?year=2026"
    body = {
        "vision": "Kept?",
        "objectives": [
            {
                "kind": "contact_attitude",
                "title": "Someone else's contact",
                "due": "2026-06-30",
                "params": {"contact_id": other.id, "attitude": "opponent"},
            },
            {
                "kind": "decision_makers_held",
                "title": "Too many",
                "due": "2026-12-31",
                "params": {"people": 50},
            },
        ],
    }
    response = api.put(path, json=body)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "objectives.0.contact_id",
        "objectives.0.attitude",
        "objectives.1.people",
    }
    assert api.get(path).json["version"] is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountPlan)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"objectives": [{"kind": "ticked_by_hand", "title": "x", "due": "2026-01-01"}]},
        {"objectives": [{"kind": "executive_exchange", "title": "", "due": "2026-01-01"}]},
        {"objectives": [{"kind": "executive_exchange", "title": "x", "due": "June"}]},
        {"vision": 5},
        {"colour": "red"},
    ],
)
def test_malformed_plans_are_422(app, planned, world, body):
    response = api_as(app, world.rep_a).put(f"/accounts/{planned.account.id}/plan", json=body)
    assert response.status_code == 422


@pytest.mark.parametrize("year", ["1999", "abc", "2101"])
def test_a_bad_year_is_refused(app, planned, world, year):
    response = api_as(app, world.rep_a).get(f"/accounts/{planned.account.id}/plan?year={year}")
    assert response.status_code in (400, 422)


def test_saving_a_plan_is_audited(app, planned, world):
    api = api_as(app, world.rep_a)
    path = f"/accounts/{planned.account.id}/plan?year=2026"
    api.put(path, json=planned.body())
    api.put(path, json={"version": 1, "vision": "Changed"})
    plan = db.session.scalar(sa.select(AccountPlan))
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "account_plans", AuditEntry.entity_id == plan.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].actor_id == world.rep_a.id and entries[0].changes["year"] == [None, 2026]
    assert len(entries[0].changes["objectives"][1]) == 4
    assert entries[1].changes["vision"] == [
        "Their preferred partner for the grid upgrade",
        "Changed",
    ]
    assert entries[1].changes["objectives"][1] == []


def test_the_plan_reads_a_fixed_number_of_queries_however_many_objectives(app, planned, world, now):
    api = api_as(app, world.rep_a)
    api.put(f"/accounts/{planned.account.id}/plan?year=2026", json=planned.body())
    one = planned.body()
    one["objectives"] = one["objectives"][:1]
    api.put(f"/accounts/{planned.account.id}/plan?year=2027", json=one)
    plans_pages.build(planned.account, world.rep_a, 2026, now)  # the account and reader loaded
    counts = []
    for year in (2026, 2027):
        with sql_statements() as seen:
            plans_pages.build(planned.account, world.rep_a, year, now)
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 12


def test_a_plan_saved_twice_in_one_transaction_compares_its_new_objectives(planned, world, now):
    """The second save reads the objectives the first one made, before anything reloads them."""
    from salesflow.key_accounts import plans_services

    body = planned.body()
    for objective in body["objectives"]:  # as the API and the form hand them over
        objective["due"] = date.fromisoformat(objective["due"])
    plan = plans_services.save_plan(planned.account, 2026, body, actor=world.rep_a, now=now)
    again = {**body, "version": plan.version, "objectives": body["objectives"][:1]}
    plan = plans_services.save_plan(planned.account, 2026, again, actor=world.rep_a, now=now)
    assert [o.title for o in plan.objectives] == ["CIO at supporter by June"]
