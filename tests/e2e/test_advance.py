"""The issue's flow: a rep opens an opportunity, tries to advance, sees the unmet gates, logs a
meeting with the decision maker from the gate's link, and advances — on a phone, in English and
in Chinese."""

import itertools
from datetime import timedelta

from salesflow import clock
from salesflow.extensions import db
from salesflow.opportunities.models import ChecklistTick
from tests import factories as f
from tests.e2e.helpers import log_in

_n = itertools.count()
NEXT_STAGE = {"en-US": "Get the order", "zh-CN": "成交"}


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Gates {locale} {n}")
    rep = f.make_user(team=team, name=f"Rep G{n}", email=f"gates{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"华东电网 {n}", members={rep: "AR"})
    boss = f.make_contact(
        account=account, name="王总", decision_role="decision_maker", influence="high"
    )
    f.make_interaction(account=account, owner=rep, contacts=[boss], days_ago=40)
    deal = f.make_opportunity(
        account=account,
        playbook="transactional",
        stage="quote",
        name=f"Meter order {n}",
        roles={rep: "AR"},
    )
    db.session.add(
        ChecklistTick(
            opportunity_id=deal.id,
            stage_key="quote",
            item_key="quote_sent",
            evidence="Quote Q-17 sent",
            ticked_by_id=rep.id,
            ticked_at=clock.now() - timedelta(days=2),
        )
    )
    return {"deal": deal, "boss": boss, "email": rep.email}


def test_rep_meets_the_decision_maker_from_the_gate_link_and_advances(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["email"])
    deal_url = f"{live_server.url}/opportunities/{seeded['deal']}"
    phone.goto(deal_url)
    phone.click("#advance")
    phone.wait_for_url(f"{deal_url}#gates")  # back at the exit criteria, the refusal there
    refusal = phone.locator("#gates .alert-danger")
    assert refusal.locator("li").count() == 1  # only the decision-maker contact is missing
    assert refusal.locator("li a").count() == 1  # linked to its action
    unmet = phone.locator(".gate-unmet")
    assert unmet.count() == 1
    unmet.locator("a.gate-action").click()
    phone.wait_for_url(lambda url: "/interactions/new" in url)
    boss = phone.locator(f"input[name=contact_ids][value='{seeded['boss']}']")
    assert boss.is_checked()
    assert phone.locator("select[name=opportunity_id]").input_value() == str(seeded["deal"])
    phone.fill("textarea[name=summary]", "Walked 王总 through the quote; he wants delivery dates")
    phone.click("#save-interaction")
    phone.wait_for_url(lambda url: url.startswith(deal_url))
    assert phone.locator(".gate-unmet").count() == 0
    phone.click("#advance")
    phone.wait_for_url(f"{deal_url}#gates")
    assert phone.locator("#gates .alert-success").count() == 1
    current = phone.locator(".stage-track [aria-current=step]").inner_text()
    assert NEXT_STAGE[locale] in current
