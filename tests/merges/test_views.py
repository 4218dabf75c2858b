"""The merge pages: duplicates, the chooser and its review, the merge, the undo button, and the
old addresses leading to the survivor."""

import re

import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.merges import services
from salesflow.merges.models import Merge, MergeKind
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def director(client, twins):
    db.session.commit()
    return login(client, twins.director)


def choose_url(t, kind="accounts", ids=None):
    ids = ids or [t.survivor.id, t.duplicate.id]
    return f"/duplicates/{kind}/merge?ids={','.join(map(str, ids))}"


def test_the_duplicates_page_lists_the_twins_with_why(director, twins):
    page = director.get("/duplicates/accounts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Same website: huadong.com" in html
    assert f'value="{twins.duplicate.id}"' in html and f'value="{twins.survivor.id}"' in html


def test_the_contacts_duplicates_of_one_account(director, twins):
    merge = services.merge_records(
        MergeKind.accounts,
        twins.survivor,
        {"other_ids": [twins.duplicate.id], "version": twins.survivor.version},
        actor=twins.director,
        now=f.clock.now(),
    )
    db.session.commit()
    account_page = director.get(f"/accounts/{twins.survivor.id}").get_data(as_text=True)
    assert 'id="duplicate-contacts"' in account_page
    assert f"/merges/{merge.id}/undo" in account_page
    page = director.get(f"/duplicates/contacts?account_id={twins.survivor.id}")
    html = page.get_data(as_text=True)
    assert "Same e-mail: zw@huadong.com" in html


def test_the_chooser_shows_each_differing_field_and_what_moves(director, twins):
    html = director.get(choose_url(twins)).get_data(as_text=True)
    assert 'name="f_name"' in html and 'name="f_tier"' in html
    assert 'name="f_industry"' in html  # "Manufacturing" against nothing
    assert "2 contacts" in html and "1 opportunity" in html


def _post(client, t, step, **choices):
    page = client.get(choose_url(t)).get_data(as_text=True)
    versions = re.search(r'name="versions" type="hidden" value="([^"]*)"', page).group(1)
    data = {
        "survivor": str(t.survivor.id),
        "versions": versions,
        "step": step,
        "f_name": str(t.survivor.id),
        "f_tier": str(t.duplicate.id),
        "f_industry": str(t.survivor.id),
        "f_region": str(t.duplicate.id),
        "f_website": str(t.survivor.id),
        **choices,
    }
    return client.post(choose_url(t), data=data)


def test_review_then_merge_then_undo(director, twins):
    t = twins
    review = _post(director, t, "review")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert 'id="confirm-merge"' in html and "A · key account" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Merge)) == 0
    done = _post(director, t, "merge")
    assert done.status_code == 302 and done.location.endswith(f"/accounts/{t.survivor.id}")
    merge = db.session.scalar(sa.select(Merge))
    page = director.get(done.location).get_data(as_text=True)
    assert "Zhang  Wei" in page and "Liu Bo" in page  # the contacts are together
    assert "Undo merge" in page
    old = director.get(f"/accounts/{t.duplicate.id}")
    assert old.status_code == 302 and old.location.endswith(f"/accounts/{t.survivor.id}")
    contact = director.get(f"/contacts/{t.zhang2.id}")
    assert contact.status_code == 200  # a contact that moved is not merged away
    undone = director.post(f"/merges/{merge.id}/undo")
    assert undone.status_code == 303
    assert db.session.get(Account, t.duplicate.id).deleted_at is None
    assert db.session.get(Contact, t.zhang2.id).account_id == t.duplicate.id
    assert director.get(f"/accounts/{t.duplicate.id}").status_code == 200


def test_a_stale_survivor_version_is_a_conflict_with_the_choices_kept(director, twins):
    t = twins
    page = director.get(choose_url(t)).get_data(as_text=True)
    versions = re.search(r'name="versions" type="hidden" value="([^"]*)"', page).group(1)
    survivor = db.session.get(Account, t.survivor.id)
    survivor.notes = "Changed by someone else"
    db.session.commit()
    data = {
        "survivor": str(t.survivor.id),
        "versions": versions,
        "step": "merge",
        "f_tier": str(t.duplicate.id),
    }
    answer = director.post(choose_url(t), data=data)
    assert answer.status_code == 409
    assert "Someone else changed this record" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Merge)) == 0


def test_old_contact_addresses_lead_to_the_survivor(director, twins):
    t = twins
    services.merge_records(
        MergeKind.accounts,
        t.survivor,
        {"other_ids": [t.duplicate.id], "version": t.survivor.version},
        actor=t.director,
        now=f.clock.now(),
    )
    services.merge_records(
        MergeKind.contacts,
        t.zhang,
        {"other_ids": [t.zhang2.id], "version": t.zhang.version},
        actor=t.director,
        now=f.clock.now(),
    )
    db.session.commit()
    for path in (f"/contacts/{t.zhang2.id}", f"/contacts/{t.zhang2.id}/edit"):
        answer = director.get(path + "?x=1")
        assert answer.status_code == 302
        assert answer.location.endswith(path.replace(str(t.zhang2.id), str(t.zhang.id)) + "?x=1")
    history = director.get(f"/contacts/{t.zhang.id}").get_data(as_text=True)
    assert "merged" in history


@pytest.mark.parametrize(
    "who, pages, chooser",
    [
        ("rep_a", 403, 403),
        ("leader", 403, 403),
        ("director_b", 200, 404),
        ("director_a", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_may_open_the_pages(client, world, who, pages, chooser):
    """Directors (their team's records: another team's are not even found) and admins."""
    db.session.commit()
    login(client, getattr(world, who))
    lists = ["/duplicates/accounts", "/duplicates/contacts", "/merges"]
    assert {client.get(p).status_code for p in lists} == {pages}
    ids = f"{world.account_a.id},{world.shared.id}"
    assert client.get(f"/duplicates/accounts/merge?ids={ids}").status_code == chooser


def test_a_rep_is_not_sent_to_a_survivor_they_cannot_see(client, world):
    survivor = f.make_account(team=world.team_b, name="Nanfang")
    services.merge_records(
        MergeKind.accounts,
        survivor,
        {"other_ids": [world.account_a.id], "version": survivor.version},
        actor=world.admin,
        now=f.clock.now(),
    )
    db.session.commit()
    login(client, world.rep_a2)  # team A, not on the account team that moved with it
    assert client.get(f"/accounts/{world.account_a.id}").status_code == 404
    login(client, world.rep_b)
    assert client.get(f"/accounts/{world.account_a.id}").status_code == 302


def test_the_accounts_list_links_the_duplicates_for_directors_only(client, world):
    db.session.commit()
    login(client, world.director_a)
    assert 'id="find-duplicates"' in client.get("/accounts").get_data(as_text=True)
    login(client, world.rep_a)
    assert 'id="find-duplicates"' not in client.get("/accounts").get_data(as_text=True)


def _twin_accounts(team, n):
    for i in range(n):
        f.make_account(team=team, name=f"Twin {i} Co., Ltd.")
        f.make_account(team=team, name=f"TWIN {i}")


def test_the_duplicates_page_takes_the_same_queries_for_any_number_of_groups(director, twins):
    from tests.conftest import sql_statements

    def queries() -> int:
        with sql_statements() as seen:
            assert director.get("/duplicates/accounts").status_code == 200
        return len(seen)

    queries()  # the first request of a test also logs in and opens the savepoint
    few = queries()
    _twin_accounts(twins.team, 8)
    db.session.commit()
    queries()
    assert queries() == few


HOSTILE_POSTS = [
    {"survivor": "999999", "step": "merge"},
    {"survivor": "x", "versions": "1:1", "step": "review"},
    {"versions": "garbage,::,1:99999999999999", "step": "merge"},
    {"f_tier": "2147483648", "step": "merge"},
    {"f_name": "-1", "f_tier": "", "step": "review"},
    {"step": "merge", "survivor": ""},
    {"step": "\u202e"},
]


@pytest.mark.parametrize("posted", HOSTILE_POSTS)
def test_a_tampered_chooser_is_refused_in_words_and_saves_nothing(director, twins, posted):
    t = twins
    page = director.get(choose_url(t)).get_data(as_text=True)
    versions = re.search(r'name="versions" type="hidden" value="([^"]*)"', page).group(1)
    data = {"survivor": str(t.survivor.id), "versions": versions, **posted}
    answer = director.post(choose_url(t), data=data)
    assert answer.status_code < 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Merge)) == 0
    assert db.session.get(Account, t.duplicate.id).deleted_at is None


def test_the_contact_chooser_shows_values_in_words(director, twins):
    t = twins
    other = f.make_contact(
        account=t.survivor,
        name="Zhang Wei",
        level="executive",
        reports_to=t.boss,
        left_on=f.clock.now().date(),
    )
    db.session.commit()
    html = director.get(choose_url(t, "contacts", [t.zhang.id, other.id])).get_data(as_text=True)
    assert "Executive" in html and "Wang Qiang" in html  # a level's label, a manager's name
    assert 'name="f_left_on"' in html and 'name="f_influence"' in html
    listed = director.get(f"/duplicates/contacts?account_id={t.survivor.id}")
    assert "Same name: zhangwei" in listed.get_data(as_text=True)
