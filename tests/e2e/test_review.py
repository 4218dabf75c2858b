"""The issue's flow: a director opens the pipeline review, drills from the funnel's breach count
to the deals behind it and from a breach to the opportunity, and sees the notification the
scheduler's breach job created — in English and in Chinese."""

import itertools
import re

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.scheduler import runner
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Review {locale} {n}")
    director = f.make_user(
        role=Role.director, team=team, name=f"Director {n}", email=f"review{n}-{locale}@example.com"
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep R{n}")
    account = f.make_account(team=team, name=f"西南电力 {n}", members={rep: "AR"})
    deal = f.make_opportunity(
        account=account, stage="shape", days_in_stage=50, name=f"Substation {n}", roles={rep: "AR"}
    )
    runner.run("stage_sla_breaches", now=clock.now(), force=True)
    return {"deal": deal, "email": director.email}


def test_a_director_drills_from_a_breach_and_sees_the_jobs_notification(
    live_server, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(desktop, url, seeded["email"])
    assert desktop.locator("#unread-count").inner_text() == "1"  # the breach job told them
    desktop.goto(f"{url}/pipeline/review")
    desktop.wait_for_selector("#chart-funnel .main-svg")  # Plotly, served by the app, drew it
    assert_accessible(desktop)
    deal_url = f"{url}/opportunities/{seeded['deal']}"
    # the funnel's breach count drills to the deals behind it
    desktop.locator("#funnel-table a.link-danger").click()
    desktop.wait_for_url(re.compile(r".*/pipeline/review/deals\?figure=late.*"))
    assert_accessible(desktop)
    desktop.locator(f"#opportunities a[href='/opportunities/{seeded['deal']}']").click()
    desktop.wait_for_url(deal_url)
    desktop.go_back()
    desktop.click("#back-to-review")
    desktop.wait_for_url(f"{url}/pipeline/review")
    desktop.locator(f".breach-link[href='/opportunities/{seeded['deal']}']").click()
    desktop.wait_for_url(deal_url)
    desktop.click("#notification-bell")
    desktop.wait_for_url(re.compile(r".*/notifications.*"))
    notice = desktop.locator("#notifications li", has_text="Substation")
    assert notice.count() == 1
    notice.locator("button[type=submit]").first.click()  # Open: marks it read, goes to the list
    desktop.wait_for_url(re.compile(r".*/pipeline/review/deals\?figure=late.*"))
    assert desktop.locator(f"#opportunities a[href='/opportunities/{seeded['deal']}']").count() == 1
    assert desktop.locator("#unread-count").count() == 0
