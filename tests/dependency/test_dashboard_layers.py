"""Issue 17 on the dependency dashboard: each account of the shown page with its breadth (share
of its current contacts with a live tie) and its organisational exchanges of the last 12 months
beside the existing coverage, read for the shown page at once (the same number of queries
however many accounts it shows)."""

import re

from salesflow.dependency import pages, queries
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login, sql_statements


def _cells(page: str, account_id: int) -> tuple[str, str]:
    """The breadth and exchanges cells of an account's row of the dashboard's table."""
    body = page.split('id="dependency-table"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-account="{account_id}"', 1)[1].split("</tr>", 1)[0]
    breadth = re.search(r'class="[^"]*breadth">([^<]*)<', row).group(1).strip()
    exchanges = re.search(r'class="[^"]*exchanges">([^<]*)<', row).group(1).strip()
    return breadth, exchanges


def test_breadth_and_exchanges_by_hand(client, world):
    # Four current contacts, three of them met (a live tie): breadth 3/4 = 75%. Exchanges: an
    # executive visit and a site visit this year, an event with their executive, an event with
    # no executive (not counted) and an executive visit 400 days ago (not counted): 3.
    account = f.make_account(team=world.team_a, name="Layered Ltd", tier="A")
    boss = f.make_contact(account=account, name="Boss", decision_role="decision_maker")
    cto = f.make_contact(account=account, name="CTO", level="executive")
    buyer = f.make_contact(account=account, name="Buyer")
    f.make_contact(account=account, name="Never met")
    f.make_interaction(account=account, owner=world.rep_a, contacts=[boss], kind="exec_visit")
    f.make_interaction(account=account, owner=world.rep_a, contacts=[buyer], kind="site_visit")
    f.make_interaction(account=account, owner=world.rep_a2, contacts=[cto], kind="event")
    f.make_interaction(account=account, owner=world.rep_a2, contacts=[buyer], kind="event")
    f.make_interaction(account=account, owner=world.rep_a, kind="exec_visit", days_ago=400)
    bare = f.make_account(team=world.team_a, name="Bare Ltd", tier="C")
    f.make_contact(account=bare, name="Nobody knows")
    db.session.commit()

    login(client, world.leader)
    page = client.get("/dependency").get_data(as_text=True)

    assert _cells(page, account.id) == ("75%", "3")
    assert _cells(page, bare.id) == ("0%", "0")
    assert 'data-layer="breadth"' in page and 'data-layer="exchanges"' in page


def test_the_layers_of_a_page_in_a_fixed_number_of_queries(app, world, now):
    def statements(n: int) -> int:
        for i in range(n):
            account = f.make_account(team=world.team_a, name=f"Many {n} {i}")
            contact = f.make_contact(account=account, level="executive")
            f.make_interaction(account=account, owner=world.rep_a, contacts=[contact], kind="event")
        db.session.commit()
        with app.test_request_context(), sql_statements() as seen:
            result = pages.dashboard(
                world.leader, queries.ReportFilters(), sort=None, direction=None, page=1, now=now
            )
        assert all(row.layers is not None for row in result["rows"])
        return len(seen)

    assert statements(1) == statements(8)
