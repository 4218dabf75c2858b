import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login


def test_list_searches_filters_and_pages(client, world):
    for n in range(5):
        f.make_account(team=world.team_a, name=f"华东钢铁 {n}", tier="A" if n < 2 else "C")
    login(client, world.rep_a)
    page = client.get("/accounts", query_string={"q": "钢铁", "tier": "A"}).get_data(as_text=True)
    assert page.count("华东钢铁") == 2 and "Huadong Power" not in page
    mine = client.get("/accounts", query_string={"mine": "1"}).get_data(as_text=True)
    assert "Huadong Power" in mine and "华东钢铁" not in mine


def test_keyset_pages_show_every_account_once(client, world, app, monkeypatch):
    for n in range(7):
        f.make_account(team=world.team_a, name=f"Firm {n:02d}")
    login(client, world.rep_a)
    from salesflow.accounts import queries

    seen, cursor = [], None
    while True:
        rows, cursor = queries.page(
            queries.list_query(world.rep_a, queries.AccountFilters(q="Firm")),
            sort="name", descending=True, cursor=cursor, size=3,
        )  # fmt: skip
        seen += [a.name for a in rows]
        if not cursor:
            break
    assert seen == [f"Firm {n:02d}" for n in reversed(range(7))]
    response = client.get("/accounts", query_string={"q": "Firm", "cursor": "garbage"})
    assert response.status_code == 200


def test_account_page_shows_team_gaps_and_log_link(client, world):
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert "Li Ming" in page and "No SR" in page and "No FR" in page
    assert f"/interactions/new?account_id={world.account_a.id}" in page


def test_create_then_edit_records_history_on_the_page(client, world):
    login(client, world.rep_a)
    response = client.post("/accounts/new", data={"name": "Xinhua Rail", "team_id":
                           world.team_a.id, "tier": "A"})  # fmt: skip
    assert response.status_code == 302
    account = db.session.scalar(sa.select(Account).where(Account.name == "Xinhua Rail"))
    client.post(f"/accounts/{account.id}/edit", data={
        "name": "Xinhua Rail Group", "team_id": world.team_a.id, "tier": "A",
        "version": account.version})  # fmt: skip
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Xinhua Rail → Xinhua Rail Group" in page


def test_bad_input_shows_form_errors_and_saves_nothing(client, world):
    login(client, world.rep_a)
    response = client.post("/accounts/new", data={"name": "x" * 300, "team_id": world.team_b.id,
                                                  "tier": "A"})  # fmt: skip
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).where(Account.name.like("xxx%"))) == 0


def test_stale_edit_shows_conflict_and_keeps_input(client, world):
    login(client, world.rep_a)
    stale = world.account_a.version
    world.account_a.notes = "changed by someone else"
    db.session.flush()
    data = {"name": "My new name", "team_id": world.team_a.id, "tier": "B", "version": stale}
    response = client.post(f"/accounts/{world.account_a.id}/edit", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page and "My new name" in page


def test_team_form_sets_the_iron_triangle(client, world):
    login(client, world.rep_a)
    data = {"members-0-user_id": world.rep_a.id, "members-0-role": "AR",
            "members-1-user_id": world.rep_a2.id, "members-1-role": "SR",
            "members-2-user_id": "", "members-2-role": ""}  # fmt: skip
    assert client.post(f"/accounts/{world.account_a.id}/team", data=data).status_code == 302
    assert sorted(m.role.value for m in world.account_a.members) == ["AR", "SR"]


def test_delete_needs_the_csrf_token(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.director_a)
    assert client.post(f"/accounts/{world.account_a.id}/delete").status_code == 400
    assert world.account_a.deleted_at is None
