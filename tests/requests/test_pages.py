"""Request pages (issue 16): asking a colleague from an account or a deal (the lead time, a rush
only with its reason), the inbox on both sides, a request's page with the moves its reader may
make, rating what was delivered; the account, deal, My day and bell show what waits. Outside the
scope is a 404; a refused button goes back with its reason and keeps nothing."""

from datetime import date

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.requests import services
from salesflow.requests.models import InternalRequest
from tests import factories as f
from tests.conftest import login

# FROZEN_NOW is Friday 20 November 2026: 5 working days on is Friday 27 November.
SOON, LATER = "2026-11-24", "2026-12-04"


@pytest.fixture
def deal(world):
    """A deal of account_a: rep_a its AR, rep_a2 its SR."""
    return f.make_opportunity(
        account=world.account_a, name="Grid upgrade", roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )


def ask(world, deal, *, by=None, to=None, kind="solution_workshop", needed_by=date(2026, 12, 4)):
    return services.ask(
        by or world.rep_a,
        kind=kind,
        title="Workshop for the grid upgrade",
        details="Half a day with their engineers",
        account_id=world.account_a.id,
        opportunity_id=deal.id,
        assignee_id=(to or world.rep_a2).id,
        needed_by=needed_by,
        rush_reason=None,
    )


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
