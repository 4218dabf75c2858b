"""A NUL character (which PostgreSQL cannot store) is bad input everywhere, never a 500."""

from tests.conftest import api_as, login


def test_api_refuses_nul_in_any_text(app, world):
    api = api_as(app, world.rep_a)
    response = api.post("/contacts", json={"account_id": world.account_a.id, "name": "Li\x00"})
    assert response.status_code == 422
    response = api.post(
        "/interactions",
        json={
            "account_id": world.account_a.id,
            "kind": "visit",
            "summary": "ok",
            "occurred_at": "2026-11-20T09:00:00+08:00",
            "outcome": "x\x00",
        },
    )
    assert response.status_code == 422


def test_forms_refuse_nul_before_anything_is_saved(client, world):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/contacts/new", data={"name": "Zhao\x00"}
    )
    assert response.status_code == 400
    assert client.get("/search", query_string={"q": "a\x00"}).status_code == 400
