"""Key accounts' own pages in a real browser (issue 17), as a director, in English and Chinese:
the tier review, an account's expectation register (an expectation added and a perception
recorded through its forms, the trend then shown), the team's satisfaction and the budget and
spend page — no serious accessibility failure on any of them."""

import itertools

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Key {locale} {n}")
    director = f.make_user(
        role=Role.director, team=team, name=f"Director K{n}", email=f"key{n}-{locale}@example.com"
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep K{n}")
    account = f.make_account(team=team, name=f"华东电网 K{n}", members={rep: "AR"})
    f.make_contact(account=account, name=f"王总 {n}", decision_role="decision_maker")
    return {"email": director.email, "account": account.id}


def test_a_director_works_the_key_account_pages(live_server, desktop, locale):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(desktop, url, seeded["email"])
    desktop.goto(f"{url}/key-accounts/tiering")
    assert_accessible(desktop)

    desktop.goto(f"{url}/accounts/{seeded['account']}/expectations")
    assert desktop.locator("#trend-empty").count() == 1
    form = desktop.locator("#expectation-form")
    form.locator("textarea[name=statement]").fill("Delivery within 30 days of signing")
    form.locator("select[name=category]").select_option("delivery")
    form.locator("select[name=owner_role]").select_option("FR")
    form.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    assert (
        "Delivery within 30 days of signing" in desktop.locator("#expectations-table").inner_text()
    )
    perception = desktop.locator("#perception-form")
    perception.locator("select[name=perceived]").select_option("3")
    perception.locator("select[name=expected]").select_option("4")
    perception.locator("select[name=source]").select_option("meeting")
    perception.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    assert "-1.00" in desktop.locator("#trend-total").inner_text()  # perceived 3 − expected 4
    assert_accessible(desktop)

    desktop.goto(f"{url}/key-accounts/satisfaction")
    assert_accessible(desktop)
    desktop.goto(f"{url}/key-accounts/spend")
    assert_accessible(desktop)
