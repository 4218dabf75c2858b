"""The account plan's pages per role: the plan with its measured objectives, its form (a new
plan pre-filled with what the data says), bad input and stale versions, nothing half-saved."""

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.key_accounts.plans_models import AccountPlan
from tests.conftest import api_as, login, sql_statements
from tests.key_accounts.test_plans import Planned


@pytest.fixture
def planned(world):
    return Planned(world)


def _saved(app, planned, world, year=2026):
    api = api_as(app, world.rep_a)
    response = api.put(f"/accounts/{planned.account.id}/plan?year={year}", json=planned.body())
    assert response.status_code == 200
    return response.json


def _row(i, **values):
    return {f"objectives-{i}-{k}": v for k, v in values.items()}


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_the_plan_page_shows_each_objectives_measured_progress(app, client, planned, world, who):
    _saved(app, planned, world)
    login(client, getattr(world, who))
    response = client.get(f"/accounts/{planned.account.id}/plan?year=2026")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="plan-progress">73%' in html
    assert html.count("Falling behind") == 3 and html.count(">Met<") == 1
    assert 'style="width: 67%">67%' in html and 'style="width: 75%">75%' in html
    assert "Their preferred partner for the grid upgrade" in html
    assert 'id="edit-plan"' in html


@pytest.mark.parametrize("who", ["rep_b", "director_b"])
def test_plan_pages_outside_scope_are_404(client, planned, world, who):
    login(client, getattr(world, who))
    assert client.get(f"/accounts/{planned.account.id}/plan").status_code == 404
    assert client.get(f"/accounts/{planned.account.id}/plan/edit").status_code == 404
    assert client.post(f"/accounts/{planned.account.id}/plan/edit", data={}).status_code == 404


@pytest.mark.parametrize("year", ["1999", "abc", "2101", "20260"])
def test_a_bad_year_is_404(client, planned, world, year):
    login(client, world.rep_a)
    assert client.get(f"/accounts/{planned.account.id}/plan?year={year}").status_code == 404


def test_without_a_plan_the_page_offers_to_write_it(client, planned, world):
    login(client, world.rep_a)
    html = client.get(f"/accounts/{planned.account.id}/plan").get_data(as_text=True)
    assert "No plan for 2026 yet." in html and "Write the plan" in html


def test_a_new_plans_form_starts_with_what_the_data_says(client, world, now):
    from tests import factories as f

    a = f.make_account(team=world.team_a, name="Thin", members={world.rep_a: "AR"})
    f.make_contact(account=a, name="Absent", decision_role="decision_maker")
    login(client, world.rep_a)
    html = client.get(f"/accounts/{a.id}/plan/edit").get_data(as_text=True)
    assert "Decision maker Absent: nobody of ours holds a live tie." in html
    assert html.count('class="border rounded p-2 mb-2 objective-row"') == 3


def test_the_form_saves_a_plan_and_its_objectives(client, planned, world):
    login(client, world.rep_a)
    path = f"/accounts/{planned.account.id}/plan/edit?year=2026"
    data = {
        "vision": "Preferred partner",
        **_row(
            0,
            kind="contact_attitude",
            title="CIO a supporter",
            due="2026-06-30",
            contact_id=str(planned.cio.id),
            attitude="supporter",
        ),
        **_row(1, kind="decision_makers_held", title="Two each", due="2026-12-31", people="2"),
        **_row(2, kind="", title="", due=""),
    }
    response = client.post(path, data=data)
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(AccountPlan))
    assert plan.vision == "Preferred partner" and plan.version == 1
    assert [(o.kind.value, o.params) for o in plan.objectives] == [
        ("contact_attitude", {"contact_id": planned.cio.id, "attitude": "supporter"}),
        ("decision_makers_held", {"people": 2}),
    ]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CIO a supporter" in html and 'id="plan-progress">71%' in html  # (0.6667 + 0.75) / 2
    edit = client.get(path).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in edit and "Two each" in edit


def test_bad_rows_are_refused_on_their_fields_and_nothing_is_saved(client, planned, world):
    login(client, world.rep_a)
    data = {
        "vision": "Not kept",
        **_row(0, kind="contact_attitude", title="Whom?", due="2026-06-30"),
        **_row(1, kind="", title="Half a row", due=""),
        **_row(2, kind="executive_exchange", title="Dated badly", due="2026-02-31"),
    }
    response = client.post(f"/accounts/{planned.account.id}/plan/edit?year=2026", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountPlan)) == 0
    assert "Not kept" in html and "Half a row" in html  # the input stays
    data["objectives-2-due"] = "2026-03-31"  # the form's own check passed: the service's
    html = client.post(f"/accounts/{planned.account.id}/plan/edit?year=2026", data=data).get_data(
        as_text=True
    )
    assert "Choose a current contact of this account." in html
    assert "Choose neutral, supporter or champion." in html
    assert "Choose what the objective measures." in html and "Enter a due date." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountPlan)) == 0


def test_a_stale_form_is_409_and_keeps_the_saved_plan(app, client, planned, world):
    _saved(app, planned, world)
    login(client, world.director_a)
    path = f"/accounts/{planned.account.id}/plan/edit?year=2026"
    response = client.post(path, data={"vision": "Stale", "version": "7"})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(AccountPlan.vision)) != "Stale"


def test_the_plan_page_reads_a_fixed_number_of_queries(app, client, planned, world):
    _saved(app, planned, world, 2026)
    one = planned.body()
    one["objectives"] = one["objectives"][:1]
    api_as(app, world.rep_a).put(f"/accounts/{planned.account.id}/plan?year=2027", json=one)
    login(client, world.rep_a)
    client.get(f"/accounts/{planned.account.id}/plan?year=2026")
    counts = []
    for year in (2026, 2027):
        with sql_statements() as seen:
            assert client.get(f"/accounts/{planned.account.id}/plan?year={year}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_the_plan_page_in_chinese(app, client, planned, world):
    _saved(app, planned, world)
    login(client, world.rep_a)
    response = client.get(
        f"/accounts/{planned.account.id}/plan?year=2026", headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200 and 'id="plan-progress"' in response.get_data(as_text=True)


def test_the_account_page_links_its_plan(client, planned, world):
    login(client, world.rep_a)
    html = client.get(f"/accounts/{planned.account.id}").get_data(as_text=True)
    assert f'href="/accounts/{planned.account.id}/plan"' in html


def test_the_plan_page_tells_its_history_in_words(app, client, planned, world):
    _saved(app, planned, world)
    body = planned.body(version=1, vision="Changed")
    body["objectives"] = body["objectives"][:2]
    api_as(app, world.director_a).put(f"/accounts/{planned.account.id}/plan?year=2026", json=body)
    login(client, world.rep_a)
    html = client.get(f"/accounts/{planned.account.id}/plan?year=2026").get_data(as_text=True)
    assert "Director North · changed Vision, Relationship objectives" in html
    assert "Li Ming · wrote the plan" in html
    assert html.index("Director North ·") < html.index("Li Ming · wrote")
