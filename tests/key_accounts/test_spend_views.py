"""Relationship budget and spend pages per role: the panel on the account page (everyone who sees
the account; the budget's form for the team's director, leadership and admins), the budget's
button (refusals keep nothing, outside the scope 404, stale versions refused), and the spend page
per team, per AR and per account (directors their team, leadership and admins every team, reps
refused) in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.services import update_contact
from salesflow.dependency.models import AccountSnapshot
from salesflow.extensions import db
from salesflow.key_accounts import spend, spend_pages
from salesflow.key_accounts.spend_models import AccountBudget
from tests import factories as f
from tests.conftest import login, sql_statements

D = Decimal


def _budgets() -> list[tuple]:
    return db.session.execute(
        sa.select(AccountBudget.account_id, AccountBudget.currency, AccountBudget.amount)
    ).all()


@pytest.fixture
def spent(world, now):
    """account_a: budget 400.00 CNY, a meal of 300.00 and a visit of 170.00 (470.00: 70.00
    over); account_b (team B): budget 90.00, a meal of 40.00."""
    spend.save_budget(
        world.account_a, 2026, {"amounts": {"CNY": "400"}}, actor=world.admin, now=now
    )
    spend.save_budget(world.account_b, 2026, {"amounts": {"CNY": "90"}}, actor=world.admin, now=now)
    a, b = world.account_a, world.account_b
    f.make_interaction(account=a, owner=world.rep_a, kind="meal", cost=D("300"))
    f.make_interaction(account=a, owner=world.rep_a, kind="site_visit", cost=D("170"))
    f.make_interaction(account=b, owner=world.rep_b, kind="meal", cost=D("40"))


@pytest.mark.parametrize(
    ("who", "status", "form"),
    [
        ("rep_a", 200, False),
        ("director_a", 200, True),
        ("leader", 200, True),
        ("admin", 200, True),
        ("rep_b", 404, False),
        ("director_b", 404, False),
    ],
)
def test_panel_per_role(client, world, spent, who, status, form):
    page = login(client, getattr(world, who)).get(f"/accounts/{world.account_a.id}")
    assert page.status_code == status
    if status == 200:
        html = page.get_data(as_text=True)
        assert 'id="spend"' in html and "Relationship budget 2026" in html
        assert "Budget 400 CNY, spent 470 CNY" in html
        assert "Over budget by 70 CNY" in html
        assert "Meals: 300 CNY" in html and "Visits: 170 CNY" in html
        assert ('id="budget-form"' in html) == form
        assert ('href="/key-accounts/spend?year=2026"' in html) == (who != "rep_a")


def test_panel_without_a_budget(client, world, now):
    html = login(client, world.rep_a).get(f"/accounts/{world.shared.id}").get_data(as_text=True)
    assert "No budget set for this year." in html


def test_director_sets_and_changes_the_budget(client, world, now):
    login(client, world.director_a)
    path = f"/accounts/{world.account_a.id}/budget"
    done = client.post(path, data={"amount": "1200", "currency": "CNY", "year": "2026"})
    assert done.status_code == 303 and done.headers["Location"].endswith("#spend")
    assert _budgets() == [(world.account_a.id, "CNY", D("1200.00"))]
    html = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "Budget saved." in html and 'name="version" type="hidden" value="1"' in html
    changed = {"amount": "1300", "currency": "CNY", "year": "2026", "version": "1"}
    assert client.post(path, data=changed).status_code == 303
    stale = {"amount": "1", "currency": "CNY", "year": "2026", "version": "1"}
    client.post(path, data=stale)
    assert _budgets() == [(world.account_a.id, "CNY", D("1300.00"))]
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "account_budgets")
    ).all()
    assert actions == ["create", "update"]


@pytest.mark.parametrize(
    ("who", "data", "status"),
    [
        ("rep_a", {"amount": "5", "currency": "CNY", "year": "2026"}, 303),
        ("director_b", {"amount": "5", "currency": "CNY", "year": "2026"}, 404),
        ("director_a", {"amount": "-5", "currency": "CNY", "year": "2026"}, 303),
        ("director_a", {"amount": "5", "currency": "yuan", "year": "2026"}, 303),
        ("director_a", {"amount": "5", "currency": "CNY", "year": "abc"}, 303),
        ("director_a", {"amount": "5", "currency": "CNY", "year": "1999"}, 303),
    ],
)
def test_refused_budgets_keep_nothing(client, world, now, who, data, status):
    login(client, getattr(world, who))
    response = client.post(f"/accounts/{world.account_a.id}/budget", data=data)
    assert response.status_code == status
    assert _budgets() == []


def _overview(client, world, who, query=""):
    return login(client, getattr(world, who)).get(f"/key-accounts/spend{query}")


def test_rep_may_not_open_the_spend_page(client, world, now):
    assert _overview(client, world, "rep_a").status_code == 403


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("director_a", {"Huadong Power", "North", "Li Ming"}),
        ("director_b", {"Nanfang Grid", "South", "Wang Fang"}),
        ("leader", {"Huadong Power", "North", "Li Ming", "Nanfang Grid", "South", "Wang Fang"}),
        ("admin", {"Huadong Power", "North", "Li Ming", "Nanfang Grid", "South", "Wang Fang"}),
    ],
)
def test_spend_page_in_scope(client, world, spent, who, seen):
    page = _overview(client, world, who)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("Huadong Power", "North", "Li Ming", "Nanfang Grid", "South", "Wang Fang"):
        assert (name in html) == (name in seen), name
    assert "Shared Steel" not in html  # no budget and no spend this year
    assert 'id="chart-spend-teams"' in html
    if "North" in seen:
        assert "470 CNY" in html and "Over budget" in html


def test_spend_page_per_year(client, world, spent):
    html = _overview(client, world, "leader", "?year=2025").get_data(as_text=True)
    assert "Relationship budget and spend 2025" in html
    assert "Huadong Power" not in html and "No budget and no spend this year." in html
    for bad in ("?year=abc", "?year=99999", "?page=-1"):
        assert _overview(client, world, "leader", bad).status_code == 200


def test_spend_page_reads_a_fixed_number_of_queries(client, world, spent, now):
    login(client, world.leader)

    def count() -> int:
        with sql_statements() as seen:
            assert client.get("/key-accounts/spend").status_code == 200
        return len(seen)

    db.session.commit()
    few = count()
    for i in range(8):
        team = f.make_team(name=f"Team {i}")
        rep = f.make_user(role="rep", team=team, name=f"Rep {i}")
        account = f.make_account(team=team, name=f"Account {i}", members={rep: "AR"})
        f.make_interaction(account=account, owner=rep, kind="meal", cost=D(i + 1))
        spend.save_budget(account, 2026, {"amounts": {"USD": "10"}}, actor=world.admin, now=now)
    db.session.commit()
    assert count() == few


def test_spend_page_shows_what_the_relationships_did(client, world, spent, now):
    for day, uncovered in ((date(2026, 2, 1), 3), (date(2026, 11, 1), 1)):
        db.session.add(
            AccountSnapshot(
                day=day,
                account_id=world.account_a.id,
                team_id=world.team_a.id,
                key_contacts=4,
                uncovered_key_contacts=uncovered,
                single_threaded_key_contacts=0,
                bus_factor=1,
                risk="low",
            )
        )
    contact = world.contact_a
    data = {"attitude": "supporter", "version": contact.version}
    update_contact(contact, data, actor=world.rep_a, now=now)
    data = {"attitude": "champion", "version": contact.version}
    update_contact(contact, data, actor=world.rep_a, now=now)
    html = _overview(client, world, "director_a").get_data(as_text=True)
    row = html[html.index(f'<tr data-id="{world.account_a.id}"', html.index("spend-accounts")) :]
    row = row[: row.index("</tr>")]
    assert "25% → 75%" in row and "+1 / −0" in row  # unknown → supporter is no move


def test_pages_in_chinese(client, world, spent):
    world.director_a.locale = "zh_Hans"
    login(client, world.director_a)
    for path in (f"/accounts/{world.account_a.id}", "/key-accounts/spend"):
        page = client.get(path)
        assert page.status_code == 200 and 'lang="zh' in page.get_data(as_text=True)


def test_panel_shows_the_spend_per_customer_attendee(client, world, now):
    """A meal of 100.00 for three (33.34, 33.33, 33.33: the cent left to the first by id) and a
    visit of 50.00 for Zhang Wei alone: Zhang Wei 83.34, Wang Qiang 33.33, Li Na 33.33."""
    a, zhang = world.account_a, world.contact_a
    wang = f.make_contact(account=a, name="Wang Qiang")
    li = f.make_contact(account=a, name="Li Na")
    people = [zhang, wang, li]
    f.make_interaction(account=a, owner=world.rep_a, kind="meal", cost=D("100"), contacts=people)
    f.make_interaction(account=a, owner=world.rep_a, kind="visit", cost=D("50"), contacts=[zhang])
    html = login(client, world.rep_a).get(f"/accounts/{a.id}").get_data(as_text=True)
    line = html[html.index('id="spend-per-contact"') :]
    line = " ".join(line[: line.index("</p>")].split())
    assert f'href="/contacts/{zhang.id}">Zhang Wei</a> 83.34 CNY' in line
    assert line.index("Zhang Wei") < line.index("Wang Qiang") < line.index("Li Na")  # ties by id
    assert "33.33 CNY" in line


def test_panel_reads_a_fixed_number_of_queries(world, now):
    a = world.account_a

    def count() -> int:
        with sql_statements() as seen:
            spend_pages.panel(world.director_a, a, now)
        return len(seen)

    f.make_interaction(account=a, owner=world.rep_a, cost=D(1), contacts=[world.contact_a])
    few = count()
    for i in range(10):
        people = [f.make_contact(account=a, name=f"Guest {i}") for _ in range(2)]
        f.make_interaction(account=a, owner=world.rep_a, kind="meal", cost=D(9), contacts=people)
    spend.save_budget(a, 2026, {"amounts": {"CNY": "5", "USD": "5"}}, actor=world.admin, now=now)
    db.session.flush()
    assert count() == few
