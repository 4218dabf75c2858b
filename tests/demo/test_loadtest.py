"""The load test (`make loadtest`): its locustfile imports, its plan names people who can log in,
and every request of its mix is a real route with a method it allows. Nothing is timed here;
locust is imported in a process of its own (it patches the whole process for gevent)."""

import random
import subprocess
import sys
from datetime import datetime

import pytest

from config import BASE_DIR
from salesflow.demo.people import PASSWORDS
from tools.bench.main import routed
from tools.loadtest import mix, plan
from tools.loadtest.summary import Step, report


@pytest.fixture(scope="module")
def people(demo):
    app, _output = demo
    return app, plan.make(app)


def test_the_locustfile_imports_with_its_three_kinds_of_people():
    script = (
        "import tools.loadtest.locustfile as f; "
        "print(sorted(c.role for c in (f.Rep, f.Director, f.Leadership)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['director', 'leadership', 'rep']"


def test_the_plan_names_people_of_each_role_with_accounts_and_contacts(people):
    _app, made = people
    assert set(made["people"]) == {"rep", "director", "leadership"}
    for role, persons in made["people"].items():
        assert persons, role
        for person in persons:
            assert person["password"] == PASSWORDS[role]
            assert all(contacts for _account, contacts in person["accounts"])


@pytest.mark.parametrize("role", ["rep", "director", "leadership"])
def test_every_request_of_the_mix_is_a_real_route(people, role):
    app, made = people
    me = {**made["people"][role][0], "role": role}
    rng = random.Random(1)
    asked = [
        mix.account_page(me, rng),
        mix.quick_log(me, rng, "token", datetime(2026, 12, 1, 9, 30)),
        *(mix.lists_and_search(me, rng) for _ in range(10)),
        mix.deal_page(me, rng),
        mix.board(me, rng),
        mix.review(me, rng),
    ]
    for request in asked:
        assert routed(app, request.path, request.method), request


def test_the_mix_is_the_issues():
    assert mix.WEIGHTS == {
        "account": 40,
        "quick_log": 20,
        "lists": 15,
        "deal": 10,
        "board": 10,
        "review": 5,
    }


def test_the_report_says_where_p95_passes_the_limit_and_counts_locked_errors():
    fast = Step(5, 10, {"/a": [10.0] * 100, "setup: /login": [900.0] * 5})
    slow = Step(10, 10, {"/a": [10.0] * 90 + [400.0] * 10}, {"/a": ["HTTP 500"]})
    text = report("sqlite", "gunicorn 4", [fast, slow], "database is locked\n", ("1", "2"), 150)
    assert "| 5 | 10.0 | 10 | 10 | 10 | 0 |" in text  # the logins left out
    assert "p95 passes 150 ms at 10 concurrent users" in text
    assert '1 failed requests; the server\'s log: 1 "database is locked"' in text
