"""Our people's profile (hometown, education) in GET, PATCH /users/{id}: each person edits their
own, admins anyone's, nobody else's (403); too long or not text is 422 with nothing kept; every
change is audited."""

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.extensions import db
from tests.conftest import api_as, login


def _entries(user_id: int) -> list[dict]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.changes).where(
                AuditEntry.entity_type == "users", AuditEntry.entity_id == user_id
            )
        )
    )


def test_a_rep_edits_their_own_profile(app, world, now):
    api = api_as(app, world.rep_a)
    response = api.patch(
        f"/users/{world.rep_a.id}",
        json={"profile": {"hometown": "  湖南长沙 ", "education": "清华大学; MIT"}},
    )
    assert response.status_code == 200
    assert response.get_json()["profile"] == {"hometown": "湖南长沙", "education": "清华大学; MIT"}
    assert api.get(f"/users/{world.rep_a.id}").get_json()["profile"]["hometown"] == "湖南长沙"
    assert _entries(world.rep_a.id)[-1] == {
        "hometown": [None, "湖南长沙"],
        "education": [None, "清华大学; MIT"],
    }
    cleared = api.patch(f"/users/{world.rep_a.id}", json={"profile": {"hometown": ""}})
    assert cleared.get_json()["profile"] == {"hometown": None, "education": "清华大学; MIT"}


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("director_a", 403), ("rep_a2", 403)])
def test_others_profiles_admins_only(app, world, now, who, status):
    api = api_as(app, getattr(world, who))
    response = api.patch(f"/users/{world.rep_a.id}", json={"profile": {"hometown": "长沙"}})
    assert response.status_code == status
    db.session.refresh(world.rep_a)
    assert world.rep_a.hometown == ("长沙" if status == 200 else None)


@pytest.mark.parametrize(
    "profile",
    [
        {"hometown": "x" * 121},
        {"education": "x" * 301},
        {"hometown": 7},
        {"hometown": "长沙", "education": "a\x00b"},
        {"town": "长沙"},
    ],
)
def test_bad_profile_refused_keeping_nothing(app, world, now, profile):
    api = api_as(app, world.rep_a)
    before = len(_entries(world.rep_a.id))
    response = api.patch(f"/users/{world.rep_a.id}", json={"profile": profile, "name": "New"})
    assert response.status_code in (400, 422)
    db.session.refresh(world.rep_a)
    assert (world.rep_a.hometown, world.rep_a.education, world.rep_a.name) == (
        None,
        None,
        "Li Ming",
    )
    assert len(_entries(world.rep_a.id)) == before


def test_a_rep_edits_their_profile_on_their_account_page(client, world, now):
    login(client, world.rep_a)
    page = client.get("/me").get_data(as_text=True)
    assert 'id="profile"' in page and 'name="hometown"' in page
    response = client.post("/me/profile", data={"hometown": " 湖南长沙 ", "education": "清华大学"})
    assert response.status_code == 303 or response.status_code == 302
    db.session.refresh(world.rep_a)
    assert (world.rep_a.hometown, world.rep_a.education) == ("湖南长沙", "清华大学")
    assert 'value="湖南长沙"' in client.get("/me").get_data(as_text=True)


def test_a_refused_profile_keeps_nothing_and_shows_why(client, world, now):
    login(client, world.rep_a)
    response = client.post("/me/profile", data={"hometown": "长沙", "education": "x" * 301})
    assert response.status_code == 422
    assert "Use at most 300 characters." in response.get_data(as_text=True)
    db.session.refresh(world.rep_a)
    assert (world.rep_a.hometown, world.rep_a.education) == (None, None)


def _admin_form(user, **profile) -> dict[str, str]:
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team_id": str(user.team_id or ""),
        "password": "",
        "active": "y",
        **profile,
    }


def test_an_admin_edits_someones_profile_on_the_user_form(client, world, now):
    login(client, world.admin)
    page = client.get(f"/admin/users/{world.rep_a.id}/edit").get_data(as_text=True)
    assert 'name="hometown"' in page and 'name="education"' in page
    form = _admin_form(world.rep_a, hometown="长沙", education="MIT")
    response = client.post(f"/admin/users/{world.rep_a.id}/edit", data=form)
    assert response.status_code in (302, 303)
    db.session.refresh(world.rep_a)
    assert (world.rep_a.hometown, world.rep_a.education) == ("长沙", "MIT")
    refused = client.post(
        f"/admin/users/{world.rep_a.id}/edit", data={**form, "hometown": "x" * 121}
    )
    assert refused.status_code == 422
    db.session.refresh(world.rep_a)
    assert world.rep_a.hometown == "长沙"
