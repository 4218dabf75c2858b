"""The account plan's and the relationship budget's changes on the account's own history, in
words: the record named by what it is, each changed part by its label, the objectives by their
number, the budget's amount as a number beside its currency."""

from datetime import date

from salesflow.audit import words
from salesflow.extensions import db
from salesflow.key_accounts import plans_services, spend
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


def test_a_budget_set_then_raised_on_the_account_history(world, now):
    account = world.account_a
    spend.save_budget(account, 2026, {"amounts": {"USD": "1000"}}, actor=world.director_a, now=now)
    db.session.commit()
    [budget] = spend.budgets_by_account([account.id], 2026)[account.id]
    spend.save_budget(
        account,
        2026,
        {"amounts": {"USD": "1234.5"}, "versions": {"USD": budget.version}},
        actor=world.director_a,
        now=now,
    )
    db.session.commit()

    raised, set_ = [
        r
        for r in words.account_history(account.id, world.rep_a)
        if r.record and r.record.title == "Relationship budget"
    ]

    assert _changes(raised) == {"Relationship budget": ("1,000", "1,234.5")}
    assert _changes(set_) == {
        "Year": ("—", "2026"),
        "Currency": ("—", "USD"),
        "Relationship budget": ("—", "1,000"),
    }
