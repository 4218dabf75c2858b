"""Issue 14: leadership opens the dependency dashboard, sees at the top the account a person who
has left still held (marked "left", no longer counted as its holder), plans the handover from
there and lands on the handover with that account — in English and Chinese, on a laptop; the
dashboard passes axe-core."""

import itertools
import re

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Leavers {locale} {n}")
    gone = f.make_user(team=team, name=f"Gone {n}", email=f"gone{n}-{locale}@example.com")
    successor = f.make_user(team=team, name=f"Next {n}", email=f"next{n}-{locale}@example.com")
    leader = f.make_user(role=Role.leadership, name=f"CEO {n}", email=f"lv{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"西北电网 {n}", members={gone: "AR"})
    boss = f.make_contact(
        account=account, name=f"马总 {n}", decision_role="decision_maker", influence="high"
    )
    f.make_interaction(account=account, owner=gone, contacts=[boss], days_ago=3)
    gone.active = False
    return {
        "gone": gone,
        "successor": successor,
        "account": account,
        "leader_email": leader.email,
    }


def test_leadership_sees_a_leavers_account_at_the_top_and_plans_its_handover(
    live_server, desktop, locale
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(desktop, url, seeded["leader_email"])
    desktop.goto(f"{url}/dependency")
    desktop.wait_for_selector("#chart-risk .main-svg")
    leavers = desktop.locator("#leavers")
    # the list comes before the charts and the table
    assert desktop.locator("#leavers ~ .row #chart-risk").count() == 1
    row = leavers.locator(f"tr[data-account='{seeded['account']}']")
    assert row.locator(".left-badge").count() == 1
    assert row.locator(f"a[data-person='{seeded['gone']}']").count() == 1
    # in the table below, nobody holds that account any more
    table_row = desktop.locator(f"#dependency-table tr[data-account='{seeded['account']}']")
    assert table_row.locator(f"[data-person='{seeded['gone']}']").count() == 0
    assert_accessible(desktop)
    # every figure is explained where it is shown
    assert desktop.locator("#dependency-table th a.explain").count() >= 5
    row.locator("a.plan-handover").click()
    desktop.wait_for_url(re.compile(r".*/handovers/new\?.*"))
    assert desktop.locator(f"#account-{seeded['account']}").is_checked()
    desktop.select_option("select[name=to_user_id]", str(seeded["successor"]))
    desktop.click("#save-handover")
    desktop.wait_for_url(re.compile(r".*/handovers/\d+$"))
    assert desktop.locator(f"#account-{seeded['account']}").count() == 1
    assert desktop.locator("#handover-people .left-badge").count() == 1
    # back on the dashboard, the account no longer waits for a handover
    desktop.goto(f"{url}/dependency")
    assert desktop.locator(f"#leavers tr[data-account='{seeded['account']}']").count() == 0
