"""Twenty wrong passwords for one account at the same moment, half through the login page and
half through POST /api/v1/tokens: at most LOGIN_MAX_FAILURES passwords are checked
(auth/throttle.py). Real commits, so a fresh database of its own.

Each attempt commits its reservation (the account's counter, raised under SELECT ... FOR UPDATE
on PostgreSQL; under SQLite's BEGIN IMMEDIATE write lock) before it hashes the password, so the
attempts queue on the counter and only the first five find it under the limit."""

import threading

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from salesflow.auth.models import LoginThrottle, ThrottleScope
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import migrated_app

ATTEMPTS = 20
EMAIL = "li.ming@example.com"


def _attempt(client, n: int) -> int:
    body = {"email": EMAIL, "password": f"wrong-password-{n}"}
    if n % 2:
        return client.post("/api/v1/tokens", json=body).status_code
    return client.post("/login", data=body).status_code


def _race(app) -> list[int]:
    barrier = threading.Barrier(ATTEMPTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attacker(n: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        status = _attempt(client, n)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


def _count_password_checks(monkeypatch) -> list[str]:
    checked: list[str] = []
    verify = PasswordHasher.verify

    def counted(self, hash: str, password: str) -> bool:
        checked.append(password)  # list.append is atomic under the GIL
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return checked


@pytest.mark.committing
def test_twenty_simultaneous_wrong_passwords_let_at_most_the_limit_be_checked(
    tmp_path, monkeypatch
):
    with migrated_app(str(tmp_path), "logins", WTF_CSRF_ENABLED=False) as app:
        with app.app_context():
            f.make_user(email=EMAIL)
            db.session.commit()
            db.session.remove()
        checked = _count_password_checks(monkeypatch)
        statuses = _race(app)
        limit = app.config["LOGIN_MAX_FAILURES"]
        assert len(statuses) == ATTEMPTS
        assert len(checked) <= limit
        assert statuses == [401] * len(checked) + [429] * (ATTEMPTS - len(checked))
        with app.app_context():
            account = db.session.scalar(
                sa.select(LoginThrottle).where(
                    LoginThrottle.scope == ThrottleScope.account, LoginThrottle.key == EMAIL
                )
            )
            assert account.locked_until is not None and account.lockouts == 1
            db.session.remove()
