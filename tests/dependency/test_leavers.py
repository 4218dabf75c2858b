"""Issue 14, leadership on the dependency pages: a person who left no longer holds anything
(their ties are gone for the report, the snapshots, the simulation and a handover's risk now);
the dashboard lists the accounts they held with no handover, each with "Plan the handover"; a
complete handover takes the departing person's ties out of those accounts."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from salesflow import clock
from salesflow.auth import services as auth_services
from salesflow.dependency import metrics, queries, snapshots
from salesflow.dependency.metrics import Risk
from salesflow.extensions import db
from salesflow.handovers import services as handover_services
from tests import factories as f
from tests.conftest import login


def _leave(world, user) -> None:
    """Deactivated by an admin, as the team page does it (the day's figures follow)."""
    auth_services.update_user(user, {"active": False}, actor=world.admin, now=clock.now())
    db.session.commit()


def _leaver_rows(page: str) -> list[str]:
    if 'id="leavers-table"' not in page:
        return []
    body = page.split('id="leavers-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-account="(\d+)"', body)


def test_gone_names_the_deactivated_and_the_complete_handovers(world, now):
    assert queries.gone().people == frozenset()
    _leave(world, world.rep_a)
    left = queries.gone()
    assert left.people == {world.rep_a.id}
    assert not left.keeps(world.account_a.id, world.rep_a.id)
    assert left.keeps(world.account_b.id, world.rep_b.id)


def test_a_leaver_holds_nothing_in_the_report(world, now):
    before = queries.report(world.leader, queries.ReportFilters(), now=now)
    held = {r.account.id: r.metrics.holder_id for r in before}
    assert held[world.account_a.id] == world.rep_a.id
    _leave(world, world.rep_a)
    after = {
        r.account.id: r.metrics
        for r in queries.report(world.leader, queries.ReportFilters(), now=now)
    }
    assert after[world.account_a.id].holder_id is None
    assert after[world.account_a.id].risk == Risk.high
    assert after[world.account_a.id].uncovered_key_contacts == (world.contact_a.id,)
    # the ties themselves are still there, as they were before the departure
    kept = queries.account_inputs({world.account_a.id}, now=now, keep_gone=True)
    assert metrics.account_metrics(kept[world.account_a.id]).holder_id == world.rep_a.id


def test_the_snapshot_leaves_a_leaver_out_and_a_departure_after_it_refreshes_its_rows(world, now):
    taken = now + timedelta(minutes=30)
    snapshots.take(now=taken)
    db.session.commit()
    assert world.account_a.id in queries.from_snapshot({world.account_a.id}, now=taken)
    _leave(world, world.rep_a)  # after today's snapshot: its row follows at once
    answered = queries.from_snapshot({world.account_a.id}, now=taken)
    assert answered[world.account_a.id].holder_id is None
    rows = {
        r.account.id: r.metrics
        for r in queries.report(world.leader, queries.ReportFilters(), now=now)
    }
    assert rows[world.account_a.id].holder_id is None
    later = now + timedelta(hours=1)
    snapshots.take(now=later)
    db.session.commit()
    answered = queries.from_snapshot({world.account_a.id}, now=later)
    assert answered[world.account_a.id].holder_id is None


def test_the_dashboard_lists_a_leavers_accounts_with_plan_the_handover(client, world, now):
    _leave(world, world.rep_a)
    login(client, world.leader)
    page = client.get("/dependency").text
    assert set(_leaver_rows(page)) == {str(world.account_a.id), str(world.shared.id)}
    leavers = page.split('id="leavers"', 1)[1].split("</section>", 1)[0]
    assert "Li Ming" in leavers and ">left</span>" in leavers
    link = unescape(
        re.search(r'class="btn btn-sm btn-success plan-handover" href="([^"]+)"', leavers).group(1)
    )
    assert f"from_user_id={world.rep_a.id}" in link and "account_ids=" in link
    form = client.get(link).text  # the handover form, prefilled with the leaver and the account
    assert re.search(rf'<option value="{world.rep_a.id}" selected>', form)
    # Li Ming no longer holds anything in the table below or the holders' table
    table = page.split('id="dependency-table"', 1)[1].split("</table>", 1)[0]
    assert "Li Ming" not in table
    # the team filter applies to the list too
    south = client.get(f"/dependency?team_id={world.team_b.id}").text
    assert _leaver_rows(south) == []


def test_a_handover_from_the_leaver_takes_the_account_off_the_list(client, world, now):
    _leave(world, world.rep_a)
    handover_services.create_handover(
        {
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a2.id,
            "account_ids": [world.account_a.id],
            "due_date": date(2026, 12, 20),
        },
        actor=world.leader,
        now=now,
    )
    db.session.commit()
    login(client, world.leader)
    assert _leaver_rows(client.get("/dependency").text) == [str(world.shared.id)]


def test_nobody_left_no_list(client, world):
    login(client, world.leader)
    assert 'id="leavers"' not in client.get("/dependency").text


def test_a_complete_handover_takes_the_old_persons_ties_out(world, now):
    handover = handover_services.create_handover(
        {
            "from_user_id": world.rep_a.id,
            "to_user_id": world.rep_a2.id,
            "account_ids": [world.account_a.id],
            "due_date": date(2026, 12, 20),
        },
        actor=world.director_a,
        now=now,
    )
    assert queries.risks({world.account_a.id}, now=now)[world.account_a.id] == Risk.high
    before = queries.departure(world.leader, {world.rep_a.id}, now=now)
    assert world.account_a.id in [d.account_id for d in before.accounts if d.holder_left]
    handover.completed_at = now  # the checklist seen at 100 %
    db.session.flush()
    inputs = queries.account_inputs({world.account_a.id}, now=now)
    assert all(user != world.rep_a.id for user, _c in inputs[world.account_a.id].ties)
    after = queries.departure(world.leader, {world.rep_a.id}, now=now)
    assert world.account_a.id not in [d.account_id for d in after.accounts if d.holder_left]
    # the other account Li Ming touches still counts his tie
    shared = queries.account_inputs({world.shared.id}, now=now)[world.shared.id]
    assert any(user == world.rep_a.id for user, _c in shared.ties)


def test_accounts_they_held_is_the_dashboards_holder(world, now):
    """Held = the person with the largest share, as the dashboard's holder, even below half."""
    contact = f.make_contact(account=world.account_b, name="Boss", decision_role="decision_maker")
    for rep, times in ((world.rep_b, 2), (world.rep_a2, 2), (world.director_b, 2)):
        for _ in range(times):
            f.make_interaction(account=world.account_b, owner=rep, contacts=[contact])
    db.session.commit()
    rows = {
        r.account.id: r.metrics
        for r in queries.report(world.leader, queries.ReportFilters(), now=now)
    }
    top = rows[world.account_b.id]
    assert top.holder_id == world.rep_b.id and top.top_share < 0.5
    result = queries.departure(world.leader, {world.rep_b.id}, now=now)
    assert world.account_b.id in [d.account_id for d in result.accounts if d.holder_left]


@pytest.mark.parametrize("role", ["SR", "FR"])
def test_the_simulation_lists_sr_and_fr_deals_apart_and_does_not_count_them(
    client, world, now, role
):
    counted = f.make_opportunity(account=world.account_b, name="Counted", roles={world.rep_b: "AR"})
    apart = f.make_opportunity(account=world.account_a, name="Apart", roles={world.rep_b: role})
    db.session.commit()
    result = queries.departure(world.leader, {world.rep_b.id}, now=now)
    assert result.opportunity_ids == [counted.id]
    assert result.other_roles == {apart.id: role}
    login(client, world.leader)
    page = client.get(f"/dependency/departure?user_ids={world.rep_b.id}").text
    other = page.split('id="other-deals"', 1)[1].split("</table>", 1)[0]
    assert "Apart" in other and f"<td>{role}</td>" in other and "Counted" not in other
    assert "account manager (AR)" in page.split('id="what-counts"', 1)[1][:400]


def test_a_director_sees_no_sr_deal_outside_their_team(world, now):
    f.make_opportunity(account=world.account_b, name="South deal", roles={world.rep_a: "SR"})
    db.session.commit()
    result = queries.departure(world.director_a, {world.rep_a.id}, now=now)
    assert result.other_roles == {}
