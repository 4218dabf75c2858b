"""In the browser: an admin deactivates a rep and is told what it did, then follows *Plan the
handover* to the handover form for that person; a director restores a deleted contact from the
list of deleted contacts — in English and Chinese."""

import itertools
import re

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, translate
from tests.e2e.test_accessibility import log_in

_n = itertools.count()


def _world() -> dict:
    n = next(_n)
    team = f.make_team(name=f"Restore {n}")
    director = f.make_user(role=Role.director, team=team, name=f"Director R{n}")
    team.director_id = director.id
    admin = f.make_user(role=Role.admin, name=f"Admin R{n}")
    rep = f.make_user(team=team, name=f"Leaving Rep {n}")
    account = f.make_account(team=team, name=f"Held Account {n}", members={rep: "AR"})
    gone = f.make_contact(account=account, name=f"Deleted Contact {n}", deleted=True)
    return {"admin": admin.email, "director": director.email, "rep": rep, "gone": gone}


def test_deactivating_says_what_it_did_and_leads_to_the_handover(live_server, desktop, locale):
    seeded = live_server.seed(_world)
    url = live_server.url
    log_in(desktop, url, seeded["admin"])
    desktop.goto(f"{url}/admin/users/{seeded['rep']}/edit")
    desktop.locator("input[name=active]").uncheck()
    desktop.locator("main button[type=submit]").click()
    desktop.wait_for_url(f"{url}/admin/users")
    alert = desktop.locator(".alert-success")
    assert "Leaving Rep" in alert.inner_text()
    held = translate("They still hold %(num)d account.", locale).replace("%(num)d", "1")
    assert held in alert.inner_text()
    assert_accessible(desktop)
    desktop.locator("#plan-handover").click()
    desktop.wait_for_url(re.compile(rf".*/handovers/new\?from_user_id={seeded['rep']}$"))
    assert desktop.locator("select#from_user_id").input_value() == str(seeded["rep"])


def test_a_director_restores_a_deleted_contact_from_the_list(live_server, phone, locale):
    seeded = live_server.seed(_world)
    url = live_server.url
    log_in(phone, url, seeded["director"])
    phone.goto(f"{url}/accounts?deleted=1")
    phone.locator("a[href='/deleted/contacts']").click()
    phone.wait_for_url(f"{url}/deleted/contacts")
    row = phone.locator(f"#contact-{seeded['gone']}")
    assert "Deleted Contact" in row.inner_text()
    assert_accessible(phone)
    row.locator("button[type=submit]").click()
    phone.wait_for_url(f"{url}/deleted/contacts")
    assert phone.locator(f"#contact-{seeded['gone']}").count() == 0
    assert translate("Contact restored.", locale) in phone.locator(".alert-success").inner_text()
    phone.goto(f"{url}/contacts/{seeded['gone']}")
    assert "Deleted Contact" in phone.locator("h1").inner_text()
