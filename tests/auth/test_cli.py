import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.teams.models import Team


def test_users_create_makes_a_user_who_can_log_in(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--name",
            "First Admin",
            "--email",
            "Boss@Example.com",
            "--role",
            "admin",
            "--password",
            "long-enough-1",
            "--team",
            "HQ",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.com"))
    assert user.role == "admin" and user.team.name == "HQ"
    response = app.test_client().post(
        "/login", data={"email": "boss@example.com", "password": "long-enough-1"}
    )
    assert response.status_code == 302


def test_users_create_refuses_bad_input_and_saves_nothing(app, ctx):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--password",
            "short",
            "--team",
            "Nowhere",
        ]
    )
    assert result.exit_code == 1
    assert "password" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.com")) is None
    assert db.session.scalar(sa.select(Team).where(Team.name == "Nowhere")) is None
