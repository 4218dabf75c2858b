"""The pipeline board: labelled filters that apply on change (static/filters.js, no inline
script), a rep's own deals first until they filter, a New deal button, a card marked when a
decision is asked on it, and columns that share a laptop's width."""

from salesflow.opportunities import services
from tests import factories as f
from tests.conftest import login


def _card(board: str, deal) -> str:
    return board[board.index(f'data-id="{deal.id}"') :].split("</article>")[0]


def test_the_filters_are_labelled_and_apply_on_change(client, world):
    board = login(client, world.director_a).get("/pipeline").text
    form = board.split('id="board-filters"', 1)[1].split("</form>", 1)[0]
    assert "data-autosubmit" in form and '<input type="hidden" name="filtered" value="1">' in form
    for field, label in (
        ("filter-playbook", "Playbook"),
        ("filter-team", "Team"),
        ("filter-owner", "Rep (AR)"),
        ("filter-close-month", "Close month"),
        ("mine", "Mine"),
    ):
        assert f'for="{field}">{label}</label>' in form
    assert "data-autosubmit-hide" in form  # the button, for browsers without JavaScript
    assert '<script src="/static/filters.js?v=' in board  # its content's version (caching.py)
    assert "<script>" not in board  # nothing inline: the CSP runs none


def test_a_rep_sees_their_own_deals_first_until_they_filter(client, world):
    mine = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"}, name="Mine")
    theirs = f.make_opportunity(account=world.account_a, roles={world.rep_a2: "AR"}, name="Theirs")
    login(client, world.rep_a)
    board = client.get("/pipeline").text
    assert f'data-id="{mine.id}"' in board and f'data-id="{theirs.id}"' not in board
    assert 'id="mine" checked' in board
    assert "mine=1" in board.split(">List<", 1)[0].rsplit("href=", 1)[1]  # the list, alike
    everyone = client.get("/pipeline?filtered=1&team_id=").text  # Mine unticked
    assert f'data-id="{mine.id}"' in everyone and f'data-id="{theirs.id}"' in everyone
    # a director reviews the team: every deal at once
    director = login(client, world.director_a).get("/pipeline").text
    assert f'data-id="{theirs.id}"' in director and 'id="mine" checked' not in director


def test_the_board_offers_a_new_deal(client, world):
    board = login(client, world.rep_a).get("/pipeline").text
    assert '<a class="btn btn-primary btn-sm" href="/opportunities/new" id="new-deal">' in board


def test_a_card_marks_a_decision_asked_and_not_answered(client, world, now):
    asked = f.make_opportunity(account=world.account_a, stage="shape", roles={world.rep_a: "AR"})
    calm = f.make_opportunity(account=world.account_a, stage="shape", roles={world.rep_a: "AR"})
    services.decide(
        asked,
        {"stage": "shape", "gate": "atb", "decision": "requested"},
        actor=world.rep_a,
        now=now,
    )
    board = login(client, world.director_a).get("/pipeline?playbook=enterprise").text
    assert "Decision pending" in _card(board, asked)
    assert f'href="/opportunities/{asked.id}#decisions"' in _card(board, asked)
    assert "Decision pending" not in _card(board, calm)
    services.decide(
        asked,
        {"stage": "shape", "gate": "atb", "decision": "approve"},
        actor=world.director_a,
        now=now,
    )
    board = login(client, world.director_a).get("/pipeline?playbook=enterprise").text
    assert "Decision pending" not in _card(board, asked)


def test_another_teams_deals_stay_off_the_board_whatever_the_filters(client, world):
    south = f.make_opportunity(account=world.account_b, roles={world.rep_b: "AR"})
    login(client, world.rep_a)
    board = client.get(f"/pipeline?filtered=1&team_id={world.team_b.id}").text
    assert f'data-id="{south.id}"' not in board


def test_bad_filter_values_are_ignored(client, world):
    login(client, world.director_a)
    for query in ("team_id=x", "owner_id=-1", "close_month=2026-13", "playbook=nope", "mine=yes"):
        assert client.get(f"/pipeline?filtered=1&{query}").status_code == 200


def test_new_deal_asks_for_the_account_among_those_the_rep_may_see(client, world):
    login(client, world.rep_a)
    page = client.get("/opportunities/new")
    assert page.status_code == 200 and "which account is it for?" in page.text
    assert f"/opportunities/new?account_id={world.account_a.id}" in page.text
    assert f"/opportunities/new?account_id={world.account_b.id}" not in page.text  # South's
    found = client.get("/opportunities/new?q=Huadong").text
    assert "Huadong Power" in found and "Shared Steel" not in found
    assert "No account matches" in client.get("/opportunities/new?q=zzz").text
    form = client.get(f"/opportunities/new?account_id={world.account_a.id}")
    assert form.status_code == 200 and 'class="account-name">Huadong Power<' in form.text
    assert client.get(f"/opportunities/new?account_id={world.account_b.id}").status_code == 404
