"""Request pages (issue 16): asking a colleague from an account or a deal (the lead time, a rush
only with its reason), the inbox on both sides, a request's page with the moves its reader may
make, rating what was delivered; the account, deal, My day and bell show what waits. Outside the
scope is a 404; a refused button goes back with its reason and keeps nothing."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.requests import services
from salesflow.requests.models import InternalRequest, RequestChange, Status
from tests import factories as f
from tests.conftest import login, sql_statements
from tests.requests.conftest import ask

# FROZEN_NOW is Friday 20 November 2026: 5 working days on is Friday 27 November.
SOON, LATER = "2026-11-24", "2026-12-04"


def _form(world, deal, **changes):
    data = {
        "account_id": str(world.account_a.id),
        "kind": "solution_workshop",
        "title": "Workshop for the grid upgrade",
        "opportunity_id": str(deal.id),
        "assignee_id": str(world.rep_a2.id),
        "needed_by": LATER,
        "details": "Half a day with their engineers",
        "rush_reason": "",
    }
    return {**data, **changes}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InternalRequest))


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


# Asking -----------------------------------------------------------------------------------------


def test_the_form_opened_from_a_deal_asks_its_sr_and_offers_only_who_sees_the_account(
    client, world, deal, now
):
    login(client, world.rep_a)
    page = client.get(
        f"/requests/new?account_id={world.account_a.id}&opportunity_id={deal.id}"
        "&kind=solution_workshop"
    ).text
    assert f'<option selected value="{world.rep_a2.id}">' in page  # the deal's SR
    assert f'<option selected value="{deal.id}">Grid upgrade</option>' in page
    assert '<option selected value="solution_workshop">Solution workshop (5 working days)' in page
    assert "Director North" in page and "Chen Jie" in page
    assert "Wang Fang" not in page  # rep_b cannot see account_a
    assert f'<option value="{world.rep_a.id}">' not in page  # nobody asks themselves
    assert "Friday, 27 November" in page or "Nov 27, 2026" in page  # the first day without rush


def test_too_soon_is_refused_without_a_reason_then_sent_as_a_rush(client, world, deal, now):
    login(client, world.rep_a)
    path = f"/requests/new?account_id={world.account_a.id}"
    response = client.post(path, data=_form(world, deal, needed_by=SOON))
    assert response.status_code == 422
    assert "Solution workshop needs 5 working days" in response.text
    assert 'id="rush_reason"' in response.text and "is-invalid" in response.text
    assert _count() == 0
    response = client.post(
        path, data=_form(world, deal, needed_by=SOON, rush_reason="The customer moved the date")
    )
    assert response.status_code == 303
    saved = db.session.scalar(sa.select(InternalRequest))
    assert response.headers["Location"] == f"/requests/{saved.id}"
    assert (saved.rush, saved.assignee_id, saved.needed_by) == (
        True,
        world.rep_a2.id,
        date(2026, 11, 24),
    )
    page = client.get(response.headers["Location"]).text
    assert "Request sent to Zhao Lei." in page and 'id="rush"' in page
    assert "The customer moved the date" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "nonsense"}, "kind", "Choose a kind of request."),
        ({"title": ""}, "title", "Add a title."),
        ({"needed_by": "2026-11-19"}, "needed_by", "The date is in the past."),
        ({"needed_by": "tomorrow"}, "needed_by", "Enter the date as YYYY-MM-DD."),
        ({"needed_by": ""}, "needed_by", "Say when it is needed."),
        ({"assignee_id": "{rep_b}"}, "assignee_id", "cannot see this account"),
        ({"assignee_id": "99999999999"}, "assignee_id", "could not coerce"),
        ({"opportunity_id": "{other_deal}"}, "opportunity_id", "Choose a deal of this account."),
        ({"title": "x" * 201}, "title", "200 characters"),
    ],
)
def test_bad_input_is_the_form_again_with_the_field_message(
    client, world, deal, now, changes, field, message
):
    other = f.make_opportunity(account=world.shared)
    values = {"rep_b": world.rep_b.id, "other_deal": other.id}
    changes = {k: v.format(**values) for k, v in changes.items()}
    login(client, world.rep_a)
    response = client.post(
        f"/requests/new?account_id={world.account_a.id}", data=_form(world, deal, **changes)
    )
    assert response.status_code == 422
    assert message in response.text
    assert f'href="#{field}"' in response.text  # the summary links to the field
    assert _count() == 0


def test_asking_about_an_account_outside_the_scope_is_404(client, world, deal, now):
    login(client, world.rep_a)
    assert client.get(f"/requests/new?account_id={world.account_b.id}").status_code == 404
    data = _form(world, deal, account_id=str(world.account_b.id))
    response = client.post(f"/requests/new?account_id={world.account_b.id}", data=data)
    assert response.status_code == 404 and _count() == 0


def test_without_an_account_the_form_asks_which_one_first(client, world, now):
    login(client, world.rep_a)
    page = client.get("/requests/new?q=Huadong").text
    assert f"/requests/new?account_id={world.account_a.id}" in page
    assert "Nanfang" not in page


# The inbox ------------------------------------------------------------------------------------


def test_the_inbox_shows_each_side_open_first_with_the_overdue_marked(client, world, deal, now):
    late = ask(world, deal, title="Quote for phase one", kind="quote", needed_by=date(2026, 11, 24))
    ask(world, deal, title="Demo of the meters", kind="demo")
    late.needed_by = date(2026, 11, 19)  # asked long ago, and not delivered
    done = ask(world, deal, title="Delivery plan draft", kind="delivery_plan")
    for to, words in (("accepted", None), ("done", "Plan sent")):
        services.transition(world.rep_a2, done, to, words, done.version)
    login(client, world.rep_a2)
    page = client.get("/requests").text
    assert page.index("Quote for phase one") < page.index("Demo of the meters")
    assert "Delivery plan draft" not in page  # the open ones by default
    assert "overdue" in page.split("Quote for phase one")[1].split("</li>")[0]
    assert 'id="requests-waiting-count">2<' in page  # the navbar: two open, asked of me
    page = client.get("/requests?status=all").text
    assert page.index("Demo of the meters") < page.index("Delivery plan draft")
    page = client.get("/requests?status=done").text
    assert "Delivery plan draft" in page and "Demo of the meters" not in page
    page = client.get("/requests?side=asked_by_me").text
    assert "No requests here." in page  # rep_a2 asked nobody
    login(client, world.rep_a)
    page = client.get("/requests?side=asked_by_me").text
    assert "Quote for phase one" in page and "asked of Zhao Lei" in page
    assert 'id="requests-waiting-count">1<' in page  # the delivery plan, to rate


def test_the_inbox_pages_by_cursor_and_ignores_a_bad_one(client, world, deal, now):
    for n in range(27):
        ask(world, deal, title=f"Demo {n:02d}", kind="demo")
    login(client, world.rep_a2)
    first = client.get("/requests").text
    assert first.count('class="list-group-item request-row') == 25
    next_url = first.split('class="btn btn-outline-primary btn-sm" href="')[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&")).text
    assert second.count('class="list-group-item request-row') == 2
    assert client.get("/requests?cursor=garbage").status_code == 200


# One request: who sees it, who may press what ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "buttons"),
    [
        ("rep_a2", {"accepted", "declined"}),  # asked of them
        ("rep_a", {"cancelled"}),  # they asked
        ("director_a", set()),  # sees their team's requests, moves none
        ("leader", set()),
        ("admin", set()),
    ],
)
def test_each_reader_is_offered_the_moves_they_may_make(client, world, deal, now, who, buttons):
    asked = ask(world, deal)
    login(client, getattr(world, who))
    page = client.get(f"/requests/{asked.id}").text
    offered = {m.split('"')[0] for m in page.split('data-move="')[1:]}
    assert offered == buttons
    assert "Workshop on the control system" in page and "Zhao Lei" in page


@pytest.mark.parametrize("who", ["rep_b", "director_b"])
def test_a_request_outside_the_scope_is_404_to_read_and_to_press(client, world, deal, now, who):
    asked = ask(world, deal)
    login(client, getattr(world, who))
    assert client.get(f"/requests/{asked.id}").status_code == 404
    data = {"to": "accepted", "version": str(asked.version)}
    assert client.post(f"/requests/{asked.id}/transition", data=data).status_code == 404
    assert client.post(f"/requests/{asked.id}/rating", data={"rating": "5"}).status_code == 404
    assert client.post(f"/requests/{asked.id}/rating/dismiss").status_code == 404


def test_accept_start_hold_resume_and_deliver_from_the_page(client, world, deal, now):
    asked = ask(world, deal)
    login(client, world.rep_a2)
    path = f"/requests/{asked.id}"
    for to, comment in (
        ("accepted", ""),
        ("in_progress", ""),
        ("on_hold", "Waiting for their drawings"),
        ("in_progress", ""),
        ("done", "Workshop held on Tuesday; slides shared"),
    ):
        data = {"to": to, "comment": comment, "version": str(asked.version)}
        response = client.post(f"{path}/transition", data=data)
        assert response.status_code == 303 and response.headers["Location"] == path
        assert _flashes(client)[-1][0] == "success"
        db.session.refresh(asked)
        assert asked.status == Status(to)
    page = client.get(path).text
    assert "Workshop held on Tuesday; slides shared" in page
    assert "Waiting for their drawings" in page  # the history keeps each reason
    assert page.count('class="mb-2 request-change"') == 6  # asked, then five moves
    assert 'data-move="' not in page


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"to": "done", "comment": "Slides", "version": "{stale}"}, "Someone else changed"),
        ({"to": "declined", "comment": "", "version": "{v}"}, "Say why it is declined."),
        ({"to": "in_progress", "comment": "", "version": "{v}"}, "cannot go from"),
        ({"to": "nonsense", "comment": "", "version": "{v}"}, "Not one of the statuses."),
        ({"to": "accepted", "comment": "", "version": ""}, "Say which version you read"),
    ],
)
def test_a_refused_move_goes_back_with_its_reason_and_keeps_nothing(
    client, world, deal, now, data, said
):
    asked = ask(world, deal)
    data = {k: v.format(v=asked.version, stale=asked.version + 1) for k, v in data.items()}
    login(client, world.rep_a2)
    response = client.post(f"/requests/{asked.id}/transition", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/requests/{asked.id}#moves"
    category, message = _flashes(client)[-1]
    assert category == "danger" and said in message
    db.session.expire_all()
    assert asked.status == Status.open
    changes = sa.select(sa.func.count()).select_from(RequestChange)
    assert db.session.scalar(changes.where(RequestChange.request_id == asked.id)) == 1


def test_the_requester_cancels_with_a_reason(client, world, deal, now):
    asked = ask(world, deal)
    login(client, world.rep_a)
    data = {"to": "cancelled", "comment": "The customer postponed", "version": asked.version}
    response = client.post(f"/requests/{asked.id}/transition", data=data)
    assert response.status_code == 303
    db.session.refresh(asked)
    assert (asked.status, asked.reason) == (Status.cancelled, "The customer postponed")


# Rating -------------------------------------------------------------------------------------------


def _delivered(world, deal):
    asked = ask(world, deal)
    services.transition(world.rep_a2, asked, "accepted", None, asked.version)
    services.transition(world.rep_a2, asked, "done", "Workshop held", asked.version)
    return asked


def test_what_was_delivered_is_rated_once_from_my_day(client, world, deal, now):
    asked = _delivered(world, deal)
    login(client, world.rep_a)
    day = client.get("/").text
    assert 'id="ratings-due"' in day and "Workshop on the control system" in day
    assert client.get("/notifications").text.count(f'action="/requests/{asked.id}/rating"') == 1
    response = client.post(
        f"/requests/{asked.id}/rating",
        data={"rating": "4", "comment": "Well prepared", "next": "/"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.refresh(asked)
    assert (asked.rating, asked.rating_comment) == (4, "Well prepared")
    assert 'id="ratings-due"' not in client.get("/").text
    again = client.post(f"/requests/{asked.id}/rating", data={"rating": "5", "next": "/"})
    assert again.headers["Location"] == f"/requests/{asked.id}#rating"
    assert _flashes(client)[-1][0] == "danger"
    db.session.refresh(asked)
    assert asked.rating == 4
    login(client, world.rep_a2)  # the person who delivered sees the rating
    page = client.get(f"/requests/{asked.id}").text
    assert "4 of 5" in page and "Well prepared" in page
    delivered = client.get("/requests?status=done").text  # and their ratings in the inbox
    rated = delivered.split(f'data-request="{asked.id}"')[1].split("</li>")[0]
    assert "4 of 5" in rated and "Well prepared" in rated


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_a_rating_out_of_range_is_refused(client, world, deal, now, rating):
    asked = _delivered(world, deal)
    login(client, world.rep_a)
    response = client.post(f"/requests/{asked.id}/rating", data={"rating": rating})
    assert response.headers["Location"] == f"/requests/{asked.id}#rating"
    assert _flashes(client)[-1] == ("danger", "Rate from 1 to 5.")
    db.session.refresh(asked)
    assert asked.rating is None


def test_only_the_requester_rates_and_the_prompt_can_be_dismissed(client, world, deal, now):
    asked = _delivered(world, deal)
    login(client, world.rep_a2)
    assert 'id="rating"' not in client.get(f"/requests/{asked.id}").text
    response = client.post(f"/requests/{asked.id}/rating", data={"rating": "5"})
    assert response.status_code == 303 and _flashes(client)[-1][0] == "danger"
    login(client, world.rep_a)
    response = client.post(f"/requests/{asked.id}/rating/dismiss", data={"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert 'id="ratings-due"' not in client.get("/").text
    db.session.refresh(asked)
    assert asked.rating_dismissed and asked.rating is None


# The account, the deal, My day and the bell -----------------------------------------------------


def test_the_account_and_deal_pages_list_their_open_requests_and_ask(client, world, deal, now):
    ask(world, deal, title="Quote for phase one", kind="quote")
    ask(world, None, title="Reference call with Taihu", kind="reference_call")
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").text
    assert "Quote for phase one" in page and "Reference call with Taihu" in page
    assert f'href="/requests/new?account_id={world.account_a.id}"' in page
    page = client.get(f"/opportunities/{deal.id}").text
    assert "Quote for phase one" in page and "Reference call with Taihu" not in page
    ask_url = f"/requests/new?account_id={world.account_a.id}&amp;opportunity_id={deal.id}"
    assert ask_url in page


def test_the_deal_page_lists_only_the_requests_its_reader_may_see(client, world, deal, now):
    """leader asks rep_a2 about account_a: rep_a sees the deal, not that request."""
    ask(world, deal, user=world.leader, title="Board briefing")
    login(client, world.rep_a)
    assert "Board briefing" not in client.get(f"/opportunities/{deal.id}").text
    login(client, world.director_a)
    assert "Board briefing" in client.get(f"/opportunities/{deal.id}").text


def test_my_day_and_the_bell_show_what_waits_for_me(client, world, deal, now):
    ask(world, deal, title="Quote for phase one", kind="quote")
    login(client, world.rep_a2)
    day = client.get("/").text
    assert 'id="requests-waiting-for-me"' in day and "Quote for phase one" in day
    assert "Quote for phase one" in client.get("/notifications").text
    login(client, world.rep_a)
    day = client.get("/").text
    assert 'id="requests-waiting-for-me"' not in day and 'id="requests-waiting-count"' not in day
    assert 'id="nav-requests"' in day


# A decision request ---------------------------------------------------------------------------


def test_a_director_decides_from_the_request_with_the_deal_in_place(client, world, deal, now):
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/approvals",
        data={"gate": "atb", "decision": "requested", "comment": "Margin 18%"},
    )
    assert response.status_code == 303
    asked = db.session.scalar(sa.select(InternalRequest).where(InternalRequest.kind == "decision"))
    assert asked.assignee_id == world.director_a.id
    login(client, world.director_a)
    assert f'href="/requests/{asked.id}"' in client.get("/requests").text
    page = client.get(f"/requests/{asked.id}").text
    assert 'id="decision-gates"' in page and 'id="decision-stage-history"' in page
    assert 'id="decide-form"' in page and f'name="next" value="/requests/{asked.id}"' in page
    assert 'data-move="' not in page  # a decision is closed by deciding, not by the moves
    response = client.post(
        f"/opportunities/{deal.id}/approvals",
        data={
            "gate": "atb",
            "decision": "approve",
            "comment": "Go",
            "next": f"/requests/{asked.id}",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/requests/{asked.id}"
    db.session.refresh(asked)
    assert asked.status == Status.done and "Go" in asked.delivered
    page = client.get(f"/requests/{asked.id}").text
    assert 'id="decide-form"' not in page
    login(client, world.rep_a)  # the rep is told the answer
    assert "Go" in client.get("/notifications").text


def test_the_rep_sees_a_decision_request_without_the_decide_form(client, world, deal, now):
    login(client, world.rep_a)
    data = {"gate": "atb", "decision": "requested", "comment": ""}
    client.post(f"/opportunities/{deal.id}/approvals", data=data)
    asked = db.session.scalar(sa.select(InternalRequest).where(InternalRequest.kind == "decision"))
    page = client.get(f"/requests/{asked.id}").text
    assert 'id="decision-gates"' in page and 'id="decide-form"' not in page


def test_the_account_history_says_a_request_in_words_to_those_who_may_see_it(
    client, world, deal, now
):
    ask(world, deal, title="Quote for phase one", kind="quote")
    ask(world, deal, user=world.leader, title="Board briefing")  # rep_a may not see this one
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}").text
    history = page[page.index('id="history"') :] if 'id="history"' in page else page
    assert "Request: Quote for phase one" in history and "Zhao Lei" in history
    assert "Quote" in history and "assignee_id" not in history and "needed_by" not in history
    assert "Board briefing" not in page
    login(client, world.director_a)
    assert "Request: Board briefing" in client.get(f"/accounts/{world.account_a.id}").text


def test_the_pages_read_a_fixed_number_of_queries_however_many_requests(client, world, deal, now):
    """The inbox, My day, the bell's page and the account and deal pages: no query per request."""
    paths = ["/requests", "/requests?side=asked_by_me", "/", "/notifications"]
    paths += [f"/accounts/{world.account_a.id}", f"/opportunities/{deal.id}"]

    def statements(user) -> dict[str, int]:
        login(client, user)
        counted = {}
        for path in paths:
            with sql_statements() as seen:
                assert client.get(path).status_code == 200
            counted[path] = len(seen)
        return counted

    def requests(n: int) -> None:
        for i in range(n):
            asked = ask(world, deal, title=f"Demo {i}", kind="demo")
            if i % 2:  # delivered: rep_a may rate it
                services.transition(world.rep_a2, asked, "accepted", None, asked.version)
                services.transition(world.rep_a2, asked, "done", "Held", asked.version)

    requests(2)
    few = {"rep_a": statements(world.rep_a), "rep_a2": statements(world.rep_a2)}
    requests(12)
    assert statements(world.rep_a) == few["rep_a"]
    assert statements(world.rep_a2) == few["rep_a2"]


def test_my_day_lists_the_first_requests_waiting_and_leaves_decisions_to_their_part(
    client, world, deal, now
):
    for n in range(12):
        ask(world, deal, title=f"Demo {n:02d}", kind="demo")
    login(client, world.rep_a2)
    day = client.get("/").text
    waiting = day[day.index('id="requests-waiting-for-me"') :]
    assert waiting.count('class="list-group-item request-row') == 10
    assert 'id="requests-waiting-more"' in waiting and "Demo 11" not in day
    login(client, world.rep_a)
    client.post(
        f"/opportunities/{deal.id}/approvals", data={"gate": "atb", "decision": "requested"}
    )
    login(client, world.director_a)
    day = client.get("/").text
    assert 'id="decisions-waiting"' in day and 'id="requests-waiting-for-me"' not in day
    assert "Approve to bid" in client.get("/notifications").text  # the bell's page lists all


def test_my_day_asks_for_the_latest_ratings_owed_and_links_the_rest(client, world, deal, now):
    for _ in range(11):
        _delivered(world, deal)
    login(client, world.rep_a)
    day = client.get("/").text
    assert day.count('class="list-group-item rating-due"') == 10
    assert 'id="ratings-due-more"' in day


@pytest.mark.parametrize(
    ("who", "shown"), [("rep_a", False), ("director_a", True), ("leader", True)]
)
def test_the_inbox_links_the_figures_for_those_who_review_the_pipeline(client, world, who, shown):
    login(client, getattr(world, who))
    page = client.get("/requests").text
    assert ('id="request-figures"' in page) is shown
    if shown:
        assert client.get("/requests/figures").status_code == 200
