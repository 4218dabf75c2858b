"""The account plan's and the relationship budget's changes on the account's own history, in
words: the record named by what it is, each changed part by its label, the objectives by their
number, the budget's amount as a number beside its currency."""

from datetime import date

from salesflow.audit import services as audit
from salesflow.audit import words
from salesflow.extensions import db
from salesflow.key_accounts import plans_services
from salesflow.key_accounts.spend_models import AccountBudget
from tests.conftest import login


def _changes(row: words.HistoryRow) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old, c.new) for c in row.changes}


def test_the_plan_written_then_changed_on_the_account_history(client, world, now):
    account = world.account_a
    plan = plans_services.save_plan(
        account,
        2026,
        {
            "vision": "Their partner of choice",
            "objectives": [
                {
                    "kind": "executive_exchange",
                    "title": "Meet their board each quarter",
                    "due": date(2026, 12, 31),
                    "params": {},
                }
            ],
        },
        actor=world.rep_a,
        now=now,
    )
    db.session.commit()
    plans_services.save_plan(
        account,
        2026,
        {"version": plan.version, "vision": "Their partner of choice", "threats": "A rival"},
        actor=world.rep_a,
        now=now,
    )
    db.session.commit()

    changed, written = words.account_history(account.id, world.rep_a)[:2]

    assert changed.record.title == written.record.title == "Account plan"
    assert _changes(changed) == {
        "Relationship threats": ("—", "A rival"),
        "Relationship objectives": ("1 objective", "—"),
    }
    assert _changes(written)["Vision"] == ("—", "Their partner of choice")
    assert _changes(written)["Year"] == ("—", "2026")
    login(client, world.rep_a)
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Relationship threats" in page and "executive_exchange" not in page


def test_a_budget_entry_in_words(world, now):
    budget = AccountBudget(account_id=world.account_a.id, year=2026, currency="USD", amount=500)
    db.session.add(budget)
    db.session.flush()
    changes = {"year": (None, 2026), "currency": (None, "USD"), "amount": (None, 1234.5)}
    audit.record(
        budget, "create", changes, actor=world.director_a, now=now, account_id=world.account_a.id
    )
    db.session.commit()

    [row] = [
        r
        for r in words.account_history(world.account_a.id, world.rep_a)
        if r.record and r.record.title == "Relationship budget"
    ]

    assert _changes(row) == {
        "Year": ("—", "2026"),
        "Currency": ("—", "USD"),
        "Relationship budget": ("—", "1,234.5"),
    }
