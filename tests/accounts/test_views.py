"""Account pages: list, account page, forms (create, edit with conflicts, account team),
delete and restore buttons."""

import re

import sqlalchemy as sa

from salesflow.accounts import services
from salesflow.accounts.models import Account
from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login


def _form(world, **overrides):
    data = {
        "name": "Xinhua Rail",
        "team_id": world.team_a.id,
        "tier": "A",
        "industry": "",
        "region": "",
        "parent_id": "",
        "address": "",
        "website": "",
        "notes": "",
    }
    return {**data, **overrides}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_pages_need_login(client, world):
    for path in (
        "/accounts",
        "/accounts/new",
        f"/accounts/{world.account_a.id}",
        f"/accounts/{world.account_a.id}/edit",
        f"/accounts/{world.account_a.id}/team",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


# --- the list -----------------------------------------------------------------------------


def test_list_searches_filters_and_shows_team_and_ar(client, world):
    for n in range(5):
        f.make_account(team=world.team_a, name=f"华东钢铁 {n}", tier="A" if n < 2 else "C")
    login(client, world.rep_a)
    page = client.get("/accounts", query_string={"q": "钢铁", "tier": "A"}).get_data(as_text=True)
    assert page.count("华东钢铁") == 2 and "Huadong Power" not in page
    mine = client.get("/accounts", query_string={"mine": "1"}).get_data(as_text=True)
    assert "Huadong Power" in mine and "华东钢铁" not in mine
    everything = client.get("/accounts").get_data(as_text=True)
    assert "North" in everything and "Li Ming" in everything and "No AR" in everything
    assert "table-responsive" in everything


def test_list_sorts_and_pages_with_a_next_link(client, world):
    for n in range(60):
        f.make_account(team=world.team_a, name=f"Firm {n:02d}")
    login(client, world.rep_a)
    first = client.get("/accounts", query_string={"q": "Firm", "sort": "name", "dir": "desc"})
    names = re.findall(r">(Firm \d\d)</a>", first.get_data(as_text=True))
    assert names == [f"Firm {n:02d}" for n in range(59, 9, -1)]
    [next_url] = re.findall(r'href="(/accounts\?[^"]*cursor=[^"]*)"', first.get_data(as_text=True))
    second = client.get(next_url.replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r">(Firm \d\d)</a>", second) == [f"Firm {n:02d}" for n in range(9, -1, -1)]
    assert "Next page" not in second


def test_list_survives_junk_parameters(client, world):
    login(client, world.rep_a)
    junk = {
        "team_id": "9" * 30,
        "tier": "Z",
        "sort": "drop table",
        "cursor": "garbage",
        "q": "a" + "x" * 500,
        "industry": "i" * 500,
    }
    assert client.get("/accounts", query_string=junk).status_code == 200
    # A NUL character is refused before any page runs (PostgreSQL cannot store or compare it).
    assert client.get("/accounts", query_string={"q": "a\x00"}).status_code == 400


def test_deleted_accounts_are_listed_for_restorers_only(client, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    login(client, world.director_a)
    page = client.get("/accounts", query_string={"deleted": "1"}).get_data(as_text=True)
    assert "Huadong Power" in page and "Shared Steel" not in page
    login(client, world.rep_a)
    page = client.get("/accounts", query_string={"deleted": "1"}).get_data(as_text=True)
    assert "Huadong Power" not in page and 'name="deleted"' not in page


# --- the account page ---------------------------------------------------------------------


def test_account_page_shows_fields_team_gaps_and_links(client, world):
    world.account_a.website, world.account_a.region = "https://hdp.example.cn", "East"
    world.account_a.notes = "Key customer\nsince 2019"
    f.make_account(team=world.team_a, name="Sponsorless")
    services.set_account_team(
        world.account_a,
        [
            {"user_id": world.rep_a.id, "role": "AR"},
            {"user_id": world.director_a.id, "role": "sponsor"},
        ],
        actor=world.rep_a,
        now=world.account_a.created_at,
    )
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "Li Ming" in page and "Director North" in page
    assert "No SR" in page and "No FR" in page and "No AR" not in page
    assert "https://hdp.example.cn" in page and "East" in page and "since 2019" in page
    assert f"/interactions/new?account_id={world.account_a.id}" in page  # Log a contact
    assert f"/accounts/{world.account_a.id}/contacts/new" in page  # Add contact
    assert f"/accounts/{world.account_a.id}/team" in page
    assert f"/accounts/{world.account_a.id}/delete" not in page  # reps never delete
    assert "Zhang Wei" in page  # the decision chain


def test_account_page_preselects_the_account_for_quick_log(client, world):
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    quick = re.findall(r'href="(/interactions/new[^"]*)"', page)
    assert quick and all(f"account_id={world.account_a.id}" in url for url in quick)


def test_account_page_history_is_readable(client, world, now):
    services.update_account(
        world.account_a,
        {"version": world.account_a.version, "tier": "A", "name": "Huadong Power Group"},
        actor=world.rep_a2,
        now=now,
    )
    services.set_account_team(
        world.account_a,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "FR"}],
        actor=world.rep_a,
        now=now,
    )
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "Huadong Power → Huadong Power Group" in page
    assert "B → A · key account" in page  # vocabulary through |label
    assert "Zhao Lei (FR · fulfilment responsible)" in page  # people by name, not by id
    assert "Zhao Lei" in page and "changed" in page


def test_parent_is_linked_only_when_the_user_may_see_it(client, world):
    world.shared.parent_id = world.account_b.id  # set by someone who sees both
    world.account_a.parent_id = world.shared.id
    db.session.flush()
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.shared.id}").get_data(as_text=True)
    assert "Nanfang Grid" not in page
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert f'href="/accounts/{world.shared.id}"' in page


def test_deleted_account_shows_a_banner_and_restore_to_its_director(client, world, now):
    services.delete_account(world.account_a, actor=world.director_a, now=now)
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "This account was deleted" in page
    assert f"/accounts/{world.account_a.id}/restore" in page
    assert f"/accounts/{world.account_a.id}/edit" not in page


# --- forms --------------------------------------------------------------------------------


def test_new_account_form_preselects_own_team_and_offers_only_allowed_teams(client, world):
    login(client, world.rep_a)
    page = client.get("/accounts/new").get_data(as_text=True)
    assert f'<option selected value="{world.team_a.id}">North</option>' in page
    assert "South" not in page


def test_create_then_edit_records_history_on_the_page(client, world):
    login(client, world.rep_a)
    response = client.post("/accounts/new", data=_form(world, website="xinhua.example.cn"))
    assert response.status_code == 302
    account = db.session.scalar(sa.select(Account).where(Account.name == "Xinhua Rail"))
    assert response.location.endswith(f"/accounts/{account.id}")
    assert account.website == "https://xinhua.example.cn" and account.created_by_id
    response = client.post(
        f"/accounts/{account.id}/edit",
        data=_form(world, name="Xinhua Rail Group", version=account.version),
    )
    assert response.status_code == 302
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Xinhua Rail → Xinhua Rail Group" in page


def test_edit_form_carries_the_version(client, world):
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{world.account_a.version}"' in page
    assert 'value="Huadong Power"' in page


def test_bad_input_shows_every_field_error_and_saves_nothing(client, world):
    login(client, world.rep_a)
    before = _count(Account), _count(AuditEntry)
    data = _form(
        world, name="x" * 300, team_id=world.team_b.id, website="not a site", parent_id="abc"
    )
    response = client.post("/accounts/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("is-invalid") >= 2 and 'value="not a site"' in page
    assert (_count(Account), _count(AuditEntry)) == before


def test_rule_errors_land_on_their_fields(client, world):
    child = f.make_account(team=world.team_a, name="Child")
    child.parent_id = world.account_a.id
    db.session.flush()
    login(client, world.rep_a)
    data = _form(
        world,
        name="Huadong Power",
        parent_id=child.id,
        website="not a site",
        version=world.account_a.version,
    )
    response = client.post(f"/accounts/{world.account_a.id}/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be its own parent" in page and "Enter a web address" in page
    assert world.account_a.parent_id is None


def test_stale_edit_shows_conflict_keeps_input_and_can_then_be_saved(client, world):
    login(client, world.rep_a)
    stale = world.account_a.version
    world.account_a.notes = "changed by someone else"
    db.session.commit()  # someone else's save (the refused one rolls back to here)
    data = _form(world, name="My new name", tier="B", version=stale)
    response = client.post(f"/accounts/{world.account_a.id}/edit", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this account" in page and 'value="My new name"' in page
    assert "Currently saved: changed by someone else" in page
    assert world.account_a.name == "Huadong Power"
    current = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert int(current) == world.account_a.version  # a knowing second save is allowed
    saved = client.post(f"/accounts/{world.account_a.id}/edit", data={**data, "version": current})
    assert saved.status_code == 302 and world.account_a.name == "My new name"


def test_team_form_sets_the_iron_triangle(client, world):
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}/team").get_data(as_text=True)
    assert page.count('name="members-') == 8  # the AR row and three empty rows, two selects each
    data = {
        "members-0-user_id": world.rep_a.id,
        "members-0-role": "AR",
        "members-1-user_id": world.rep_a2.id,
        "members-1-role": "SR",
        "members-2-user_id": world.rep_b.id,
        "members-2-role": "FR",
        "members-3-user_id": "",
        "members-3-role": "",
    }
    assert client.post(f"/accounts/{world.account_a.id}/team", data=data).status_code == 302
    assert sorted(m.role.value for m in world.account_a.members) == ["AR", "FR", "SR"]


def test_team_form_refuses_half_rows_and_duplicates(client, world):
    login(client, world.rep_a)
    data = {
        "members-0-user_id": world.rep_a.id,
        "members-0-role": "AR",
        "members-1-user_id": world.rep_a.id,
        "members-1-role": "AR",
        "members-2-user_id": world.rep_a2.id,
        "members-2-role": "",
    }
    response = client.post(f"/accounts/{world.account_a.id}/team", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Li Ming is listed twice" in page and "Choose a role for Zhao Lei" in page
    assert [m.role.value for m in world.account_a.members] == ["AR"]


def test_team_form_shows_a_leaver_still_on_the_team(client, world):
    world.rep_a.active = False
    db.session.flush()
    login(client, world.director_a)
    page = client.get(f"/accounts/{world.account_a.id}/team").get_data(as_text=True)
    assert f'<option selected value="{world.rep_a.id}">Li Ming (inactive)</option>' in page


def test_director_deletes_and_restores_with_the_buttons(client, world):
    login(client, world.director_a)
    response = client.post(f"/accounts/{world.account_a.id}/delete")
    assert response.status_code == 303 and world.account_a.is_deleted
    response = client.post(f"/accounts/{world.account_a.id}/restore")
    assert response.status_code == 303 and not world.account_a.is_deleted
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.account_id == world.account_a.id)
    ).all()
    assert sorted(actions) == ["delete", "restore"]


def test_forms_need_the_csrf_token(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.director_a)
    before = _count(Account)
    assert client.post("/accounts/new", data=_form(world)).status_code == 400
    assert client.post(f"/accounts/{world.account_a.id}/delete").status_code == 400
    assert _count(Account) == before and world.account_a.deleted_at is None
    page = client.get("/accounts/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/accounts/new", data={**_form(world), "csrf_token": token})
    assert response.status_code == 302 and _count(Account) == before + 1
