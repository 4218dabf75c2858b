"""The figures page of requests between our people (/requests/figures), its list of the requests
behind each number, and its section on the pipeline review: directors see their team's,
leadership every team's, reps are refused as on the review; bad dates are 422 with the reason,
a team outside the reader's scope 404. The fixture is test_figures.py's table."""

# ruff: noqa: F811  (the fixtures imported from test_figures.py are the tests' arguments)

import re

import pytest

from salesflow.extensions import db
from tests.conftest import login
from tests.requests.test_figures import asked, holiday  # noqa: F401  (fixtures)


def _section(page: str, section: str) -> str:
    return page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]


def _links(html: str) -> dict[str, str]:
    """Each link's text by its address (the numbers of a table)."""
    return {
        href.replace("&amp;", "&"): text
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)
    }


def test_leadership_sees_every_team_with_its_chart_and_table(client, world, asked):
    db.session.commit()
    login(client, world.leader)
    page = client.get("/requests/figures")
    assert page.status_code == 200
    teams = _section(page.text, "request-teams")
    assert "North" in teams and "South" in teams
    people = _section(page.text, "request-people")
    assert world.rep_a2.name in people and "67% (" in people  # on time: 2 of 3
    assert "2 working days" in people  # median turnaround
    assert "2.3 (" in people and "3 ratings" in people
    decisions = _section(page.text, "request-decisions")
    assert world.director_a.name in decisions and "3.5 working days" in decisions
    months = _section(page.text, "request-months")
    assert 'data-figure="' in months and "Nov 2026" in months and "Oct 2026" in months
    assert "/requests/figures/list?figure=closed&by=month&key=2026-11" in _links(months)


def test_a_director_sees_their_team_and_not_another(client, world, asked):
    db.session.commit()
    login(client, world.director_a)
    page = client.get("/requests/figures")
    assert page.status_code == 200
    assert "South" not in _section(page.text, "request-teams")
    assert world.rep_b.name not in _section(page.text, "request-people")
    assert client.get(f"/requests/figures?team_id={world.team_b.id}").status_code == 404
    list_b = f"/requests/figures/list?figure=received&by=team&key={world.team_b.id}"
    assert client.get(list_b + f"&team_id={world.team_b.id}").status_code == 404
    assert "No request matches." in client.get(list_b).text  # outside their scope: nothing


@pytest.mark.parametrize(
    "path", ["/requests/figures", "/requests/figures/list?figure=received&by=person&key=1"]
)
def test_reps_are_refused_as_on_the_review(client, world, path):
    login(client, world.rep_a)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("from=2026-13-01", "Enter the date as YYYY-MM-DD."),
        ("from=2026-11-20&to=2026-11-01", "The period must start before it ends."),
    ],
)
def test_bad_dates_answer_422_with_the_reason(client, world, query, reason):
    login(client, world.leader)
    for path in ("/requests/figures", "/requests/figures/list?figure=done&by=person&key=1"):
        page = client.get(f"{path}{'&' if '?' in path else '?'}{query}")
        assert page.status_code == 422 and reason in page.text


@pytest.mark.parametrize(
    "query",
    ["figure=bogus&by=person&key=1", "figure=done&by=nobody&key=1", "figure=closed&by=team"],
)
def test_an_unknown_figure_is_404(client, world, query):
    login(client, world.leader)
    assert client.get(f"/requests/figures/list?{query}").status_code == 404


def test_every_number_lists_exactly_the_requests_it_counts(client, world, asked):
    db.session.commit()
    login(client, world.leader)
    page = client.get("/requests/figures").text
    links = _links(_section(page, "request-people")) | _links(_section(page, "request-teams"))
    links |= _links(_section(page, "request-decisions"))
    links |= _links(_section(page, "request-months"))
    titles = {r.id: r.title for r in asked.values()}
    checked = 0
    for href, text in links.items():
        if not href.startswith("/requests/figures/list"):
            continue
        listed = client.get(href)
        assert listed.status_code == 200, href
        shown = re.findall(r'<a href="/requests/(\d+)">', listed.text)
        number = int(text.split()[0])  # "3" or "3 ratings"
        assert len(shown) == number, href
        assert {titles[int(i)] for i in shown} <= set(titles.values())
        checked += 1
    assert checked >= 15


def test_the_list_names_the_figure_and_pages(client, world, asked, monkeypatch):
    from salesflow.requests import report

    monkeypatch.setattr(report, "LIST_PAGE", 2)
    db.session.commit()
    login(client, world.leader)
    first = client.get(
        f"/requests/figures/list?figure=received&by=person&key={world.rep_a2.id}&from=2026-08-23"
    )
    assert first.status_code == 200
    assert f"Requests {world.rep_a2.name} received" in first.text and "5 requests" in first.text
    shown = re.findall(r'<a href="/requests/(\d+)">', first.text)
    assert shown == [str(asked[1].id), str(asked[2].id)]  # the oldest first
    next_url = re.search(r'href="([^"]+cursor=[^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert "from=2026-08-23" in next_url
    second = re.findall(r'<a href="/requests/(\d+)">', client.get(next_url).text)
    assert second == [str(asked[3].id), str(asked[4].id)]
    assert 'id="back-to-figures"' in first.text


@pytest.mark.parametrize(("who", "south"), [("director_a", False), ("leader", True)])
def test_the_review_has_the_request_figures_of_its_team_and_period(
    client, world, asked, who, south
):
    db.session.commit()
    login(client, getattr(world, who))
    review = client.get("/pipeline/review?from=2026-11-01&to=2026-11-20")
    assert review.status_code == 200
    section = review.text.split('id="requests-between-our-people"', 1)[1]
    section = section.split('id="all-request-figures"', 1)[0]
    assert "North" in section and ("South" in section) is south
    assert world.director_a.name in section  # the decisions
    links = _links(section)
    assert any("from=2026-11-01" in href and "to=2026-11-20" in href for href in links)
    assert (
        'href="/requests/figures?from=2026-11-01&amp;to=2026-11-20" id="all-request-figures"'
        in (review.text)
    )


def test_the_review_of_a_rep_stays_refused(client, world, asked):
    db.session.commit()
    login(client, world.rep_a)
    assert client.get("/pipeline/review").status_code == 403


def test_the_figures_page_renders_in_chinese(client, world, asked):
    db.session.commit()
    login(client, world.leader)
    page = client.get("/requests/figures", headers={"Accept-Language": "zh"})
    assert page.status_code == 200 and "2026年11月" in page.text
