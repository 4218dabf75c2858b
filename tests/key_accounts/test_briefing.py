"""The visit briefing on a hand-built account: each attendee's last three contacts, rapport from
live ties (strengths written out), shared background (hometown with and without 省/市, school),
the suggested host; the account's open deals, expectations, requests (as the reader may see them)
and this year's spend. The API per role (outside the scope 404), bad input 422, a fixed number of
queries however many attendees."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from salesflow.auth.models import Role
from salesflow.extensions import db
from salesflow.key_accounts import briefing
from salesflow.key_accounts import expectations as expectation_services
from salesflow.requests.models import InternalRequest
from salesflow.requests.models import Status as RequestStatus
from tests import factories as f
from tests.conftest import api_as, sql_statements


def _request(world, *, requester, status, title):
    made = InternalRequest(
        kind="demo",
        title=title,
        account_id=world.account_a.id,
        requester_id=requester.id,
        assignee_id=world.rep_a2.id,
        needed_by=date(2026, 12, 4),
        status=status,
        created_at=world.now - timedelta(days=3),
    )
    db.session.add(made)
    return made


class Visit:
    """account_a's CIO and buyer coming to visit.

    | our person  | hometown | school        | with the CIO                                |
    |-------------|----------|---------------|---------------------------------------------|
    | rep_a       | 湖南长沙 | -             | today, 90 days ago (live: 1 + 0.5 = 1.5);   |
    |             |          |               | 200 days ago (outside the 180-day window)   |
    | rep_a2      | -        | 清华大学; MIT | 30 days ago (0.5 ** (30/90) = 0.794)        |
    | rep_b       | 长沙     | -             | -                                           |
    | leaver      | 长沙     | -             | deactivated: never suggested                |

    The CIO: 湖南省长沙市, 清华大学. The buyer: Wuhan, met once 400 days ago (with the CIO,
    cost 9, last year). A deleted contact yesterday and one planned for tomorrow are not among
    the CIO's last three.
    """

    def __init__(self, world, now) -> None:
        world.now = now
        a = world.account_a
        world.rep_a.hometown = "湖南长沙"
        world.rep_a2.education = "清华大学; MIT"
        world.rep_b.hometown = "长沙"
        self.leaver = f.make_user(role=Role.rep, team=world.team_a, name="Gone", active=False)
        self.leaver.hometown = "长沙"
        self.cio = f.make_contact(
            account=a,
            name="Chen CIO",
            title="CIO",
            decision_role="decision_maker",
            influence="high",
            attitude="supporter",
        )
        self.cio.hometown, self.cio.education = "湖南省长沙市", "清华大学"
        self.buyer = f.make_contact(account=a, name="Buyer Zhou", decision_role="user")
        self.buyer.hometown = "Wuhan"
        rep_a, rep_a2 = world.rep_a, world.rep_a2
        self.today = f.make_interaction(account=a, owner=rep_a, contacts=[self.cio], days_ago=0)
        self.d30 = f.make_interaction(account=a, owner=rep_a2, contacts=[self.cio], days_ago=30)
        self.d90 = f.make_interaction(account=a, owner=rep_a, contacts=[self.cio], days_ago=90)
        f.make_interaction(account=a, owner=rep_a, contacts=[self.cio], days_ago=200)
        f.make_interaction(account=a, owner=rep_a, contacts=[self.cio], days_ago=1, deleted=True)
        f.make_interaction(account=a, owner=rep_a, contacts=[self.cio], days_ago=-1)
        self.last_year = f.make_interaction(
            account=a, owner=rep_a, contacts=[self.cio, self.buyer], days_ago=400, cost=Decimal(9)
        )
        self.meal = f.make_interaction(
            account=a, owner=rep_a, contacts=[world.contact_a], days_ago=5, cost=Decimal("300.50")
        )
        self.deal = f.make_opportunity(account=a, name="Control system", amount=250_000)
        f.make_opportunity(account=a, name="Won last year", status="won")
        f.make_opportunity(account=world.account_b, name="Elsewhere")
        self.expectation = expectation_services.add_expectation(
            a,
            {"statement": "Spare parts in 48 hours", "category": "delivery", "owner_role": "FR"},
            actor=world.rep_a,
            now=now,
        )
        self.mine = _request(world, requester=rep_a, status=RequestStatus.open, title="Demo")
        _request(world, requester=rep_a, status=RequestStatus.done, title="Done demo")
        self.theirs = _request(
            world, requester=rep_a2, status=RequestStatus.in_progress, title="Their demo"
        )
        db.session.flush()


@pytest.fixture
def visit(world, now):
    return Visit(world, now)


def test_attendees_rapport_shared_background_and_host(world, now, visit):
    found = briefing.build(
        world.account_a, [visit.cio.id, visit.buyer.id], viewer=world.rep_a, now=now
    )
    cio, buyer = found.attendees
    assert cio.contact is visit.cio and buyer.contact is visit.buyer
    assert cio.last_interactions == [visit.today, visit.d30, visit.d90]
    assert [(r.user, round(r.strength, 3)) for r in cio.rapport] == [
        (world.rep_a, 1.5),
        (world.rep_a2, 0.794),
    ]
    assert [(s.user, s.field, s.value) for s in cio.shared_background] == [
        (world.rep_a, "hometown", "湖南省长沙市"),  # 湖南长沙 without 省/市
        (world.rep_b, "hometown", "湖南省长沙市"),  # 长沙 alone
        (world.rep_a2, "education", "清华大学"),
    ]
    assert cio.suggested_host is world.rep_a  # shares the hometown and knows the CIO best
    assert buyer.last_interactions == [visit.last_year]  # however old, no live tie from it
    assert (buyer.rapport, buyer.shared_background) == ([], [])
    assert buyer.suggested_host is None
    assert found.on == date(2026, 11, 20)


def test_the_accounts_open_work_and_spend(world, now, visit):
    found = briefing.build(
        world.account_a, [visit.cio.id], viewer=world.rep_a, now=now, on=date(2026, 12, 3)
    )
    assert found.on == date(2026, 12, 3)
    assert found.open_opportunities == [visit.deal]
    assert found.open_expectations == [visit.expectation]
    assert found.open_requests == [visit.mine]  # rep_a did not ask or get asked the other one
    assert found.spend_this_year == {"CNY": Decimal("300.50")}  # last year's 9 left out
    seen_by_director = briefing.build(
        world.account_a, [visit.cio.id], viewer=world.director_a, now=now
    )
    assert seen_by_director.open_requests == [visit.mine, visit.theirs]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Choose who is coming."),
        (" , ", "Choose who is coming."),
        ("1,x", "Choose contacts."),
        ("-1", "Choose contacts."),
        ("99999999999", "Choose contacts."),
        (",".join(str(i) for i in range(1, 22)), "Choose at most 20 people."),
    ],
)
def test_contact_ids_refused(ctx, raw, message):
    with pytest.raises(briefing.ValidationFailed) as refused:
        briefing.parse_contact_ids(raw)
    assert refused.value.fields == {"contact_ids": [message]}


def test_contact_ids_in_order_without_repeats(ctx):
    assert briefing.parse_contact_ids("3, 1,3,,2") == [3, 1, 2]


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep_a", 200), ("director_a", 200), ("leader", 200), ("admin", 200), ("rep_b", 404)],
)
def test_api_per_role(app, world, now, visit, who, status):
    api = api_as(app, getattr(world, who))
    response = api.get(
        f"/accounts/{world.account_a.id}/briefing?contact_ids={visit.cio.id}&on=2026-12-03"
    )
    assert response.status_code == status
    if status != 200:
        return
    body = response.get_json()
    assert (body["account_id"], body["on"]) == (world.account_a.id, "2026-12-03")
    [cio] = body["attendees"]
    assert {k: cio[k] for k in ("contact_id", "name", "title", "decision_role", "attitude")} == {
        "contact_id": visit.cio.id,
        "name": "Chen CIO",
        "title": "CIO",
        "decision_role": "decision_maker",
        "attitude": "supporter",
    }
    assert cio["profile"]["hometown"] == "湖南省长沙市"
    assert [i["id"] for i in cio["last_interactions"]] == [
        visit.today.id,
        visit.d30.id,
        visit.d90.id,
    ]
    assert cio["rapport"] == [
        {"user_id": world.rep_a.id, "strength": 1.5},
        {"user_id": world.rep_a2.id, "strength": 0.794},
    ]
    assert cio["shared_background"] == [
        {"user_id": world.rep_a.id, "field": "hometown", "value": "湖南省长沙市"},
        {"user_id": world.rep_b.id, "field": "hometown", "value": "湖南省长沙市"},
        {"user_id": world.rep_a2.id, "field": "education", "value": "清华大学"},
    ]
    assert cio["suggested_host_id"] == world.rep_a.id
    assert [o["name"] for o in body["open_opportunities"]] == ["Control system"]
    assert [e["statement"] for e in body["open_expectations"]] == ["Spare parts in 48 hours"]
    assert body["spend_this_year"] == {"CNY": "300.50"}


@pytest.mark.parametrize(
    "query",
    [
        "",  # contact_ids missing
        "contact_ids=",
        "contact_ids=abc",
        "contact_ids=1&on=2026-13-01",
        "contact_ids=1&on=tomorrow",
    ],
)
def test_api_bad_input_422(app, world, now, query):
    api = api_as(app, world.rep_a)
    response = api.get(f"/accounts/{world.account_a.id}/briefing?{query}")
    assert response.status_code in (400, 422)


def test_api_contact_of_another_account_422(app, world, now, visit):
    api = api_as(app, world.rep_a)
    ids = f"{visit.cio.id},{world.contact_b.id}"
    response = api.get(f"/accounts/{world.account_a.id}/briefing?contact_ids={ids}")
    assert response.status_code == 422
    assert "contact_ids" in str(response.get_json())


def test_api_fixed_number_of_queries(app, world, now, visit):
    api = api_as(app, world.rep_a)
    path = f"/accounts/{world.account_a.id}/briefing?contact_ids="
    with sql_statements() as one:
        assert api.get(path + str(visit.cio.id)).status_code == 200
    more = [f.make_contact(account=world.account_a, name=f"Guest {i}") for i in range(6)]
    for guest in more:
        f.make_interaction(account=world.account_a, owner=world.rep_a, contacts=[guest], days_ago=2)
    ids = ",".join(str(c.id) for c in [visit.cio, visit.buyer, *more])
    db.session.commit()
    with sql_statements() as eight:
        assert api.get(path + ids).status_code == 200
    assert len(eight) == len(one)
