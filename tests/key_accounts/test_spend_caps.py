"""Per-person spend caps (issue 17): config SPEND_CAPS, and each customer attendee's share of a
contact's cost above the cap of its spend kind flagged — a government official's in stricter
words — never refused."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from config import SPEND_CAP_KINDS, spend_caps
from salesflow.extensions import db
from salesflow.interactions import services, timeline
from salesflow.interactions.models import Interaction
from salesflow.key_accounts import spend_caps as caps_
from salesflow.key_accounts.spend_caps import Row, over_caps
from salesflow.key_accounts.spend_kinds import SPEND_KINDS
from tests import factories as f
from tests.conftest import login, sql_statements

D = Decimal


# The setting ------------------------------------------------------------------------------------


def test_caps_are_read_per_kind_and_empty_is_none():
    assert spend_caps(" gift=500, meal=300.50 ,") == {"gift": D("500"), "meal": D("300.50")}
    assert spend_caps("") == {}


@pytest.mark.parametrize(
    "spec", ["gift", "gift=", "gift=abc", "gift=-1", "gifts=500", "gift=NaN", "gift=1,gift=2"]
)
def test_a_bad_cap_stops_the_start_naming_the_setting(spec):
    with pytest.raises(ValueError, match="SPEND_CAPS"):
        spend_caps(spec)


def test_the_setting_knows_every_spend_kind():
    assert set(SPEND_CAP_KINDS) == set(SPEND_KINDS)


# The rule, with hand-built numbers --------------------------------------------------------------


def _row(interaction_id, kind, cost, contact_id, *, official=False, given=None):
    return Row(
        interaction_id, kind, D(cost), contact_id, f"P{contact_id}", official, given and D(given)
    )


def test_equal_shares_above_the_cap_are_flagged_each():
    """A dinner of 700.00 for two (350.00 each) against a meal cap of 300: both flagged; a
    dinner of 600.00 for two (300.00 each, at the cap) is not; a gift has no cap here."""
    rows = [
        _row(1, "meal", "700", 11),
        _row(1, "meal", "700", 12, official=True),
        _row(2, "meal", "600", 11),
        _row(2, "meal", "600", 12),
        _row(3, "gift", "5000", 11),
    ]
    found = over_caps(rows, {"meal": D("300")})
    assert list(found) == [1]
    assert [(x.contact_id, x.share, x.cap, x.official) for x in found[1]] == [
        (11, D("350.00"), D("300"), False),
        (12, D("350.00"), D("300"), True),
    ]


def test_given_shares_replace_the_equal_split():
    """A gift of 900.00: 800.00 given for 21 and 100.00 for 22, cap 500: only 21 is flagged
    (the equal split, 450.00 each, would flag neither)."""
    rows = [_row(4, "gift", "900", 21, given="800"), _row(4, "gift", "900", 22, given="100")]
    found = over_caps(rows, {"gift": D("500")})
    assert [(x.contact_id, x.share) for x in found[4]] == [(21, D("800.00"))]


def test_an_official_is_flagged_in_stricter_words(app, ctx):
    rows = [_row(5, "gift", "600", 31, official=True), _row(6, "gift", "600", 32)]
    found = over_caps(rows, {"gift": D("500")})
    strict, plain = found[5][0].text, found[6][0].text
    assert "Government official" in strict and "600.00" in strict and "500.00" in strict
    assert "Government official" not in plain and "600.00" in plain


# Through the database --------------------------------------------------------------------------


@pytest.fixture
def capped(app):
    before = app.config["SPEND_CAPS"]
    app.config["SPEND_CAPS"] = {"meal": D("300"), "gift": D("500")}
    yield app.config["SPEND_CAPS"]
    app.config["SPEND_CAPS"] = before


def _log(world, now, people, cost, kind="meal", **more):
    data = {
        "account_id": world.account_a.id,
        "kind": kind,
        "occurred_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        "summary": "Dinner",
        "contact_ids": [c.id for c in people],
        "cost": cost,
        **more,
    }
    return services.log_interaction(data, actor=world.rep_a, now=now)


def test_saving_above_a_cap_is_never_refused_and_is_flagged(world, now, capped):
    official = f.make_contact(account=world.account_a, name="Zhao Lei")
    official.government_official = True
    gift = _log(world, now, [official, world.contact_a], "1400.00", spend_kind="gift")
    modest = _log(world, now, [world.contact_a], "100.00")
    assert gift.id and modest.id  # kept, however far above the cap
    db.session.flush()
    with sql_statements() as seen:
        found = caps_.flags([gift.id, modest.id])
    assert len(seen) == 1
    assert sorted((x.contact_id, x.share, x.official) for x in found[gift.id]) == sorted(
        [(official.id, D("700.00"), True), (world.contact_a.id, D("700.00"), False)]
    )
    assert modest.id not in found
    assert caps_.flagged_in_year(world.account_a.id, 2026) == 2
    assert caps_.flagged_in_year(world.account_a.id, 2025) == 0


def test_no_caps_no_flags_and_no_query(world, now):
    logged = _log(world, now, [world.contact_a], "99999.00")
    with sql_statements() as seen:
        assert caps_.flags([logged.id]) == {}
    assert seen == []


# On the pages ----------------------------------------------------------------------------------


def _flag_lines(html: str) -> list[str]:
    lines = []
    for part in html.split("small spend-cap-flag ")[1:]:
        lines.append(" ".join(part[part.index(">") + 1 : part.index("</p>")].split()))
    return lines


def test_the_timelines_and_the_panel_show_the_flags(client, world, now, capped):
    official = f.make_contact(account=world.account_a, name="Zhao Lei")
    official.government_official = True
    f.make_interaction(
        account=world.account_a,
        owner=world.rep_a,
        kind="meal",
        cost=D("1000"),
        contacts=[official, world.contact_a],
    )
    db.session.flush()
    login(client, world.rep_a)
    account = client.get(f"/accounts/{world.account_a.id}").get_data(as_text=True)
    lines = _flag_lines(account)
    assert len(lines) == 2
    assert any(
        x.startswith("⚑ Government official: Zhao Lei") and "500.00" in x and "300.00" in x
        for x in lines
    )
    assert any(x.startswith(f"⚑ {world.contact_a.name}") for x in lines)
    assert 'id="spend-cap-flags"' in account and "2 shares of costs" in account
    person = client.get(f"/contacts/{official.id}").get_data(as_text=True)
    assert len(_flag_lines(person)) == 2
    chinese = client.get(
        f"/accounts/{world.account_a.id}", headers={"Accept-Language": "zh"}
    ).get_data(as_text=True)
    assert len(_flag_lines(chinese)) == 2 and 'id="spend-cap-flags"' in chinese
    assert any(x.startswith("⚑ 政府官员：Zhao Lei") for x in _flag_lines(chinese))


def test_a_timeline_reads_its_flags_in_one_query(world, now, capped):
    def count(items) -> int:
        with sql_statements() as seen:
            timeline.entries(items, now)
        return len(seen)

    a = world.account_a
    items = [
        f.make_interaction(account=a, owner=world.rep_a, cost=D(1), contacts=[world.contact_a])
    ]
    db.session.flush()
    assert count(items) == 1
    for i in range(10):
        people = [f.make_contact(account=a, name=f"Guest {i}") for _ in range(2)]
        items.append(
            f.make_interaction(
                account=a, owner=world.rep_a, kind="meal", cost=D(900), contacts=people
            )
        )
    db.session.flush()
    assert count(items) == 1
    assert count([f.make_interaction(account=a, owner=world.rep_a)]) == 0  # no cost, no query


def test_the_quick_log_keeps_a_cost_far_above_the_cap(client, world, now, capped):
    """A gift of 50,000.00 to a government official, cap 500: logged all the same (302), and its
    page shows the stricter flag."""
    world.contact_a.government_official = True
    db.session.flush()
    login(client, world.rep_a)
    data = {
        "account_id": str(world.account_a.id),
        "kind": "meal",
        "spend_kind": "gift",
        "occurred_at": "2026-11-20T19:00",
        "contact_ids": [str(world.contact_a.id)],
        "participant_ids": [str(world.rep_a.id)],
        "summary": "A gift",
        "cost": "50000",
    }
    saved = client.post("/interactions/new", data=data)
    assert saved.status_code == 302
    logged = db.session.scalars(sa.select(Interaction).where(Interaction.summary == "A gift")).one()
    assert logged.cost == D("50000.00")
    page = client.get(f"/interactions/{logged.id}").get_data(as_text=True)
    assert any(x.startswith("⚑ Government official") for x in _flag_lines(page))
