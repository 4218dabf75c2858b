"""Over the stage's time limit is exact time, the same on every surface (issue 13's drift fix): a
deal half a day past its stage's 21 days is marked on the board, the list, the deal page, the
review (its count, its "longest in stage" cell, its list of breaches) and the drill-down, counted
by the API and notified by the job; a deal half a day short of its stage's 45 days is marked
nowhere. The days shown stay whole days."""

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.notifications.models import Notification
from salesflow.scheduler import runner
from tests import factories as f
from tests.conftest import api_as, login
from tests.rules.pages import card, classes, row, section, stage_row

OVER = "text-danger fw-semibold"


@pytest.fixture
def deals(world, now):
    over = f.make_opportunity(
        account=world.account_a,
        stage="validate",  # sla_days 21
        days_in_stage=21.5,
        name="Half a day over",
        roles={world.rep_a: "AR"},
    )
    short = f.make_opportunity(
        account=world.account_a,
        stage="shape",  # sla_days 45
        days_in_stage=44.5,
        name="Half a day short",
        roles={world.rep_a: "AR"},
    )
    db.session.commit()
    return over, short


def test_the_board_marks_the_deal_over_its_limit(client, world, deals):
    over, short = deals
    page = login(client, world.director_a).get("/pipeline?playbook=enterprise").text
    assert "border-danger" in card(page, over.id) and "sla-breach" in card(page, over.id)
    assert "21 days in stage · over the limit" in card(page, over.id)
    assert "border-danger" not in card(page, short.id)
    assert "sla-breach" not in card(page, short.id) and "44 days in stage" in card(page, short.id)


def test_the_list_marks_the_deal_over_its_limit(client, world, deals):
    over, short = deals
    page = login(client, world.director_a).get("/opportunities").text
    assert f'{OVER}">21</td>' in row(page, f"/opportunities/{over.id}")
    assert OVER not in row(page, f"/opportunities/{short.id}")
    assert ">44</td>" in row(page, f"/opportunities/{short.id}")


def test_the_deal_page_marks_the_deal_over_its_limit(client, world, deals):
    over, short = deals
    login(client, world.director_a)
    page = client.get(f"/opportunities/{over.id}").text
    assert "text-danger" in classes(page, "days-in-stage")
    assert "21 days in this stage (limit 21). Over the time limit." in section(
        page, "days-in-stage"
    )
    page = client.get(f"/opportunities/{short.id}").text
    assert "text-danger" not in classes(page, "days-in-stage")
    assert "44 days in this stage (limit 45).</p>" in section(page, "days-in-stage")


def test_the_review_counts_and_marks_the_deal_over_its_limit(client, world, deals):
    over, short = deals
    page = login(client, world.director_a).get("/pipeline/review").text
    validate, shape = stage_row(page, "validate"), stage_row(page, "shape")
    assert ">1</a>" in validate and 'text-danger">21 days, limit 21' in validate
    assert "link-danger" not in shape and "text-danger" not in shape
    assert "44 days, limit 45" in shape
    breaches = section(page, "breaches")
    assert f"/opportunities/{over.id}" in breaches and "21 days, limit 21" in breaches
    assert f"/opportunities/{short.id}" not in breaches


def test_the_drill_down_lists_and_marks_the_deal_over_its_limit(client, world, deals):
    over, short = deals
    login(client, world.director_a)
    page = client.get("/pipeline/review/deals?figure=late").text
    assert f'{OVER}">21</td>' in row(page, f"/opportunities/{over.id}")
    assert f"/opportunities/{short.id}" not in page
    page = client.get("/pipeline/review/deals?figure=stage&key=enterprise:shape").text
    assert OVER not in row(page, f"/opportunities/{short.id}")


def test_the_api_counts_the_deal_over_its_limit(app, world, deals):
    stages = api_as(app, world.director_a).get("/reports/pipeline").json["stages"]
    breaches = {s["stage"]: s["breaches"] for s in stages if s["playbook"] == "enterprise"}
    assert breaches == {"validate": 1, "shape": 0}


def test_the_job_tells_of_the_deal_over_its_limit(world, deals, now):
    over, _short = deals
    assert runner.run("stage_sla_breaches", now=now).detail == "2 notifications"
    told = db.session.execute(sa.select(Notification.user_id, Notification.params)).all()
    assert sorted(user for user, _params in told) == sorted([world.rep_a.id, world.director_a.id])
    assert all(params["count"] == 1 and params["deal"] == over.name for _user, params in told)
