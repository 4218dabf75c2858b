"""The issue's flow: a rep on a phone logs a visit with two customer contacts from the account
page, and sees it on the timeline and as live ties in the decision chain."""

import itertools

from tests import factories as f
from tests.e2e.helpers import log_in

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"East {locale} {n}")
    rep = f.make_user(team=team, name=f"Rep {n}", email=f"rep{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"华东电力 {n}", members={rep: "AR"})
    boss = f.make_contact(
        account=account, name="张伟", decision_role="decision_maker", influence="high"
    )
    engineer = f.make_contact(
        account=account, name="Liu Yang", reports_to=boss, decision_role="technical_evaluator"
    )
    return {
        "rep": rep,
        "account": account,
        "boss": boss,
        "engineer": engineer,
        "rep_name": rep.name,
        "email": rep.email,
    }


def test_rep_quick_logs_a_visit_from_a_phone(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["email"])
    account_url = f"{live_server.url}/accounts/{seeded['account']}"
    phone.goto(account_url)
    phone.locator("a[href*='/interactions/new?account_id=']").first.click()
    phone.wait_for_url("**/interactions/new?account_id=**")
    phone.check(f"input[name=contact_ids][value='{seeded['boss']}']")
    phone.check(f"input[name=contact_ids][value='{seeded['engineer']}']")
    phone.select_option("select[name=kind]", "visit")
    phone.fill("textarea[name=summary]", "Walked the substation with Zhang Wei; budget confirmed")
    phone.click("#save-interaction")
    phone.wait_for_url(f"{account_url}#interaction-*")  # back on the page, at the new entry
    timeline = phone.locator(".timeline-item").first.inner_text()
    assert "budget confirmed" in timeline
    chart = phone.locator(".org-chart")
    for name in ("张伟", "Liu Yang"):
        box = chart.locator(".org-node", has_text=name).first
        assert seeded["rep_name"] in box.inner_text()
