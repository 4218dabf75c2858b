from tests.conftest import login
from tests.factories import PASSWORD, make_user


def test_login_with_right_password_opens_my_day(client, ctx):
    make_user(email="li@example.com")
    response = client.post("/login", data={"email": "LI@example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, ctx):
    make_user(email="li@example.com")
    response = client.post("/login", data={"email": "li@example.com", "password": "nope-nope"})
    assert response.status_code == 401
    assert b"Wrong e-mail or password" in response.data


def test_logged_in_helper(client, ctx):
    user = make_user()
    login(client, user)
    assert client.get("/").status_code == 200
