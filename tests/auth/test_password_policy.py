"""One password rule (services.password_problems) for the admin form, the API, the CLI and the
self-service page: at least 10 characters, not only spaces, not a common password."""

import pytest
import sqlalchemy as sa

from salesflow.auth.models import Role, User
from salesflow.auth.services import hash_password, password_problems
from salesflow.demo.people import PASSWORDS
from salesflow.extensions import db
from tests.conftest import api_as, login
from tests.factories import PASSWORD, make_user

REFUSED = [
    ("short-1", "Use at least 10 characters."),
    (" " * 10, "A password cannot be only spaces."),
    ("\t \n" * 4, "A password cannot be only spaces."),
    ("password123", "This is one of the most common passwords."),
    ("PassWord123", "This is one of the most common passwords."),
    ("qwertyuiop", "This is one of the most common passwords."),
    (" 1234567890 ", "This is one of the most common passwords."),
]
GOOD = ["correct-horse-9", "十个汉字的密码真的很长吧", "a bit long enough", "demo-rep-1"]


@pytest.mark.parametrize("password, message", REFUSED)
def test_the_rule_refuses_short_blank_and_common_passwords(ctx, password, message):
    assert any(problem.startswith(message) for problem in password_problems(password))


@pytest.mark.parametrize("password", GOOD)
def test_the_rule_accepts_a_long_uncommon_password(ctx, password):
    assert password_problems(password) == []


def test_demo_and_test_passwords_pass_the_rule(ctx):
    for password in [*PASSWORDS.values(), PASSWORD]:
        assert password_problems(password) == [], password


def test_a_user_with_an_older_short_password_still_logs_in(client, ctx, now):
    user = make_user()
    user.password_hash = hash_password("old-8-ch")
    response = client.post("/login", data={"email": user.email, "password": "old-8-ch"})
    assert response.status_code == 302


@pytest.mark.parametrize("password, message", REFUSED[:5])
def test_the_admin_form_refuses_a_weak_password(client, ctx, password, message):
    login(client, make_user(role=Role.admin))
    form = {
        "name": "Sun Qiang",
        "email": "sun@example.com",
        "role": "rep",
        "team_id": "",
        "active": "y",
        "password": password,
    }
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "sun@example.com")) is None


@pytest.mark.parametrize("password, message", REFUSED[::2])
def test_the_api_refuses_a_weak_password_on_create_and_change(app, ctx, now, password, message):
    admin = make_user(role=Role.admin)
    api = api_as(app, admin)
    body = {"name": "Zhou Min", "email": "zhou@example.com", "password": password}
    created = api.post("/users", json=body)
    assert created.status_code == 422
    assert created.get_json()["error"]["fields"]["password"][0].startswith(message)
    changed = api.patch(
        f"/users/{admin.id}", json={"password": password, "current_password": PASSWORD}
    )
    assert changed.status_code == 422
    assert changed.get_json()["error"]["fields"]["password"][0].startswith(message)


def test_the_api_takes_a_good_password(app, ctx, now):
    api = api_as(app, make_user(role=Role.admin))
    body = {"name": "Zhou Min", "email": "zhou@example.com", "password": "a bit long enough"}
    assert api.post("/users", json=body).status_code == 201


@pytest.mark.parametrize("password, message", REFUSED[::3])
def test_the_cli_refuses_a_weak_password(app, ctx, password, message):
    args = ["users", "create", "--name", "X", "--email", "x@example.com", "--password", password]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None
