"""The merge API: POST /accounts/{id}/merge, /contacts/{id}/merge, /merges/{id}/undo, the list of
merges and of duplicate groups; permissions for each role of the World, and bad input."""

import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.merges.models import Merge
from tests import factories as f
from tests.conftest import api_as


def _body(survivor, others, **extra):
    return {"other_ids": [o.id for o in others], "version": survivor.version, **extra}


def test_merging_accounts_answers_the_survivor_with_the_merge_id(app, twins):
    t = twins
    api = api_as(app, t.director)
    body = _body(t.survivor, [t.duplicate], fields={"tier": t.duplicate.id})
    answer = api.post(f"/accounts/{t.survivor.id}/merge", json=body)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["id"] == t.survivor.id and body["tier"] == "A" and body["merge_id"]
    assert body["version"] > t.survivor.version - 1
    old = api.get(f"/accounts/{t.duplicate.id}")
    assert old.status_code == 307 and old.location.endswith(f"/api/v1/accounts/{t.survivor.id}")
    team = api.get(f"/accounts/{t.duplicate.id}/team")
    assert team.status_code == 307 and team.location.endswith(f"/accounts/{t.survivor.id}/team")
    merge = api.get(f"/merges/{body['merge_id']}").get_json()
    assert merge["merged_ids"] == [t.duplicate.id] and merge["moved"]["contacts"] == 2
    assert [m["id"] for m in api.get("/merges").get_json()["items"]] == [body["merge_id"]]
    undone = api.post(f"/merges/{body['merge_id']}/undo")
    assert undone.status_code == 200 and undone.get_json()["undone_at"]
    assert api.get(f"/accounts/{t.duplicate.id}").get_json()["deleted_at"] is None
    assert api.post(f"/merges/{body['merge_id']}/undo").status_code == 409


def test_merging_contacts_of_one_account(app, twins):
    t = twins
    other = f.make_contact(account=t.survivor, name="Zhang Wei (old card)")
    other.phone = "+86 138-1234-5678"
    api = api_as(app, t.admin)
    answer = api.post(
        f"/contacts/{t.zhang.id}/merge", json=_body(t.zhang, [other], fields={"phone": other.id})
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["phone"] == "+86 138-1234-5678"
    assert api.get(f"/contacts/{other.id}").status_code == 307


def test_the_duplicate_groups_with_their_reasons(app, twins):
    api = api_as(app, twins.director)
    groups = api.get("/duplicates/accounts").get_json()["items"]
    assert groups == [
        {
            "ids": sorted([twins.survivor.id, twins.duplicate.id]),
            "reasons": {"domain": ["huadong.com"]},
        }
    ]
    contacts = api.get(f"/duplicates/contacts?account_id={twins.survivor.id}")
    assert contacts.status_code == 200 and contacts.get_json()["items"] == []


@pytest.mark.parametrize(
    "who, status",
    [
        ("rep_a", 403),
        ("rep_b", 404),
        ("leader", 403),
        ("director_b", 404),
        ("director_a", 200),
        ("admin", 200),
    ],
)
def test_who_may_merge_the_world_s_accounts(app, world, who, status):
    """account_a and shared are team A's: its director and admins merge them; reps and
    leadership may not (403); team B's director and rep_b do not even see account_a (404)."""
    api = api_as(app, getattr(world, who))
    answer = api.post(
        f"/accounts/{world.account_a.id}/merge", json=_body(world.account_a, [world.shared])
    )
    assert answer.status_code == status, answer.get_json()


def test_a_director_cannot_merge_another_team_s_account_into_theirs(app, world):
    api = api_as(app, world.director_a)
    answer = api.post(
        f"/accounts/{world.account_a.id}/merge", json=_body(world.account_a, [world.account_b])
    )
    assert answer.status_code == 404
    assert db.session.get(Account, world.account_b.id).deleted_at is None


def test_who_may_undo(app, world):
    merged = (
        api_as(app, world.admin)
        .post(f"/accounts/{world.account_a.id}/merge", json=_body(world.account_a, [world.shared]))
        .get_json()
    )
    for who, status in (("rep_a", 403), ("leader", 403), ("director_b", 404)):
        assert (
            api_as(app, getattr(world, who)).post(f"/merges/{merged['merge_id']}/undo").status_code
            == status
        )
    assert (
        api_as(app, world.director_a).post(f"/merges/{merged['merge_id']}/undo").status_code == 200
    )


def _refused(answer, status, field=None):
    assert answer.status_code == status, answer.get_json()
    body = answer.get_json()["error"]
    if field:
        assert field in body["fields"], body
    return body


def test_bad_merges_are_refused_and_nothing_is_saved(app, world):
    a, shared = world.account_a, world.shared
    gone = f.make_account(team=world.team_a, name="Old", deleted=True)
    api = api_as(app, world.director_a)
    url = f"/accounts/{a.id}/merge"
    _refused(api.post(url, json=_body(a, [a])), 422, "other_ids")  # itself
    _refused(api.post(url, json=_body(a, [world.account_b])), 404)  # out of scope
    _refused(api.post(url, json=_body(a, [gone])), 422, "other_ids")  # deleted
    _refused(api.post(url, json={**_body(a, []), "other_ids": [world.contact_b.id + 1000]}), 404)
    _refused(api.post(url, json=_body(a, [shared], fields={"colour": shared.id})), 422, "fields")
    _refused(
        api.post(url, json=_body(a, [shared], fields={"name": world.account_b.id})),
        422,
        "fields.name",
    )
    _refused(api.post(url, json={"other_ids": [shared.id]}), 422, "version")
    _refused(api.post(url, json={**_body(a, [shared]), "version": a.version + 1}), 409)
    _refused(
        api.post(url, json={**_body(a, [shared]), "other_versions": {str(shared.id): 99}}), 409
    )
    _refused(api.post(url, json={**_body(a, [shared]), "other_ids": ["2"]}), 422)
    _refused(api.post(url, json=_body(a, [])), 422, "other_ids")
    many = [f.make_account(team=world.team_a) for _n in range(5)]
    _refused(api.post(url, json=_body(a, many)), 422, "other_ids")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Merge)) == 0
    assert db.session.get(Account, shared.id).deleted_at is None


def test_contacts_of_two_accounts_or_of_the_other_kind_are_refused(app, world):
    api = api_as(app, world.admin)
    url = f"/contacts/{world.contact_a.id}/merge"
    _refused(api.post(url, json=_body(world.contact_a, [world.contact_b])), 422, "other_ids")
    # an account's id is no contact's: the account "shared" is not found among contacts
    missing = max(world.contact_shared.id, world.shared.id) + 100
    _refused(api.post(url, json={**_body(world.contact_a, []), "other_ids": [missing]}), 404)
    assert db.session.get(Contact, world.contact_b.id).deleted_at is None


def test_reps_and_leadership_may_not_list_merges(app, world):
    for who in ("rep_a", "leader"):
        api = api_as(app, getattr(world, who))
        assert api.get("/merges").status_code == 403
        assert api.get("/duplicates/accounts").status_code == 403
