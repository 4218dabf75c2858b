"""Every API list pages the same way: `limit` from 1 to API_MAX_PAGE_SIZE and an opaque
`cursor`; anything else is a 422 on the field (never a 500: a Unicode digit, an id past the
column's range)."""

import base64

import pytest

from tests.conftest import api_as


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("limit", ["0", "201", "-1", "²", "١٢", "1e3", " 5", "9" * 30])
def test_a_limit_out_of_range_or_shape_is_422(app, world, limit):
    response = api_as(app, world.rep_a).get("/accounts", query_string={"limit": limit})
    assert response.status_code == 422
    assert "limit" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "cursor",
    ["%%%", _cursor("abc"), _cursor(str(2**31)), _cursor("0"), _cursor(str(2**70)), _cursor("-5")],
)
def test_a_cursor_not_made_by_the_api_is_422(app, world, cursor):
    for path in ("/accounts", "/contacts", "/interactions", "/users", "/teams"):
        response = api_as(app, world.rep_a).get(path, query_string={"cursor": cursor})
        assert response.status_code == 422, path
        assert "cursor" in response.get_json()["error"]["fields"]


def test_a_cursor_made_by_the_api_continues_the_list(app, world):
    api = api_as(app, world.leader)
    first = api.get("/accounts", query_string={"limit": 2}).get_json()
    rest = api.get("/accounts", query_string={"cursor": first["next_cursor"]}).get_json()
    ids = [a["id"] for a in first["items"] + rest["items"]]
    assert sorted(ids) == ids and len(ids) == len(set(ids)) == 3
