"""The review page: the funnel with its chart and table, the breaches linking to their deals,
gate compliance with the overrides; directors see their team, reps are refused; bad dates 422."""

import re

from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.services import tick_item
from tests import factories as f
from tests.conftest import login


def _section(page: str, section: str) -> str:
    return page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]


def test_a_director_reviews_their_team(client, world, deals):
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/pipeline/review")
    assert page.status_code == 200
    funnel = _section(page.text, "funnel")
    assert 'data-figure="' in funnel and "100,000 CNY" in funnel and "30,000 USD" in funnel
    assert "500,000" not in funnel  # team South's deal
    breaches = _section(page.text, "breaches")
    late = deals["a_shape_late"]
    assert f'href="/opportunities/{late.id}">{late.name}</a>' in breaches
    assert "50 days, limit 45" in breaches
    compliance = _section(page.text, "compliance")
    assert "50%" in compliance and "advances met every gate" in compliance
    assert '<a href="/pipeline/review/deals?figure=advances_met">1</a> of ' in compliance
    assert '<a href="/pipeline/review/deals?figure=advances">2</a>' in compliance
    assert "Customer asked" in compliance
    week = _section(page.text, "week")
    assert "Slipped deals show once the daily pipeline snapshot of a week ago exists." in week
    triangle = _section(page.text, "triangle-gaps")
    assert f'href="/opportunities/{deals["a_validate"].id}"' in triangle and "AR" in triangle
    chain = _section(page.text, "chain-gaps")
    assert deals["shared_usd"].name in chain and "no decision maker mapped" in chain
    assert 'href="/pipeline/review"' in client.get("/").text  # in the menu


def test_filters_narrow_the_review(client, world, deals):
    db.session.commit()
    login(client, world.leader)
    south = client.get(f"/pipeline/review?team_id={world.team_b.id}").text
    assert "500,000 CNY" in _section(south, "funnel")
    assert "No deal is over its stage time limit." in _section(south, "breaches")
    nothing = client.get("/pipeline/review?playbook=transactional").text
    assert "No open deals match." in nothing


def test_reps_are_refused_and_see_no_menu_entry(client, world):
    login(client, world.rep_a)
    assert client.get("/pipeline/review").status_code == 403
    assert 'href="/pipeline/review"' not in client.get("/").text


def test_bad_dates_answer_422_with_the_reason(client, world):
    login(client, world.leader)
    bad = client.get("/pipeline/review?from=2026-02-31")
    assert bad.status_code == 422 and "Enter the date as YYYY-MM-DD." in bad.text
    backwards = client.get("/pipeline/review?from=2026-11-20&to=2026-11-01")
    assert backwards.status_code == 422
    assert "The period must start before it ends." in backwards.text
    assert 'id="funnel"' not in backwards.text


def test_the_page_shows_the_forecast_and_the_outcomes(client, world, deals, now):
    lost = deals["a_won"]
    lost.status, lost.loss_reason = "lost", "price"
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/pipeline/review").text
    forecast = _section(page, "forecast")
    assert 'id="chart-forecast"' in forecast and ">Mar 2027</a>" in forecast  # a month, named
    assert "60,000 CNY" in forecast and "7,500 USD" in forecast
    outcomes = _section(page, "outcomes")
    assert "0%" in outcomes and ">0 won</a>" in outcomes and ">1 lost</a>" in outcomes
    assert "Price" in outcomes
    conversion = outcomes.split('id="conversion-table"', 1)[1].split("</table>", 1)[0]
    assert ">2</a></td>" in conversion and ">3</a></td>" in conversion


def test_every_number_links_to_the_deals_behind_it(client, world, deals):
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/pipeline/review").text
    link = "/pipeline/review/deals?figure=stage&amp;key=enterprise:validate"
    assert f'href="{link}">1</a>' in _section(page, "funnel")
    for figure in (
        "week_new",
        "week_advanced",
        "week_regressed",
        "week_won",
        "week_lost",
        "late",
        "triangle_gaps",
        "chain_gaps",
        "overrides",
    ):
        assert f"/pipeline/review/deals?figure={figure}" in page, figure
    behind = client.get(link.replace("&amp;", "&"))
    assert behind.status_code == 200
    assert "Open deals in Validate" in behind.text
    assert deals["a_validate"].name in behind.text
    assert deals["b_validate"].name not in behind.text  # team South's
    assert 'href="/pipeline/review"' in behind.text  # back to the review
    assert "Open deals now" in behind.text and "Period:" not in behind.text
    week = client.get("/pipeline/review/deals?figure=week_advanced").text
    assert "since " in week and "Period:" not in week  # the last 7 days, not the period
    assert "A deal that moved more than once is listed once." in week
    assert "Period:" in client.get("/pipeline/review/deals?figure=won").text


def test_the_drill_down_keeps_the_reviews_filters(client, world, deals):
    db.session.commit()
    login(client, world.leader)
    page = client.get(f"/pipeline/review?team_id={world.team_b.id}&from=2026-01-01").text
    team = world.team_b.id
    link = f"/pipeline/review/deals?figure=week_new&amp;team_id={team}&amp;from=2026-01-01"
    assert link in page
    behind = client.get(link.replace("&amp;", "&")).text
    assert deals["b_validate"].name in behind and deals["a_validate"].name not in behind
    assert f'href="/pipeline/review?team_id={world.team_b.id}&amp;from=2026-01-01"' in behind


def test_the_deals_behind_a_number_come_a_page_at_a_time(client, world, deals):
    for _ in range(55):
        f.make_opportunity(account=world.account_a, stage="validate")
    db.session.commit()
    login(client, world.director_a)
    first = client.get("/pipeline/review/deals?figure=stage&key=enterprise:validate")
    assert first.text.count('href="/opportunities/') == 50
    more = re.search(r'href="([^"]*cursor=[^"]*)"', first.text)[1].replace("&amp;", "&")
    second = client.get(more)
    assert second.text.count('href="/opportunities/') == 6  # 55 + a_validate


def test_reps_are_refused_the_deals_behind_the_numbers(client, world):
    login(client, world.rep_a)
    assert client.get("/pipeline/review/deals?figure=week_new").status_code == 403


def test_drill_downs_refuse_unknown_numbers_and_bad_dates(client, world, deals):
    db.session.commit()
    login(client, world.leader)
    assert client.get("/pipeline/review/deals?figure=nothing").status_code == 404
    assert client.get("/pipeline/review/deals").status_code == 404
    assert client.get("/pipeline/review/deals?figure=stage&key=x:y").status_code == 404
    bad = client.get("/pipeline/review/deals?figure=won&from=2026-02-31")
    assert bad.status_code == 422 and "Enter the date as YYYY-MM-DD." in bad.text


def _conversion_rows(page: str) -> list[list[str]]:
    """The conversion table's rows as text: the stage, left forward, left, rate."""
    table = page.split('id="conversion-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in r.split("</td>")[:4]] for r in rows
    ]


def test_a_win_from_the_last_stage_counts_as_leaving_it_forward(client, world, now):
    # PRODUCT.md: conversion from stage k = left k forward ÷ left k (forward, back, won or lost)
    won, lost = (
        f.make_opportunity(
            account=world.account_a,
            name=name,
            playbook="transactional",
            stage="order",
            roles={world.rep_a: "AR"},
        )
        for name in ("Relay order won", "Relay order lost")
    )
    tick_item(
        won,
        {"stage": "order", "item": "order_received", "evidence": "PO 4711"},
        actor=world.rep_a,
        now=now,
    )
    moves.close(won, {"version": won.version, "status": "won"}, actor=world.rep_a, now=now)
    close_lost = {"version": lost.version, "status": "lost", "reason": "Price"}
    moves.close(lost, close_lost, actor=world.rep_a, now=now)
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/pipeline/review?playbook=transactional").text
    [(stage, *figures)] = _conversion_rows(page)
    assert stage.startswith("Get the order") and figures == ["1", "2", "50%"]
    behind = client.get("/pipeline/review/deals?figure=left_forward&key=transactional:order").text
    assert "Relay order won" in behind and "Relay order lost" not in behind
