"""Deactivating a person says what it did: sessions ended, API tokens revoked, the calendar
address stopped, and the accounts they still hold with *Plan the handover*."""

from html import unescape

from salesflow.auth.services import create_token
from salesflow.teams import departure
from tests import factories as f
from tests.conftest import login


def _form(user, **overrides) -> dict[str, str]:
    data = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "team_id": str(user.team_id or ""),
        "password": "",
    }  # no "active": an unticked box is not sent
    return {**data, **overrides}


def _deactivate(client, user):
    response = client.post(f"/admin/users/{user.id}/edit", data=_form(user))
    assert response.status_code == 302
    return unescape(client.get(response.headers["Location"]).text)


def test_deactivating_says_sessions_tokens_and_accounts_with_plan_the_handover(client, world, now):
    create_token(world.rep_a, now=now)
    create_token(world.rep_a, now=now)
    login(client, world.admin)
    page = _deactivate(client, world.rep_a)
    assert "Li Ming is deactivated: their sessions have ended" in page
    assert "2 API tokens were revoked" in page
    assert "their calendar address no longer works." in page
    # account_a (AR) and shared (a live tie: the world's interaction there)
    assert "They still hold 2 accounts." in page
    assert f'href="/handovers/new?from_user_id={world.rep_a.id}"' in page
    assert 'id="plan-handover"' in page and ">Plan the handover</a>" in page


def test_a_person_holding_nothing_is_told_so_without_a_link(client, world):
    login(client, world.admin)
    page = _deactivate(client, world.rep_a2)
    assert "0 API tokens were revoked" in page
    assert "They hold no accounts." in page
    assert 'id="plan-handover"' not in page


def test_one_token_one_account_in_the_singular(client, world, now):
    loner = f.make_user(role="rep", team=world.team_b, name="Ma Chao")
    f.make_account(team=world.team_b, name="Solo Works", members={loner: "AR"})
    create_token(loner, now=now)
    login(client, world.admin)
    page = _deactivate(client, loner)
    assert "1 API token was revoked" in page and "They still hold 1 account." in page


def test_a_name_is_escaped_in_the_message(client, world):
    world.rep_a2.name = "<b>Zhao</b>"
    login(client, world.admin)
    response = client.post(f"/admin/users/{world.rep_a2.id}/edit", data=_form(world.rep_a2))
    page = client.get(response.headers["Location"]).text
    assert "<b>Zhao</b>" not in page and "&lt;b&gt;Zhao&lt;/b&gt;" in page


def test_saving_an_active_user_says_saved_only(client, world):
    login(client, world.admin)
    response = client.post(
        f"/admin/users/{world.rep_a.id}/edit", data=_form(world.rep_a, active="y")
    )
    page = client.get(response.headers["Location"]).text
    assert "saved." in page and "deactivated" not in page


def test_saving_an_already_inactive_user_again_says_saved_only(client, world):
    world.rep_a2.active = False
    login(client, world.admin)
    page = _deactivate(client, world.rep_a2)
    assert "saved." in page and "is deactivated" not in page


def test_a_refused_deactivation_says_nothing_of_it(client, world):
    login(client, world.admin)
    response = client.post(
        f"/admin/users/{world.rep_a.id}/edit", data=_form(world.rep_a, email="not an e-mail")
    )
    assert response.status_code == 422
    assert world.rep_a.active is True
    assert "is deactivated" not in response.text


def test_the_link_is_left_out_for_whoever_may_not_plan_handovers(world, now, monkeypatch, app):
    monkeypatch.setattr(departure.scope, "can_plan_handovers", lambda user: False)
    with app.test_request_context():
        done = departure.departure(world.rep_a, actor=world.admin, now=now)
        assert done.accounts_held == 2 and done.handover_url is None
        assert "Plan the handover" not in departure.message(done)
