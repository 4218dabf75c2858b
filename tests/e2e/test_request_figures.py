"""The figures of requests between our people in a real browser (issue 16): a director opens
them from the pipeline review, the chart of turnaround and rating by month is drawn by the app's
own Plotly, a number drills to the requests it counts and back — no serious accessibility
failure on either page, in English and in Chinese."""

import itertools
import re
from datetime import timedelta

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.extensions import db
from salesflow.requests.models import InternalRequest, Status
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Figures {locale} {n}")
    director = f.make_user(
        role=Role.director,
        team=team,
        name=f"Director F{n}",
        email=f"figures{n}-{locale}@example.com",
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep F{n}")
    sr = f.make_user(team=team, name=f"Presales F{n}")
    account = f.make_account(team=team, name=f"华东电网 {n}", members={rep: "AR"})
    now = clock.now()
    for days_ago, took, rating in ((40, 3, 4), (20, 2, 5), (6, 1, None)):
        asked = now - timedelta(days=days_ago)
        db.session.add(
            InternalRequest(
                kind="solution_workshop",
                title=f"Workshop {days_ago}",
                account_id=account.id,
                requester_id=rep.id,
                assignee_id=sr.id,
                needed_by=clock.today(asked + timedelta(days=7)),
                status=Status.done,
                created_at=asked,
                done_at=asked + timedelta(days=took),
                rating=rating,
            )
        )
    return {"email": director.email, "sr": sr}


def test_a_director_reads_the_request_figures_and_drills_to_the_requests(
    live_server, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(desktop, url, seeded["email"])
    desktop.goto(f"{url}/pipeline/review")
    desktop.click("#all-request-figures")
    desktop.wait_for_url(re.compile(r".*/requests/figures.*"))
    desktop.wait_for_selector("#chart-request-months .main-svg")  # drawn by the served Plotly
    assert_accessible(desktop)
    received = desktop.locator(
        f"#request-people-table a[href*='figure=received'][href*='key={seeded['sr']}']"
    )
    assert received.inner_text() == "3"
    received.click()
    desktop.wait_for_url(re.compile(r".*/requests/figures/list\?.*figure=received.*"))
    assert desktop.locator("#figure-requests tbody tr").count() == 3
    assert_accessible(desktop)
    desktop.click("#back-to-figures")
    desktop.wait_for_url(re.compile(r".*/requests/figures(\?.*)?$"))
