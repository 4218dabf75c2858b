"""Opportunity pages: create from the account, the page with gates and what to do, moves from
the page and the board, the list with its CSV export. Permission and bad-input cases included."""

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.opportunities.models import Move, Opportunity, StageChange, Status
from tests import factories as f
from tests.conftest import login


def _ready(world, **kwargs):
    """A transactional deal in `qualify` whose gates hold."""
    return f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}, **kwargs
    )


def _field_errors(page: str) -> dict[str, list[str]]:
    """Each field's messages as the form shows them under it: field name → messages."""
    errors = {}
    for block in page.split('<div class="mb-3')[1:]:
        name = re.search(r'name="(\w+)"', block)
        messages = re.findall(r'<div class="invalid-feedback">(.*?)</div>', block)
        if name and messages:
            errors[name.group(1)] = messages
    return errors


def test_rep_creates_an_opportunity_from_the_account_page(client, world, now):
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    page = client.get(f"/accounts/{world.account_a.id}")
    assert f"/opportunities/new?account_id={world.account_a.id}" in page.text
    response = client.post(
        f"/opportunities/new?account_id={world.account_a.id}",
        data={
            "name": "Substation upgrade",
            "playbook": "enterprise",
            "amount": "1200000",
            "currency": "CNY",
            "expected_close": "2027-03-31",
            "customer_need": "Ageing relays",
        },
    )
    assert response.status_code == 302
    deal = db.session.scalar(sa.select(Opportunity).where(Opportunity.name == "Substation upgrade"))
    assert deal.stage_key == "validate" and deal.account_id == world.account_a.id
    assert [(r.user_id, r.role.value) for r in deal.roles] == [(world.rep_a.id, "AR")]
    page = client.get(response.headers["Location"]).text
    assert "Validate the opportunity" in page and "1,200,000 CNY" in page


def test_creating_with_bad_input_shows_every_problem_and_saves_nothing(client, world, now):
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/new?account_id={world.account_a.id}",
        data={"name": "", "playbook": "nope", "amount": "-5", "currency": "euro"},
    )
    assert response.status_code == 422
    assert _field_errors(response.text) == {
        "name": ["Name the opportunity."],
        "playbook": ["Choose a playbook."],
        "amount": ["The amount cannot be negative."],
        "currency": ["Use a three-letter currency code such as CNY."],
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opportunity)) == 0


def test_opportunity_page_shows_guidance_gates_and_links_to_meet_them(client, world, now):
    account = f.make_account(team=world.team_a, members={world.rep_a: "AR"})
    boss = f.make_contact(account=account, decision_role="decision_maker")
    deal = f.make_opportunity(
        account=account, playbook="transactional", stage="quote", roles={world.rep_a: "AR"}
    )
    f.make_interaction(
        account=account, owner=world.rep_a, contacts=[boss], occurred_at=now - timedelta(days=20)
    )
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    page = client.get(f"/opportunities/{deal.id}").text
    assert "Send a written quote within two working days" in page  # the stage's guidance
    assert "No Decision maker contacted in the last 14 days — last contact Oct 31, 2026" in page
    link = re.search(r'href="(/interactions/new\?[^"]+)"[^>]*>Log a contact', page)
    assert link, "the unmet contacted gate links to the quick log"
    target = link.group(1).replace("&amp;", "&")
    assert f"contact_ids={boss.id}" in target and f"opportunity_id={deal.id}" in target
    form = client.get(target).text
    assert f'value="{boss.id}" id="contact-{boss.id}" checked' in form


def test_advancing_with_unmet_gates_is_refused_with_the_list(client, world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional", amount=None)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/advance", data={"version": deal.version}, follow_redirects=True
    )
    assert "Not yet: these exit criteria are unmet." in response.text
    assert "No active AR on this opportunity" in response.text
    db.session.refresh(deal)
    assert deal.stage_key == "qualify"


def test_advancing_from_the_board_runs_the_same_gates_and_returns_to_it(client, world, now):
    deal = _ready(world)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    board = client.get("/pipeline?playbook=transactional").text
    assert f'data-id="{deal.id}"' in board
    response = client.post(
        f"/opportunities/{deal.id}/advance",
        data={"version": deal.version, "next": "/pipeline?playbook=transactional"},
    )
    assert response.headers["Location"] == "/pipeline?playbook=transactional"
    db.session.refresh(deal)
    assert deal.stage_key == "quote"


def test_a_stale_page_gets_a_conflict_and_nothing_moves(client, world, now):
    deal = _ready(world)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/advance",
        data={"version": deal.version + 1},
        follow_redirects=True,
    )
    assert "Someone else changed this record" in response.text
    db.session.refresh(deal)
    assert deal.stage_key == "qualify"


def test_director_overrides_from_the_page_with_a_reason(client, world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    db.session.commit()
    login(client, world.director_a)
    page = client.get(f"/opportunities/{deal.id}").text
    assert 'name="override_reason"' in page
    client.post(
        f"/opportunities/{deal.id}/advance",
        data={"version": deal.version, "override_reason": "Framework agreement"},
    )
    advanced = (StageChange.opportunity_id == deal.id, StageChange.move == Move.advanced)
    change = db.session.scalars(sa.select(StageChange).where(*advanced)).one()
    assert change.overridden and change.reason == "Framework agreement"


def test_a_rep_sees_no_override_field(client, world, now):
    deal = f.make_opportunity(account=world.account_a, playbook="transactional")
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    assert 'name="override_reason"' not in client.get(f"/opportunities/{deal.id}").text


def test_tick_with_evidence_then_close_won_and_lost_needs_a_reason(client, world, now):
    deal = _ready(world, stage="order")
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/checklist",
        data={"item": "order_received", "evidence": ""},
        follow_redirects=True,
    )
    assert "Say what proves it" in response.text
    client.post(
        f"/opportunities/{deal.id}/checklist",
        data={"item": "order_received", "evidence": "PO 4711"},
    )
    response = client.post(
        f"/opportunities/{deal.id}/lost", data={"version": deal.version}, follow_redirects=True
    )
    assert "Say why the opportunity was lost." in response.text
    client.post(f"/opportunities/{deal.id}/won", data={"version": deal.version})
    db.session.refresh(deal)
    assert deal.status == Status.won


def test_rep_asks_for_approval_and_the_director_approves(client, world, now):
    deal = f.make_opportunity(account=world.account_a, stage="shape")
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    page = client.get(f"/opportunities/{deal.id}").text
    assert "Approve to bid" in page and 'value="approve"' not in page
    response = client.post(
        f"/opportunities/{deal.id}/approvals",
        data={"gate": "atb", "decision": "approve"},
        follow_redirects=True,
    )
    assert "Only the team" in response.text  # a rep cannot approve
    client.post(
        f"/opportunities/{deal.id}/approvals", data={"gate": "atb", "decision": "requested"}
    )
    login(client, world.director_a)
    client.post(
        f"/opportunities/{deal.id}/approvals",
        data={"gate": "atb", "decision": "approve", "comment": "Go"},
    )
    page = client.get(f"/opportunities/{deal.id}").text
    assert "Approve to bid approved" in page


def test_reopen_only_by_the_director(client, world, now):
    deal = _ready(world, status="lost")
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    assert 'id="reopen"' not in client.get(f"/opportunities/{deal.id}").text
    client.post(f"/opportunities/{deal.id}/reopen", data={"version": deal.version, "reason": "x"})
    db.session.refresh(deal)
    assert deal.status == Status.lost
    login(client, world.director_a)
    client.post(
        f"/opportunities/{deal.id}/reopen",
        data={"version": deal.version, "reason": "Budget is back"},
    )
    db.session.refresh(deal)
    assert deal.status == Status.open


def test_other_teams_deals_answer_404(client, world, now):
    deal = f.make_opportunity(account=world.account_a)
    db.session.commit()
    login(client, world.rep_b)
    assert client.get(f"/opportunities/{deal.id}").status_code == 404
    assert client.post(f"/opportunities/{deal.id}/advance", data={}).status_code == 404
    assert client.get(f"/opportunities/{deal.id}/edit").status_code == 404


def test_roles_page_staffs_the_iron_triangle(client, world, now):
    deal = f.make_opportunity(account=world.account_a)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    response = client.post(
        f"/opportunities/{deal.id}/roles",
        data={
            "seats-0-role": "AR",
            "seats-0-user_id": str(world.rep_a.id),
            "seats-1-role": "SR",
            "seats-1-user_id": str(world.rep_a2.id),
            "seats-2-role": "FR",
            "seats-2-user_id": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(deal)
    assert sorted((r.role.value, r.user_id) for r in deal.roles) == [
        ("AR", world.rep_a.id),
        ("SR", world.rep_a2.id),
    ]


def test_list_sorts_and_exports_csv_with_formulas_escaped(client, world, now):
    f.make_opportunity(account=world.account_a, name='=HYPERLINK("x")', amount=5)
    f.make_opportunity(account=world.account_a, name="Big one", amount=900)
    f.make_opportunity(account=world.account_b, name="Not mine", amount=1)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    page = client.get("/opportunities?sort=amount&dir=desc").text
    assert page.index("Big one") < page.index("HYPERLINK") and "Not mine" not in page
    export = client.get("/opportunities/export.csv?sort=amount&dir=desc")
    assert export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[2] for r in rows[1:]] == ["Big one", '\'=HYPERLINK("x")']


def _changes_section(page: str) -> str:
    """The deal page's "Changes" list, tags dropped and spaces collapsed."""
    section = page[page.index('<h2 class="h5">Changes</h2>') :]
    section = section[: section.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_a_move_from_the_page_shows_in_the_deals_history_with_who_and_from_where(
    client, world, now
):
    deal = _ready(world)
    db.session.commit()  # a refused action rolls back to here
    login(client, world.rep_a)
    client.post(f"/opportunities/{deal.id}/advance", data={"version": deal.version})
    changes = _changes_section(client.get(f"/opportunities/{deal.id}").text)
    # the stage by its key or its name (both "qualify" / "Qualify", "quote" / "Quote")
    assert re.search(r"· Li Ming · changed Stage: qualify → quote$", changes, re.IGNORECASE)


def test_the_board_the_list_and_the_page_name_who_holds_each_seat(client, world, now):
    staffed = _ready(world, name="Staffed")
    empty = f.make_opportunity(account=world.account_a, playbook="transactional", name="Bare")
    login(client, world.rep_a)
    board = client.get("/pipeline?playbook=transactional&filtered=1").text  # not only Mine

    def card(deal):
        return board[board.index(f'data-id="{deal.id}"') :].split("</article>")[0]

    assert "<div>AR: Li Ming</div>" in card(staffed)
    assert '<div>AR: <span class="text-danger">nobody</span></div>' in card(empty)
    listing = client.get("/opportunities?playbook=transactional").text

    def row(deal):
        return listing[listing.index(f'/opportunities/{deal.id}"') :].split("</tr>")[0]

    assert row(staffed).endswith('<td class="d-none d-md-table-cell">Li Ming</td>\n    ')
    assert row(empty).endswith('<td class="d-none d-md-table-cell">—</td>\n    ')
    seats = client.get(f"/opportunities/{staffed.id}").text.split('id="roles"')[1]
    seats = seats.split("</section>")[0]
    assert re.findall(r'text-muted">([^<]+)</div>\s*<div>(.*?)</div>', seats) == [
        ("AR · account responsible", "Li Ming"),
        ("SR · solution responsible", '<span class="text-danger">Nobody yet</span>'),
        ("FR · fulfilment responsible", '<span class="text-danger">Nobody yet</span>'),
    ]
