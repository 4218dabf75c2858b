"""The visit briefing page: the chooser, then the briefing of the chosen attendees per role
(outside the scope 404), the quick log's link pre-filled with them, bad input shown on the
chooser (422), a fixed number of queries however many attendees, and the page in Chinese."""

from urllib.parse import parse_qs, urlsplit

import pytest

from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login, sql_statements
from tests.i18n.test_no_raw_keys import raw_keys
from tests.key_accounts.test_briefing import Visit


@pytest.fixture
def visit(world, now):
    return Visit(world, now)


def _path(world, query: str = "") -> str:
    return f"/accounts/{world.account_a.id}/briefing{query}"


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep_a", 200), ("director_a", 200), ("leader", 200), ("admin", 200), ("rep_b", 404)],
)
def test_page_per_role(app, client, world, visit, who, status):
    login(client, getattr(world, who))
    response = client.get(_path(world, f"?contact_ids={visit.cio.id}&on=2026-12-03"))
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert "Chen CIO" in html and 'id="attendee-' in html
        assert 'id="host-' in html and "Li Ming" in html  # the suggested host
        assert (
            "Li Ming (same hometown); Wang Fang (same hometown); Zhao Lei (same school: 清华大学)"
            in html
        )
        assert "Control system" in html and "Spare parts in 48 hours" in html
        assert "@page { size: A4" in html


def test_the_chooser_alone_until_contacts_are_chosen(client, world, visit):
    login(client, world.rep_a)
    response = client.get(_path(world))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="briefing-chooser"' in html and "Chen CIO" in html
    assert 'id="log-this-visit"' not in html


def test_log_this_visit_opens_the_quick_log_with_the_attendees(client, world, visit):
    login(client, world.rep_a)
    ids = f"contact_ids={visit.cio.id}&contact_ids={visit.buyer.id}"
    ours = f"participant_ids={world.rep_a.id}&participant_ids={world.rep_b.id}"  # rep_b: no seat
    html = client.get(_path(world, f"?{ids}&{ours}")).get_data(as_text=True)
    start = html.index('id="log-this-visit" href="') + len('id="log-this-visit" href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/interactions/new"
    assert query["account_id"] == [str(world.account_a.id)] and query["kind"] == ["visit"]
    assert query["contact_ids"] == [str(visit.cio.id), str(visit.buyer.id)]
    assert query["participant_ids"] == [str(world.rep_a.id)]  # only people of the account team
    form = client.get(link).get_data(as_text=True)
    for contact in (visit.cio, visit.buyer):  # ticked on the quick log
        assert f'value="{contact.id}" id="contact-{contact.id}" checked' in form


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?contact_ids=abc", "contact-ids-problem"),
        ("?contact_ids={other}", "contact-ids-problem"),
        ("?contact_ids={cio}&on=2026-13-01", "on-problem"),
    ],
)
def test_bad_input_on_the_chooser_422(client, world, visit, query, problem):
    login(client, world.rep_a)
    query = query.format(other=world.contact_b.id, cio=visit.cio.id)
    response = client.get(_path(world, query))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{problem}"' in html and 'id="log-this-visit"' not in html


def test_fixed_number_of_queries(client, world, visit):
    login(client, world.rep_a)
    with sql_statements() as one:
        assert client.get(_path(world, f"?contact_ids={visit.cio.id}")).status_code == 200
    guests = [f.make_contact(account=world.account_a, name=f"Guest {i}") for i in range(6)]
    for guest in guests:
        f.make_interaction(
            account=world.account_a, owner=world.rep_a2, contacts=[guest], days_ago=2
        )
    db.session.commit()
    ids = "&".join(f"contact_ids={c.id}" for c in [visit.cio, visit.buyer, *guests])
    with sql_statements() as eight:
        assert client.get(_path(world, f"?{ids}")).status_code == 200
    assert len(eight) == len(one)


def test_in_chinese(client, world, visit):
    world.rep_a.locale = "zh"
    login(client, world.rep_a)
    html = client.get(_path(world, f"?contact_ids={visit.cio.id}")).get_data(as_text=True)
    assert "Chen CIO" in html and "湖南省长沙市" in html
    assert "decision_maker" not in html and "supporter" not in html  # labels, not keys


def test_the_account_page_links_the_briefing(client, world):
    login(client, world.rep_a)
    html = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert f'href="/accounts/{world.account_a.id}/briefing"' in html


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_no_raw_key_on_the_briefing(client, world, visit, lang):
    login(client, world.rep_a)
    ids = f"contact_ids={visit.cio.id}&contact_ids={visit.buyer.id}"
    response = client.get(_path(world, f"?{ids}"), headers={"Accept-Language": lang})
    assert response.status_code == 200
    assert raw_keys(response.get_data(as_text=True)) == []
