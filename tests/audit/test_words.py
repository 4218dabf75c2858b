"""Audit trails in words: field labels instead of column names, names instead of ids, stage names
in the reader's language, the record each change belongs to, local times — and the names read in
one query per kind of id, however many entries a page shows."""

import re

import pytest
from flask_babel import refresh

from salesflow.accounts import services as account_services
from salesflow.audit import services as audit
from salesflow.audit import words
from salesflow.contacts import services as contact_services
from salesflow.interactions import services as interaction_services
from salesflow.opportunities import moves
from salesflow.opportunities import services as opportunity_services
from tests import factories as f
from tests.conftest import login, sql_statements

RAW = re.compile(
    r"reports_to_id|participant_ids|contact_ids|stage_key|_id\b|#\d+|\d{2}:\d{2}:\d{2}"
)


def _texts(rows):
    return [
        " ".join(
            [row.actor, row.action, row.record.title if row.record else ""]
            + [f"{c.label}: {c.old} → {c.new}" for c in row.changes]
        )
        for row in rows
    ]


def test_a_contacts_manager_is_named_and_the_field_labelled(world, now):
    boss = f.make_contact(account=world.account_a, name="Old Boss")
    new_boss = f.make_contact(account=world.account_a, name="New Boss")
    contact = f.make_contact(account=world.account_a, name="Report", reports_to=boss)
    contact_services.update_contact(
        contact,
        {"reports_to_id": new_boss.id, "version": contact.version},
        actor=world.rep_a,
        now=now,
    )
    (row,) = words.history("contacts", contact.id, world.rep_a)
    assert (row.actor, row.action, row.record) == ("Li Ming", "changed", None)
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Reports to", "Old Boss", "New Boss")
    ]


def test_the_account_history_names_the_deal_and_its_iron_triangle(world, now):
    deal = f.make_opportunity(
        account=world.account_a, name="Grid upgrade", roles={world.rep_a: "AR"}
    )
    opportunity_services.set_roles(
        deal,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "SR"}],
        actor=world.director_a,
        now=now,
    )
    (row,) = words.account_history(world.account_a.id, world.director_a)
    assert row.record.title == "Opportunity: Grid upgrade"
    assert row.record.url == f"/opportunities/{deal.id}"
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Iron triangle", "AR: Li Ming", "AR: Li Ming; SR: Zhao Lei")
    ]


def test_the_account_team_names_people_and_their_roles(world, now):
    account_services.set_account_team(
        world.account_a,
        [{"user_id": world.rep_a.id, "role": "AR"}, {"user_id": world.rep_a2.id, "role": "FR"}],
        actor=world.director_a,
        now=now,
    )
    (row,) = words.account_history(world.account_a.id, world.director_a)
    assert row.record is None  # the page's own record
    (change,) = row.changes
    assert change.label == "Account team"
    assert (
        change.new == "Li Ming (AR · account responsible); Zhao Lei (FR · fulfilment responsible)"
    )


def test_a_contact_log_names_our_people_and_their_people(world, now):
    interaction_services.update_interaction(
        world.interaction_a,
        {
            "participant_ids": [world.rep_a.id, world.rep_a2.id],
            "version": world.interaction_a.version,
        },
        actor=world.rep_a,
        now=now,
    )
    rows = words.account_history(world.account_a.id, world.rep_a)
    (text,) = _texts(rows)
    assert "Our people: Li Ming → Li Ming, Zhao Lei" in text
    assert rows[0].record.title.startswith("Contact log: Visit · ")


def test_a_move_shows_stage_names_in_the_readers_language(app, world, now):
    deal = f.make_opportunity(account=world.account_a, stage="bid", roles={world.rep_a: "AR"})
    moves.move_back(
        deal,
        {"to_stage": "shape", "reason": "Spec changed", "version": deal.version},
        actor=world.rep_a,
        now=now,
    )
    (row,) = words.history("opportunities", deal.id, world.rep_a)
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Stage", "Prepare and submit the bid", "Shape the requirements before the bid")
    ]
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refresh()  # the locale is cached per application context
        (row,) = words.history("opportunities", deal.id, world.rep_a)
        assert [(c.old, c.new) for c in row.changes] == [("投标", "标前引导")]


def test_decisions_checklist_amounts_and_dates_are_words(world, now):
    deal = f.make_opportunity(account=world.account_a, name="Grid", currency="USD")
    audit.record(
        deal,
        "update",
        {
            "approval.atb": (None, "requested"),
            "checklist.validate.need_confirmed": (None, "Call with the CIO"),
            "amount": ("100000.00", "120000.50"),
            "expected_close": ("2027-03-31", None),
        },
        actor=world.rep_a,
        now=now,
        account_id=world.account_a.id,
    )
    (row,) = words.history("opportunities", deal.id, world.rep_a)
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Decision point: Approve to bid", "—", "Requested"),
        (
            "Checklist: Customer need confirmed in writing (attach minutes, a planning document or"
            " RFI)",
            "—",
            "Call with the CIO",
        ),
        ("Amount", "100,000 USD", "120,000.5 USD"),
        ("Expected close", "Mar 31, 2027", "—"),
    ]


def test_a_parent_account_the_reader_cannot_see_is_not_named(world, now):
    audit.record(
        world.shared,
        "update",
        {"parent_id": (None, world.account_b.id)},
        actor=world.director_a,
        now=now,
        account_id=world.shared.id,
    )
    (seen,) = words.account_history(world.shared.id, world.rep_b)
    assert seen.changes[0].new == "Nanfang Grid"
    (hidden,) = words.account_history(world.shared.id, world.director_a)
    assert hidden.changes[0].new == "an account you cannot see"


def test_names_are_read_once_per_kind_however_many_entries(world, now):
    def entries(n):
        for i in range(n):
            contact = f.make_contact(account=world.account_a, name=f"Person {i}")
            deal = f.make_opportunity(account=world.account_a, name=f"Deal {i}")
            audit.record(
                contact,
                "update",
                {"reports_to_id": (None, world.contact_a.id)},
                actor=world.rep_a,
                now=now,
                account_id=world.account_a.id,
            )
            audit.record(
                deal,
                "update",
                {"roles": ([], [[world.rep_a.id, "AR"]])},
                actor=world.rep_a,
                now=now,
                account_id=world.account_a.id,
            )

    entries(2)
    with sql_statements() as few:
        words.account_history(world.account_a.id, world.rep_a)
    entries(8)
    with sql_statements() as many:
        rows = words.account_history(world.account_a.id, world.rep_a)
    assert len(rows) == 20 and len(many) == len(few)


@pytest.mark.parametrize(
    "lang, when", [("en", "Nov 20, 2026, 5:30\u202fPM"), ("zh-CN", "2026年11月20日 17:30")]
)
def test_the_pages_show_the_history_in_words_and_local_time(client, world, now, lang, when):
    boss = f.make_contact(account=world.account_a, name="Old Boss")
    contact_services.update_contact(
        world.contact_a,
        {"reports_to_id": boss.id, "version": world.contact_a.version},
        actor=world.rep_a,
        now=now,
    )
    login(client, world.rep_a)
    for url in (f"/accounts/{world.account_a.id}", f"/contacts/{world.contact_a.id}"):
        page = client.get(url, headers={"Accept-Language": lang}).get_data(as_text=True)
        changes = page[page.index('id="changes"') :]
        assert when in changes and "Old Boss" in changes
        assert not RAW.search(re.sub(r"<[^>]+>", " ", changes)), url
