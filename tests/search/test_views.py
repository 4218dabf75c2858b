"""The search page: hint, results with context and links, scope, huge queries."""

import html
import re

from tests.conftest import login
from tests.factories import make_account, make_contact


def test_search_page_needs_login(client):
    response = client.get("/search?q=x")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_query_shows_a_hint(client, world):
    login(client, world.rep_a)
    response = client.get("/search")
    assert response.status_code == 200
    assert "Type part of a company or person name" in response.get_data(as_text=True)


def test_results_link_to_records_and_show_context(client, world):
    make_account(team=world.team_a, name="华东电网", tier="A", industry="Utilities")
    contact = make_contact(account=world.account_a, name="华东 Zhou", title="采购总监")
    login(client, world.rep_a)
    page = client.get("/search?q=华东").get_data(as_text=True)
    assert "华东电网" in page and "North" in page and "A · key account" in page
    assert f'href="/contacts/{contact.id}"' in page
    assert "采购总监" in page and "Huadong Power" in page


def test_account_hit_links_to_the_account_page(client, world):
    login(client, world.rep_a)
    page = client.get("/search?q=huadong").get_data(as_text=True)
    assert f'href="/accounts/{world.account_a.id}"' in page


def test_rep_page_never_shows_another_teams_records(client, world):
    login(client, world.rep_a)
    page = client.get("/search?q=n").get_data(as_text=True)
    assert "Nanfang Grid" not in page and "Liu Yang" not in page
    assert "Nothing found" in client.get("/search?q=Nanfang").get_data(as_text=True)


def test_huge_query_is_trimmed_not_an_error(client, world):
    login(client, world.rep_a)
    response = client.get("/search", query_string={"q": "华" * 2000})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing found for “" + "华" * 100 + "”" in page  # searched the first 100 only


def test_more_link_pages_through_one_kind(client, world):
    for n in range(25):
        make_account(team=world.team_a, name=f"Many Co {n:02d}")
    login(client, world.rep_a)
    page = client.get("/search?q=many").get_data(as_text=True)
    assert "Many Co 19" in page and "Many Co 20" not in page
    assert "kind=accounts" in page and "More accounts" in page
    link = re.search(r'href="(/search\?[^"]*kind=accounts[^"]*)"', page).group(1)
    more = client.get(html.unescape(link)).get_data(as_text=True)
    assert "Many Co 20" in more and "Many Co 24" in more and "Many Co 19" not in more


def test_malformed_cursor_is_ignored(client, world):
    login(client, world.rep_a)
    response = client.get("/search?q=huadong&kind=accounts&after=x&after_name=")
    assert response.status_code == 200
    assert "Huadong Power" in response.get_data(as_text=True)
