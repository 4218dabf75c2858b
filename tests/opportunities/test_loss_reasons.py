"""Closing a deal as lost picks a reason of its playbook's list: by key from the page, by key,
name or any words from the API (words no reason has are "other" with the words as its note);
nothing is saved when the reason is missing or "other" has no words."""

import pytest

from salesflow.errors import ValidationFailed
from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.models import Status
from tests import factories as f
from tests.conftest import api_as, login


def _deal(world, **extra):
    return f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}, **extra
    )


@pytest.mark.parametrize(
    ("reason", "note", "stored"),
    [
        ("price", None, ("price", None)),
        ("价格", "Ten percent above the winner", ("price", "Ten percent above the winner")),
        ("LOST TO A COMPETITOR", None, ("competitor", None)),
        ("Too late for their budget year", None, ("other", "Too late for their budget year")),
        ("Too late", "they said so", ("other", "Too late; they said so")),
        ("other", "Merger froze purchasing", ("other", "Merger froze purchasing")),
    ],
)
def test_the_reason_is_stored_as_a_key_of_the_list_with_its_note(world, now, reason, note, stored):
    deal = _deal(world)
    data = {"version": deal.version, "status": "lost", "reason": reason, "note": note}
    moves.close(deal, data, actor=world.rep_a, now=now)
    assert deal.status == Status.lost and (deal.loss_reason, deal.close_reason) == stored


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "lost"}, "reason"),
        ({"status": "lost", "reason": "  "}, "reason"),
        ({"status": "lost", "reason": "other"}, "note"),
        ({"status": "lost", "reason": "Other", "note": " "}, "note"),
    ],
)
def test_lost_without_a_reason_or_other_without_words_is_refused(world, now, data, field):
    deal = _deal(world)
    with pytest.raises(ValidationFailed) as refused:
        moves.close(deal, {"version": deal.version, **data}, actor=world.rep_a, now=now)
    assert field in refused.value.fields
    assert deal.status == Status.open and deal.loss_reason is None


def test_reopening_clears_the_reason(world, now):
    deal = _deal(world)
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "price"},
        actor=world.rep_a,
        now=now,
    )
    moves.reopen(
        deal, {"version": deal.version, "reason": "Budget back"}, actor=world.director_a, now=now
    )
    assert (deal.status, deal.loss_reason, deal.close_reason) == (Status.open, None, None)


def test_the_api_takes_a_key_a_name_or_words_and_shows_the_key_and_its_name(app, world):
    deal, other = _deal(world), _deal(world)
    api = api_as(app, world.rep_a)
    closed = api.post(
        f"/opportunities/{deal.id}/close",
        json={"status": "lost", "reason": "没有预算", "note": "Cut", "version": deal.version},
    )
    assert closed.status_code == 200
    body = closed.get_json()
    assert (body["loss_reason"], body["close_reason"]) == ("no_budget", "Cut")
    assert body["loss_reason_name"] == {"en": "No budget", "zh": "没有预算"}
    words = api.post(
        f"/opportunities/{other.id}/close",
        json={"status": "lost", "reason": "Politics", "version": other.version},
    ).get_json()
    assert (words["loss_reason"], words["close_reason"]) == ("other", "Politics")
    assert api.get(f"/opportunities/{other.id}").get_json()["loss_reason_name"]["en"] == "Other"
    assert api.get(f"/opportunities/{deal.id}").get_json()["loss_reason"] == "no_budget"


def test_the_api_refuses_lost_without_a_reason_with_422_and_saves_nothing(app, world):
    deal = _deal(world)
    api = api_as(app, world.rep_a)
    missing = api.post(
        f"/opportunities/{deal.id}/close", json={"status": "lost", "version": deal.version}
    )
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    silent = api.post(
        f"/opportunities/{deal.id}/close",
        json={"status": "lost", "reason": "other", "version": deal.version},
    )
    assert silent.status_code == 422 and "note" in silent.get_json()["error"]["fields"]
    assert api.get(f"/opportunities/{deal.id}").get_json()["status"] == "open"


def test_another_teams_rep_cannot_close_the_deal(app, world):
    deal = _deal(world)
    api = api_as(app, world.rep_b)
    refused = api.post(
        f"/opportunities/{deal.id}/close",
        json={"status": "lost", "reason": "price", "version": deal.version},
    )
    assert refused.status_code == 404
    db.session.refresh(deal)
    assert deal.status == Status.open and deal.loss_reason is None


def test_the_page_offers_the_list_and_shows_the_reason_in_the_readers_language(client, world):
    deal = _deal(world)
    login(client, world.rep_a)
    page = client.get(f"/opportunities/{deal.id}").text
    assert '<select class="form-select" id="loss-reason" name="reason" required>' in page
    assert '<option value="competitor">Lost to a competitor</option>' in page
    assert '<option value="other">Other</option>' in page
    client.post(
        f"/opportunities/{deal.id}/lost",
        data={"version": deal.version, "reason": "competitor", "note": "Acme"},
    )
    db.session.refresh(deal)
    assert (deal.loss_reason, deal.close_reason) == ("competitor", "Acme")
    world.rep_a.locale = "zh"
    login(client, world.rep_a)
    shown = client.get(f"/opportunities/{deal.id}").text
    assert "输给竞争对手" in shown and "Acme" in shown and ">competitor<" not in shown


def test_the_page_refuses_other_without_words_and_says_why(client, world):
    deal = _deal(world)
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/lost",
        data={"version": deal.version, "reason": "other"},
        follow_redirects=True,
    )
    assert "Say in words what the other reason is." in response.text
    db.session.refresh(deal)
    assert deal.status == Status.open


def test_the_deals_history_names_the_loss_reason_in_the_readers_language(client, world, now):
    deal = _deal(world)
    moves.close(
        deal,
        {"version": deal.version, "status": "lost", "reason": "price"},
        actor=world.rep_a,
        now=now,
    )
    world.rep_a.locale = "zh"
    page = login(client, world.rep_a).get(f"/opportunities/{deal.id}").text
    assert "价格" in page and ": price" not in page and "→ price" not in page
