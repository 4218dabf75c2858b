"""Expectation pages per role: the register of an account (reps on its team, its director,
leadership, admins; outside the scope 404), adding and closing expectations and recording
perceptions (refusals keep nothing), the account page's panel, the team view of satisfaction
(directors, leadership, admins; reps refused) — each in a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.key_accounts.expectations_models import (
    AccountExpectation,
    ExpectationStatus,
    PerceptionRecord,
)
from tests import factories as f
from tests.conftest import login, sql_statements


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _expectation(account, statement="Spare parts within 48 hours", due=date(2026, 12, 31)):
    e = AccountExpectation(
        account_id=account.id,
        statement=statement,
        category="delivery",
        owner_role="FR",
        due=due,
        status=ExpectationStatus.open,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    db.session.add(e)
    db.session.flush()
    return e


def _perceive(account, perceived, expected, at=datetime(2026, 11, 10, 2, tzinfo=UTC)):
    db.session.add(
        PerceptionRecord(
            account_id=account.id, perceived=perceived, expected=expected, source="survey", at=at
        )
    )
    db.session.flush()


def _register(client, world, who, account=None):
    account = account or world.account_a
    return login(client, getattr(world, who)).get(f"/accounts/{account.id}/expectations")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep_a", 200),
        ("rep_a2", 200),  # same team
        ("director_a", 200),
        ("leader", 200),
        ("admin", 200),
        ("rep_b", 404),  # another team, not on its account team
        ("director_b", 404),
    ],
)
def test_the_register_per_role(client, world, now, who, status):
    _expectation(world.account_a)
    _perceive(world.account_a, 2, 4)
    page = _register(client, world, who)
    assert page.status_code == status
    if status == 200:
        html = page.get_data(as_text=True)
        assert "Spare parts within 48 hours" in html
        assert "Delivery" in html and "FR · fulfilment responsible" in html
        assert 'id="expectation-form"' in html and 'id="perception-form"' in html
        assert "Over the last four quarters: -2.00 (1 records)" in html
        assert ('id="to-team-view"' in html) == (who in {"director_a", "leader", "admin"})


def test_rep_b_sees_the_shared_account_register(client, world, now):
    assert _register(client, world, "rep_b", world.shared).status_code == 200


def test_add_an_expectation_from_the_page(client, world, now):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations",
        data={
            "statement": "A named engineer on site",
            "category": "service",
            "owner_role": "SR",
            "due": "2027-01-15",
        },
    )
    assert response.status_code == 303
    saved = db.session.scalars(sa.select(AccountExpectation)).one()
    assert (saved.statement, saved.category, saved.owner_role, saved.due) == (
        "A named engineer on site",
        "service",
        "SR",
        date(2027, 1, 15),
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A named engineer on site" in html and "Expectation added." in html


def test_a_refused_expectation_shows_every_problem_and_keeps_nothing(client, world, now):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations",
        data={"statement": "", "category": "weather", "owner_role": ""},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say what the customer expects." in html
    assert "Choose a category." in html and "Choose AR, SR or FR." in html
    bad_day = client.post(
        f"/accounts/{world.account_a.id}/expectations",
        data={"statement": "x", "category": "service", "owner_role": "SR", "due": "2027-02-30"},
    )
    assert bad_day.status_code == 422 and 'id="expectation-form"' in bad_day.get_data(as_text=True)
    assert _count(AccountExpectation) == 0


def test_outside_the_scope_adding_is_404(client, world, now):
    login(client, world.rep_b)
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations",
        data={"statement": "x", "category": "service", "owner_role": "SR"},
    )
    assert response.status_code == 404 and _count(AccountExpectation) == 0


def test_close_as_met_by_a_done_next_step(client, world, now):
    e = _expectation(world.account_a)
    step = f.make_interaction(account=world.account_a, owner=world.rep_a, next_step="Ship parts")
    step.next_step_done_at = now - timedelta(hours=1)
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}/expectations").get_data(as_text=True)
    assert f'value="step:{step.id}"' in page  # offered as the action that met it
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations/{e.id}/close",
        data={
            f"close-{e.id}-status": "met",
            f"close-{e.id}-action": f"step:{step.id}",
            f"close-{e.id}-version": str(e.version),
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    e = db.session.get(AccountExpectation, e.id)
    assert (e.status, e.interaction_id) == (ExpectationStatus.met, step.id)
    html = client.get(f"/accounts/{world.account_a.id}/expectations").get_data(as_text=True)
    assert "Met by: Ship parts" in html


def test_close_as_met_without_an_action_is_refused_in_a_flash(client, world, now):
    e = _expectation(world.account_a)
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations/{e.id}/close",
        data={f"close-{e.id}-status": "met", f"close-{e.id}-version": str(e.version)},
        follow_redirects=True,
    )
    assert "Link the done next step or done request that met it." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AccountExpectation, e.id).status == ExpectationStatus.open


def test_closing_another_accounts_expectation_through_this_one_is_404(client, world, now):
    e = _expectation(world.shared)
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/expectations/{e.id}/close",
        data={f"close-{e.id}-status": "withdrawn", f"close-{e.id}-version": str(e.version)},
    )
    assert response.status_code == 404


def test_record_a_perception_from_the_page(client, world, now):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/perceptions",
        data={
            "perceived": "3",
            "expected": "5",
            "source": "meeting",
            "contact_id": str(world.contact_a.id),
        },
    )
    assert response.status_code == 303
    record = db.session.scalars(sa.select(PerceptionRecord)).one()
    assert (record.gap, record.contact_id, record.actor_id) == (
        -2,
        world.contact_a.id,
        world.rep_a.id,
    )


def test_a_refused_perception_keeps_nothing(client, world, now):
    login(client, world.rep_a)
    response = client.post(
        f"/accounts/{world.account_a.id}/perceptions",
        data={"perceived": "9", "expected": "", "source": "gossip"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Give a score from 1 to 5.") >= 2
    assert _count(PerceptionRecord) == 0


def test_the_account_page_panel(client, world, now):
    _expectation(world.account_a, "Overdue promise", due=date(2026, 11, 1))
    _expectation(world.account_a, "Later promise", due=date(2027, 1, 1))
    _perceive(world.account_a, 5, 3)
    html = login(client, world.rep_a).get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    panel = html.split('id="expectations"')[1].split("</section>")[0]
    assert "2 open expectations" in panel and "1 overdue" in panel
    assert panel.index("Overdue promise") < panel.index("Later promise")
    assert "+2.00" in panel


def test_the_register_reads_a_fixed_number_of_queries(client, world, now):
    login(client, world.admin)
    path = f"/accounts/{world.account_a.id}/expectations"

    def count() -> int:
        with sql_statements() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    def add(n: int) -> None:
        _expectation(world.account_a, f"Open {n}")
        e = _expectation(world.account_a, f"Met {n}")
        step = f.make_interaction(account=world.account_a, owner=world.rep_a, next_step=f"S{n}")
        step.next_step_done_at = now
        e.status, e.interaction_id = ExpectationStatus.met, step.id
        _perceive(world.account_a, 3, 4)
        db.session.add(
            PerceptionRecord(
                account_id=world.account_a.id,
                contact_id=world.contact_a.id,
                perceived=4,
                expected=4,
                source="meeting",
                at=now,
            )
        )
        db.session.commit()

    add(0)
    few = count()
    for n in range(1, 6):
        add(n)
    assert count() == few


def test_team_view_per_role(client, world, now):
    _perceive(world.account_a, 2, 4)  # team North −2
    _perceive(world.account_b, 5, 4)  # team South +1
    assert login(client, world.rep_a).get("/key-accounts/satisfaction").status_code == 403
    html = login(client, world.director_a).get("/key-accounts/satisfaction").get_data(as_text=True)
    assert 'data-team="North"' in html and 'data-team="South"' not in html
    assert "Huadong Power" in html  # below expectations
    html = login(client, world.leader).get("/key-accounts/satisfaction").get_data(as_text=True)
    assert 'data-team="North"' in html and 'data-team="South"' in html
    assert "Nanfang Grid" not in html.split('id="below"')[1]  # above expectations
    assert login(client, world.admin).get("/key-accounts/satisfaction").status_code == 200


def test_team_view_reads_a_fixed_number_of_queries(client, world, now):
    login(client, world.leader)

    def count() -> int:
        with sql_statements() as seen:
            assert client.get("/key-accounts/satisfaction").status_code == 200
        return len(seen)

    _perceive(world.account_a, 2, 4)
    db.session.commit()
    few = count()
    for _n in range(4):
        team = f.make_team()
        account = f.make_account(team=team)
        _perceive(account, 1, 5)
    db.session.commit()
    assert count() == few


def test_the_account_history_tells_the_register_in_words(client, world, now):
    step = f.make_interaction(account=world.account_a, owner=world.rep_a, next_step="Ship parts")
    step.next_step_done_at = now
    login(client, world.rep_a)
    client.post(
        f"/accounts/{world.account_a.id}/expectations",
        data={"statement": "Parts in 48 hours", "category": "price", "owner_role": "SR"},
    )
    e = db.session.scalars(sa.select(AccountExpectation)).one()
    client.post(
        f"/accounts/{world.account_a.id}/expectations/{e.id}/close",
        data={
            f"close-{e.id}-status": "met",
            f"close-{e.id}-action": f"step:{step.id}",
            f"close-{e.id}-version": str(e.version),
        },
    )
    client.post(
        f"/accounts/{world.account_a.id}/perceptions",
        data={"perceived": "4", "expected": "5", "source": "complaint", "contact_id": ""},
    )
    html = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    history = html[html.index('id="changes"') :]
    for words in ("What the customer expects", "Price and terms", "SR · solution responsible"):
        assert words in history
    assert "Met by the next step of" in history and "Visit · " in history
    assert "Complaint" in history and "Perceived (1–5)" in history
    for key in ("owner_role", "category", "complaint", "interaction_id", ">price<", ">met<"):
        assert key not in history


@pytest.mark.parametrize("raw", ["²", "٣", "99999999999", "-1", "step:²", "request:x"])
def test_tampered_ids_and_scores_are_refused_not_500(client, world, now, raw):
    e = _expectation(world.account_a)
    login(client, world.rep_a)
    closed = client.post(
        f"/accounts/{world.account_a.id}/expectations/{e.id}/close",
        data={
            f"close-{e.id}-status": "met",
            f"close-{e.id}-action": raw if ":" in raw else f"step:{raw}",
            f"close-{e.id}-version": raw,
        },
    )
    assert closed.status_code == 303
    perceived = client.post(
        f"/accounts/{world.account_a.id}/perceptions",
        data={"perceived": raw, "expected": "3", "source": "survey", "contact_id": raw},
    )
    assert perceived.status_code == 422
    assert _count(PerceptionRecord) == 0
    db.session.expire_all()
    assert db.session.get(AccountExpectation, e.id).status == ExpectationStatus.open
