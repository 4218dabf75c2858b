"""The deal page's buttons return to the part of the page acted on (issue 14): a tick to the
checklist, a decision to the decision points, a move to the exit criteria (or the top, once the
deal is closed), and so does a refusal, whose unmet criteria each link to their action."""

import pytest

from salesflow.extensions import db
from salesflow.opportunities.models import Status
from tests import factories as f
from tests.conftest import login


def _post(client, deal, action, **data):
    response = client.post(f"/opportunities/{deal.id}/{action}", data=data)
    assert response.status_code == 303
    return response.headers["Location"]


@pytest.fixture
def rep(client, world):
    return login(client, world.rep_a)


def test_a_tick_and_its_clearing_return_to_the_checklist(client, world, now):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    db.session.commit()
    login(client, world.rep_a)
    page = f"/opportunities/{deal.id}"
    tick = {"item": "need_confirmed", "evidence": "Minutes of 3 Nov"}
    assert _post(client, deal, "checklist", **tick) == f"{page}#checklist"
    assert _post(client, deal, "checklist/clear", item="need_confirmed") == f"{page}#checklist"
    refused = _post(client, deal, "checklist", item="need_confirmed")  # no evidence
    assert refused == f"{page}#checklist"
    assert "Say what proves it" in client.get(refused).text


def test_a_refused_advance_returns_to_the_exit_criteria_each_linked_to_its_action(
    client, world, now
):
    deal = f.make_opportunity(
        account=world.account_a, roles={world.rep_a: "AR"}, amount=None, customer_need=None
    )
    db.session.commit()
    login(client, world.rep_a)
    location = _post(client, deal, "advance", version=deal.version, to_stage="shape")
    assert location == f"/opportunities/{deal.id}#gates"
    page = client.get(location).text
    refusal = page[page.index("Not yet: these exit criteria are unmet.") :]
    refusal = refusal[: refusal.index("</ul>")]
    assert (
        f'<a class="alert-link" href="/opportunities/{deal.id}/edit">Fill in the fields</a>'
        in refusal
    )
    assert f'href="/opportunities/{deal.id}#checklist">Go to the checklist</a>' in refusal
    assert refusal.count("<li>") == 3  # SR, fields, checklist (account_a has a decision maker)


def test_moves_return_to_the_exit_criteria_or_the_top_once_closed(client, world, now):
    deal = f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}
    )
    db.session.commit()
    login(client, world.rep_a)
    page = f"/opportunities/{deal.id}"
    assert _post(client, deal, "advance", version=deal.version) == f"{page}#gates"
    assert _post(client, deal, "back", version=deal.version + 1, to_stage="qualify") == (
        f"{page}#other-moves"  # refused: no reason given, where the form is
    )
    db.session.refresh(deal)
    assert (
        _post(client, deal, "back", version=deal.version, to_stage="qualify", reason="Too soon")
        == f"{page}#gates"
    )
    db.session.refresh(deal)
    assert _post(client, deal, "lost", version=deal.version) == f"{page}#other-moves"
    db.session.refresh(deal)
    assert deal.status == Status.open
    won = _post(client, deal, "won", version=deal.version)
    assert won in (page, f"{page}#gates")  # closed: the top; refused: the criteria


def test_the_board_keeps_its_own_way_back(client, world, now):
    deal = f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}
    )
    db.session.commit()
    login(client, world.rep_a)
    location = _post(client, deal, "advance", version=deal.version, next="/pipeline")
    assert location == "/pipeline"
