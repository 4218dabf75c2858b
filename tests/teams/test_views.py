"""Admin pages for users and teams: admins only, services behind them, errors on the form."""

import pytest
import sqlalchemy as sa
from flask import g

from salesflow.audit.models import AuditEntry
from salesflow.auth.models import Role, User
from salesflow.extensions import db
from salesflow.teams.models import Team
from tests.conftest import login
from tests.factories import make_team, make_user


def _user_form(**overrides) -> dict[str, str]:
    data = {
        "name": "Sun Qiang",
        "email": "sun.qiang@example.com",
        "role": "rep",
        "team_id": "",
        "active": "y",
        "password": "long-enough-1",
    }
    return {**data, **overrides}


def _switch_user() -> None:
    """Requests of the test client share the test's app context, so Flask-Login's cached user
    (g._login_user) would leak from one client's request into another's."""
    g.pop("_login_user", None)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


ADMIN_PAGES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/teams"),
    ("get", "/admin/teams/new"),
    ("post", "/admin/teams/new"),
]


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader"])
@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_non_admins_get_403(client, world, who, method, path):
    login(client, getattr(world, who))
    response = getattr(client, method)(path, data=_user_form(email="x@example.com"))
    assert response.status_code == 403
    assert _user("x@example.com") is None


def test_non_admin_gets_403_on_edit_pages(client, world):
    login(client, world.director_a)
    assert client.get(f"/admin/users/{world.rep_a.id}/edit").status_code == 403
    response = client.post(f"/admin/users/{world.rep_a.id}/edit", data=_user_form(role="admin"))
    assert response.status_code == 403
    assert world.rep_a.role == Role.rep
    assert client.get(f"/admin/teams/{world.team_a.id}/edit").status_code == 403


def test_admin_pages_need_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_user_list_shows_name_email_role_team_and_active(client, world):
    world.rep_a2.active = False
    login(client, world.admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Li Ming" in page and world.rep_a.email in page
    assert "Director" in page and "Leadership" in page and "North" in page
    assert "Deactivated" in page


def test_user_list_filters_by_team_and_pages(client, world, monkeypatch):
    login(client, world.admin)
    page = client.get(f"/admin/users?team={world.team_b.id}").get_data(as_text=True)
    assert "Wang Fang" in page and "Li Ming" not in page
    from salesflow.teams import queries

    rows, more = queries.list_users(limit=2)
    assert [u.name for u in rows] == ["Admin", "Chen Jie"] and more
    rows, _ = queries.list_users(limit=2, after=("Chen Jie", rows[1].id))
    assert [u.name for u in rows] == ["Director North", "Director South"]


def test_admin_creates_a_user_who_can_then_log_in(app, client, world):
    login(client, world.admin)
    response = client.post("/admin/users/new", data=_user_form(team_id=str(world.team_a.id)))
    assert response.status_code == 302
    user = _user("sun.qiang@example.com")
    assert user is not None and user.team_id == world.team_a.id and user.role == Role.rep
    created = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "users", AuditEntry.entity_id == user.id
        )
    )
    assert created.actor_id == world.admin.id
    _switch_user()
    newcomer = app.test_client()
    login_data = {"email": "sun.qiang@example.com", "password": "long-enough-1"}
    assert newcomer.post("/login", data={**login_data, "password": "wrong-pass"}).status_code == 401
    response = newcomer.post("/login", data=login_data)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    _switch_user()
    assert newcomer.get("/").status_code == 200
    assert g._login_user.id == user.id


def test_duplicate_email_is_a_form_error(client, world):
    login(client, world.admin)
    response = client.post("/admin/users/new", data=_user_form(email=world.rep_a.email.upper()))
    assert response.status_code == 422
    assert "A user with this e-mail already exists." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 7


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short"}, "Use at least 10 characters."),
        ({"password": ""}, "Enter a password."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
        ({"role": "emperor"}, "Not a valid choice."),
        ({"team_id": "999999"}, "Not a valid choice."),
        ({"team_id": "abc"}, "Invalid Choice: could not coerce."),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(client, world, overrides, message):
    login(client, world.admin)
    response = client.post("/admin/users/new", data=_user_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _user("sun.qiang@example.com") is None


def test_admin_edits_role_team_and_password(app, client, world):
    login(client, world.admin)
    form = _user_form(
        name="Li Ming",
        email=world.rep_a.email,
        role="director",
        team_id=str(world.team_b.id),
        password="brand-new-pass",
    )
    assert client.post(f"/admin/users/{world.rep_a.id}/edit", data=form).status_code == 302
    assert world.rep_a.role == Role.director and world.rep_a.team_id == world.team_b.id
    _switch_user()
    other = app.test_client()
    login_data = {"email": world.rep_a.email, "password": "brand-new-pass"}
    assert other.post("/login", data=login_data).status_code == 302
    assert g._login_user.id == world.rep_a.id


def test_blank_password_on_edit_keeps_the_old_one(client, world):
    before = world.rep_a.password_hash
    login(client, world.admin)
    form = _user_form(name="Li Ming Renamed", email=world.rep_a.email, password="")
    assert client.post(f"/admin/users/{world.rep_a.id}/edit", data=form).status_code == 302
    assert world.rep_a.name == "Li Ming Renamed" and world.rep_a.password_hash == before


def test_edit_form_is_filled_in(client, world):
    login(client, world.admin)
    page = client.get(f"/admin/users/{world.director_a.id}/edit").get_data(as_text=True)
    assert world.director_a.email in page
    assert '<option selected value="director">' in page
    assert f'<option selected value="{world.team_a.id}">' in page


def test_deactivated_users_existing_session_stops_working(app, client, world):
    leaver = app.test_client()
    login(leaver, world.rep_a)
    assert leaver.get("/").status_code == 200
    _switch_user()
    login(client, world.admin)
    form = _user_form(name="Li Ming", email=world.rep_a.email, password="")
    del form["active"]  # an unticked box is not sent
    assert client.post(f"/admin/users/{world.rep_a.id}/edit", data=form).status_code == 302
    assert world.rep_a.active is False
    _switch_user()
    response = leaver.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_cannot_deactivate_themselves(client, world):
    login(client, world.admin)
    form = _user_form(name="Admin", email=world.admin.email, role="rep", password="")
    del form["active"]
    response = client.post(f"/admin/users/{world.admin.id}/edit", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You cannot deactivate yourself." in page
    assert "You cannot take away your own admin role." in page
    assert world.admin.active is True and world.admin.role == Role.admin


def test_admin_saving_own_unchanged_form_is_fine(client, world):
    # the lockout rules (not yourself: deactivate, demote) must not refuse a form that changes
    # nothing; and nothing changed is nothing to audit, no session ended
    admin = world.admin
    before = (admin.name, admin.email, admin.role, admin.team_id, admin.active)
    generation, password_hash = admin.session_generation, admin.password_hash
    login(client, admin)
    form = _user_form(name=admin.name, email=admin.email, role="admin", password="")
    response = client.post(f"/admin/users/{admin.id}/edit", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200  # still logged in
    assert f"User {admin.email} saved." in page.get_data(as_text=True)
    db.session.refresh(admin)
    assert (admin.name, admin.email, admin.role, admin.team_id, admin.active) == before
    assert (admin.session_generation, admin.password_hash) == (generation, password_hash)
    audited = sa.select(AuditEntry).where(
        AuditEntry.entity_type == "users", AuditEntry.entity_id == admin.id
    )
    assert db.session.scalars(audited).all() == []


def test_unknown_user_or_team_is_404(client, world):
    login(client, world.admin)
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.get("/admin/teams/999999/edit").status_code == 404


def test_user_form_refuses_a_post_without_csrf_token(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, world.admin)
    response = client.post("/admin/users/new", data=_user_form())
    assert response.status_code == 400
    assert _user("sun.qiang@example.com") is None


def test_team_list_shows_director_and_size(client, world):
    login(client, world.admin)
    page = client.get("/admin/teams").get_data(as_text=True)
    assert "North" in page and "Director North" in page
    assert f'href="/admin/users?team={world.team_a.id}">3</a>' in page


def test_admin_creates_and_edits_a_team(client, world):
    login(client, world.admin)
    response = client.post(
        "/admin/teams/new", data={"name": " East 华东 ", "director_id": str(world.director_a.id)}
    )
    assert response.status_code == 302
    team = db.session.scalar(sa.select(Team).where(Team.name == "East 华东"))
    assert team is not None and team.director_id == world.director_a.id
    response = client.post(f"/admin/teams/{team.id}/edit", data={"name": "East", "director_id": ""})
    assert response.status_code == 302
    assert team.name == "East" and team.director_id is None


def test_duplicate_team_name_is_a_form_error(client, world):
    login(client, world.admin)
    response = client.post("/admin/teams/new", data={"name": "North", "director_id": ""})
    assert response.status_code == 422
    assert "A team with this name already exists." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 2


def test_a_rep_cannot_be_made_director(client, world):
    login(client, world.admin)
    data = {"name": "North", "director_id": str(world.rep_a.id)}
    response = client.post(f"/admin/teams/{world.team_a.id}/edit", data=data)
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)  # reps are not offered
    assert world.team_a.director_id == world.director_a.id


def test_deactivated_director_stays_selectable_on_their_team(client, world):
    world.director_a.active = False
    make_team(name="Spare")
    login(client, world.admin)
    page = client.get(f"/admin/teams/{world.team_a.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{world.director_a.id}">' in page
    new_page = client.get("/admin/teams/new").get_data(as_text=True)
    assert f'value="{world.director_a.id}"' not in new_page


def test_director_choices_are_directors_and_admins_only(client, world):
    make_user(role=Role.director, name="Inactive Boss", active=False)
    login(client, world.admin)
    page = client.get("/admin/teams/new").get_data(as_text=True)
    assert "Director South" in page and "Admin ·" in page
    assert "Li Ming" not in page and "Inactive Boss" not in page
