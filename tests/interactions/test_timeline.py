"""The contact history a page at a time on the account, contact and deal pages: the newest 30,
then "Older" for the next 30 (a keyset on time and id: no entry twice, none skipped, also when
many share a time); a bad page parameter is ignored; the queries do not grow with the rows."""

import re
from datetime import timedelta

import pytest

from salesflow.interactions import timeline
from tests.conftest import login, sql_statements
from tests.factories import make_contact, make_interaction, make_opportunity

ENTRY = re.compile(r'id="interaction-(\d+)"')
OLDER = re.compile(r'<a href="([^"]+)" rel="next" class="timeline-older">')


def _history(world, now, count, **where):
    """`count` interactions on account A, in groups of seven logged at the same minute."""
    made = []
    for n in range(count):
        made.append(
            make_interaction(
                account=world.account_a,
                owner=world.rep_a,
                occurred_at=now - timedelta(hours=n // 7),
                summary=f"Visit number {n}",
                **where,
            )
        )
    return made


def _walk(client, path):
    """Every entry shown, page after page through "Older", and the number of pages."""
    seen, pages = [], 0
    while path:
        page = client.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        seen += [int(i) for i in ENTRY.findall(html)]
        pages += 1
        older = OLDER.search(html)
        path = older.group(1).replace("&amp;", "&") if older else None
        assert pages < 20
    return seen, pages


def _newest_first(interactions):
    return [i.id for i in sorted(interactions, key=lambda i: (i.occurred_at, i.id), reverse=True)]


def test_account_page_shows_the_newest_30_and_older_pages_without_gaps(client, world, now):
    made = _history(world, now, 64) + [world.interaction_a]
    login(client, world.rep_a)
    first = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    assert [int(i) for i in ENTRY.findall(first)] == _newest_first(made)[: timeline.PAGE]
    assert 'rel="first"' not in first  # the newest page needs no way back
    seen, pages = _walk(client, f"/accounts/{world.account_a.id}")
    assert seen == _newest_first(made) and pages == 3  # 30 + 30 + 5, each once, in order


def test_an_older_page_links_back_to_the_newest(client, world, now):
    made = _history(world, now, 35)
    login(client, world.rep_a)
    order = _newest_first([*made, world.interaction_a])
    last = order[timeline.PAGE - 1]
    html = client.get(f"/accounts/{world.account_a.id}?before={last}").get_data(as_text=True)
    assert f'href="/accounts/{world.account_a.id}#timeline-entries" rel="first"' in html
    assert "timeline-older" not in html
    ids = [int(i) for i in ENTRY.findall(html)]
    assert ids == order[timeline.PAGE :]


def test_contact_and_deal_pages_page_their_timelines_the_same_way(client, world, now):
    contact = make_contact(account=world.account_a, name="Li Na")
    deal = make_opportunity(account=world.account_a)
    both = _history(world, now, 40, contacts=[contact], opportunity=deal)
    _history(world, now, 5)  # on the account, neither with Li Na nor on the deal
    login(client, world.rep_a)
    for path in (f"/contacts/{contact.id}", f"/opportunities/{deal.id}"):
        seen, pages = _walk(client, path)
        assert seen == _newest_first(both) and pages == 2, path


@pytest.mark.parametrize(
    "before", ["abc", "0", "-3", "1.5", "99999999999999999999", "999999999", "", "%00"]
)
def test_a_bad_page_parameter_shows_the_newest(client, world, now, before):
    made = _history(world, now, 33)
    login(client, world.rep_a)
    for path in (
        f"/accounts/{world.account_a.id}",
        f"/contacts/{world.contact_a.id}",
    ):
        response = client.get(path, query_string={"before": before})
        assert response.status_code == 200
    html = client.get(f"/accounts/{world.account_a.id}", query_string={"before": before}).get_data(
        as_text=True
    )
    ids = [int(i) for i in ENTRY.findall(html)]
    assert ids == _newest_first([*made, world.interaction_a])[: timeline.PAGE]


def test_an_older_page_past_the_end_says_so(client, world, now):
    login(client, world.rep_a)
    html = client.get(f"/accounts/{world.account_a.id}?before={world.interaction_a.id}").get_data(
        as_text=True
    )
    assert "No older contacts logged." in html and "No contacts logged yet." not in html


def test_another_teams_interaction_as_the_anchor_shows_nothing_of_it(client, world, now):
    _history(world, now, 3)
    login(client, world.rep_a)
    html = client.get(f"/accounts/{world.account_a.id}?before={world.interaction_b.id}").get_data(
        as_text=True
    )
    assert f'id="interaction-{world.interaction_b.id}"' not in html


def test_deleted_interactions_are_left_out_of_every_page(client, world, now):
    made = _history(world, now, 31)
    gone = make_interaction(
        account=world.account_a, owner=world.rep_a, occurred_at=now, deleted=True
    )
    login(client, world.rep_a)
    seen, _pages = _walk(client, f"/accounts/{world.account_a.id}")
    assert gone.id not in seen and sorted(seen) == sorted(
        [i.id for i in made] + [world.interaction_a.id]
    )


def _account_page_queries(client, world):
    with sql_statements() as seen:
        assert client.get(f"/accounts/{world.account_a.id}").status_code == 200
    return len(seen)


def test_account_page_queries_do_not_grow_with_its_history_and_contacts(client, world, now):
    login(client, world.rep_a)
    _account_page_queries(client, world)  # the first request loads what is cached after it
    small = _account_page_queries(client, world)
    contacts = [make_contact(account=world.account_a) for _ in range(12)]
    for n, contact in enumerate(contacts):
        make_interaction(
            account=world.account_a,
            owner=world.rep_b if n % 2 else world.rep_a,
            contacts=[contact, contacts[n - 1]],
            days_ago=n,
        )
    _history(world, now, 40)
    assert _account_page_queries(client, world) == small
