"""The deal page's buying roles per role: everyone who sees the deal reads its contacts, their role
in it and the single-threaded badge; whoever may reseat the deal (scope.can_set_roles) adds,
changes or removes a contact with the page's button; a refusal keeps nothing; a fixed number of
queries however many contacts the deal lists."""

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.key_accounts import deal_roles
from salesflow.key_accounts.deal_roles_models import OpportunityContact
from tests import factories as f
from tests.conftest import login, sql_statements


@pytest.fixture
def deal(world):
    """account_a's deal with rep_a as its AR; Zhang Wei (decision maker) tied to rep_a alone."""
    return f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})


def _page(client, user, deal):
    return login(client, user).get(f"/opportunities/{deal.id}")


def _post(client, user, deal, **data):
    data.setdefault("version", str(deal.version))
    return login(client, user).post(f"/opportunities/{deal.id}/contacts", data=data)


@pytest.mark.parametrize(
    ("who", "status", "form"),
    [
        ("rep_a", 200, True),  # the AR
        ("rep_a2", 200, False),  # sees the account, does not lead the deal
        ("director_a", 200, True),
        ("leader", 200, True),
        ("rep_b", 404, False),
        ("director_b", 404, False),
    ],
)
def test_page_per_role(client, world, deal, who, status, form):
    page = _page(client, getattr(world, who), deal)
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert ('id="buying-roles-add"' in html) == form
    if status == 200:
        assert "Buying roles in this deal" in html and "Zhang Wei" in html
        assert "Single-threaded" in html


def test_a_second_holder_clears_the_badge(client, world, deal):
    f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[world.contact_a])
    html = _page(client, world.rep_a, deal).get_data(as_text=True)
    assert "Zhang Wei" in html and "Single-threaded" not in html


def test_the_ar_adds_changes_and_removes_a_contact(client, world, deal):
    wang = f.make_contact(account=world.account_a, name="Wang Qiang", decision_role="user")
    answer = _post(client, world.rep_a, deal, contact_id=str(wang.id), role="decision_maker")
    assert answer.status_code == 303 and answer.location.endswith("#buying-roles")
    # the key contact shown by default stays beside the one added
    assert deal_roles.contact_rows(deal) == sorted(
        [
            {"contact_id": world.contact_a.id, "role": "decision_maker"},
            {"contact_id": wang.id, "role": "decision_maker"},
        ],
        key=lambda r: r["contact_id"],
    )
    html = _page(client, world.rep_a, deal).get_data(as_text=True)
    assert "at the account: User" in html
    assert "Wang Qiang (Decision maker)" in html  # the history, in words
    _post(client, world.rep_a, deal, contact_id=str(wang.id), role="coach")
    assert {"contact_id": wang.id, "role": "coach"} in deal_roles.contact_rows(deal)
    _post(client, world.rep_a, deal, contact_id=str(wang.id), role="coach", remove="1")
    assert [r["contact_id"] for r in deal_roles.contact_rows(deal)] == [world.contact_a.id]


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OpportunityContact))


@pytest.mark.parametrize(
    "data",
    [
        {"contact_id": "contact_b", "role": "user"},  # another account's contact: set below
        {"contact_id": "contact_a", "role": "boss"},
        {"contact_id": "nonsense", "role": "user"},
        {"contact_id": "contact_a", "role": "user", "version": "99"},
        {"contact_id": "contact_a", "role": "user", "version": "²"},
    ],
)
def test_bad_input_is_refused_in_a_flash_keeping_nothing(client, world, deal, data):
    data = dict(data)
    if data["contact_id"] in ("contact_a", "contact_b"):
        data["contact_id"] = str(getattr(world, data["contact_id"]).id)
    answer = _post(client, world.rep_a, deal, **data)
    assert answer.status_code == 303
    assert _rows() == 0
    html = client.get(answer.location).get_data(as_text=True)
    assert "alert-danger" in html


def test_who_may_not_reseat_the_deal_is_refused(client, world, deal):
    answer = _post(client, world.rep_a2, deal, contact_id=str(world.contact_a.id), role="user")
    assert answer.status_code == 303 and _rows() == 0
    assert _post(client, world.rep_b, deal, contact_id="1", role="user").status_code == 404


def test_the_panel_reads_a_fixed_number_of_queries(client, world, deal):
    def count() -> int:
        login(client, world.rep_a)
        with sql_statements() as seen:
            assert client.get(f"/opportunities/{deal.id}").status_code == 200
        return len(seen)

    db.session.add(
        OpportunityContact(opportunity_id=deal.id, contact_id=world.contact_a.id, role="user")
    )
    few = count()
    for n in range(6):
        contact = f.make_contact(account=world.account_a, name=f"Dm {n}", decision_role="user")
        db.session.add(
            OpportunityContact(opportunity_id=deal.id, contact_id=contact.id, role="decision_maker")
        )
        f.make_interaction(account=world.account_a, owner=world.rep_a2, contacts=[contact])
    db.session.flush()
    assert count() == few


def _board(client, user):
    login(client, user)
    return client.get("/pipeline?playbook=enterprise&filtered=1").get_data(as_text=True)


def test_the_board_badges_single_threaded_cards_in_one_query(client, world, deal):
    """The first card: Zhang Wei held by rep_a alone; the second's decision maker in the deal is
    held by two people; the badge links to the deal's buying roles."""
    two = f.make_opportunity(account=world.account_a, name="Held twice")
    wang = f.make_contact(account=world.account_a, name="Wang Qiang")
    db.session.add(
        OpportunityContact(opportunity_id=two.id, contact_id=wang.id, role="decision_maker")
    )
    f.make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        participants=[world.rep_a, world.rep_a2],
        contacts=[wang],
    )
    html = _board(client, world.director_a)
    assert html.count('class="badge text-bg-warning text-decoration-none single-threaded"') == 1
    assert f"/opportunities/{deal.id}#buying-roles" in html
    assert f"/opportunities/{two.id}#buying-roles" not in html
    cards = client.get("/pipeline/cards?playbook=enterprise&stage=validate&filtered=1").text
    assert f"/opportunities/{deal.id}#buying-roles" in cards


def test_the_board_asks_once_for_every_shown_card(client, world, deal):
    for _ in range(8):
        f.make_opportunity(account=world.account_a)
    login(client, world.director_a)
    with sql_statements() as seen:
        client.get("/pipeline?playbook=enterprise&filtered=1")
    assert sum("deal_decision_makers" in s for s in seen) == 1


def test_the_review_badges_single_threaded_deals_over_their_limit(client, world, deal):
    """Two deals over their stage's limit: Zhang Wei holds the first (rep_a alone); the second is
    on account_b, whose contact decides nothing."""
    f.make_opportunity(account=world.account_a, name="Late one", days_in_stage=60)
    f.make_opportunity(account=world.account_b, name="Late south", days_in_stage=60)
    login(client, world.leader)
    with sql_statements() as seen:
        html = client.get("/pipeline/review").get_data(as_text=True)
    assert "Late one" in html and "Late south" in html
    assert sum("deal_decision_makers" in s for s in seen) == 1

    def facts_after(name: str) -> str:  # the deal's facts beside its name on the first list
        start = html.index("deal-facts", html.index(name))
        return html[start : html.index("</span>\n", start)]

    assert "Single-threaded" in facts_after("Late one")
    assert "Single-threaded" not in facts_after("Late south")
