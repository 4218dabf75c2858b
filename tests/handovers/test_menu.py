"""Issue 14: the successor sees Handovers in the menu (scope.sees_handovers), not only planners."""

from salesflow.extensions import db
from tests.conftest import login
from tests.handovers.conftest import plan


def test_the_successor_sees_handovers_in_the_menu(client, world, now):
    login(client, world.rep_a2)
    assert 'href="/handovers"' not in client.get("/accounts").text
    plan(world, now=now)
    db.session.commit()
    assert 'href="/handovers"' in client.get("/accounts").text
    login(client, world.rep_b)  # no handover of theirs
    assert 'href="/handovers"' not in client.get("/accounts").text
