"""The issue's merge flow on a desktop: a director finds two records of one customer, merges them
choosing per field, sees both accounts' contacts together on the survivor, then undoes the merge
(en and zh, CSRF on, axe-core on every merge page)."""

import itertools
import re

from salesflow.auth.models import Role
from salesflow.extensions import db
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Merge {locale} {n}")
    director = f.make_user(
        role=Role.director,
        team=team,
        name=f"Director {n}",
        email=f"merge-director{n}-{locale}@example.com",
    )
    team.director_id = director.id
    rep = f.make_user(team=team, name=f"Rep {n}")
    survivor = f.make_account(team=team, name=f"华东电力{n}有限公司", members={rep: "AR"})
    duplicate = f.make_account(team=team, name=f"华东电力{n}(上海)", tier="A", industry=None)
    survivor.website, duplicate.website = f"https://hd{n}.example.com", f"hd{n}.example.com/about"
    boss = f.make_contact(account=survivor, name=f"刘总{n}", decision_role="decision_maker")
    engineer = f.make_contact(account=duplicate, name=f"周工{n}", influence="high")
    f.make_interaction(account=duplicate, owner=rep, contacts=[engineer], days_ago=2)
    db.session.flush()
    return {
        "email": director.email,
        "survivor": survivor,
        "duplicate": duplicate,
        "boss": boss.name,
        "engineer": engineer.name,
    }


def test_director_merges_two_accounts_choosing_fields_then_undoes_it(live_server, desktop, locale):
    seeded = live_server.seed(lambda: _world(locale))
    url, page = live_server.url, desktop
    survivor, duplicate = seeded["survivor"], seeded["duplicate"]
    log_in(page, url, seeded["email"])
    page.goto(f"{url}/accounts")
    page.click("#find-duplicates")
    page.wait_for_url(re.compile(r".*/duplicates/accounts$"))
    group = page.locator(".duplicate-group", has=page.locator(f"input[value='{duplicate}']"))
    assert group.locator("input[name=ids]:checked").count() == 2
    assert_accessible(page)
    group.locator(".compare").click()
    page.wait_for_url(re.compile(r".*/duplicates/accounts/merge\?.*"))
    assert_accessible(page)
    page.check(f"input[name=survivor][value='{survivor}']")
    page.check(f"input[name=f_tier][value='{duplicate}']")  # the duplicate is a key account
    page.click("#review-merge")
    page.wait_for_selector("#confirm-merge")
    assert_accessible(page)
    page.click("#confirm-merge")
    page.wait_for_url(f"{url}/accounts/{survivor}")
    chain = page.locator("#decision-chain")
    assert seeded["boss"] in chain.inner_text() and seeded["engineer"] in chain.inner_text()
    assert "badge text-bg-warning" in page.locator("h1").inner_html()  # tier A, as chosen
    assert page.locator(".merge-banner").count() == 1
    assert_accessible(page)
    page.goto(f"{url}/accounts/{duplicate}")  # its old address leads to the survivor
    assert page.url == f"{url}/accounts/{survivor}"
    page.locator(".merge-banner .undo-merge").click()
    page.wait_for_url(f"{url}/accounts/{survivor}")
    assert page.locator(".alert-success").count() == 1
    assert seeded["engineer"] not in page.locator("#decision-chain").inner_text()
    assert page.locator(".merge-banner").count() == 0
    page.goto(f"{url}/accounts/{duplicate}")
    assert page.url == f"{url}/accounts/{duplicate}"
    assert seeded["engineer"] in page.locator("#decision-chain").inner_text()
    page.goto(f"{url}/merges")
    assert page.locator("#merges li").count() == 1
    assert_accessible(page)
