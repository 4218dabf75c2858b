"""Tiering (issue 17): the scores and suggested tier against a hand-built account, the director's
decision (confirm, keep with a reason) kept in the history and audited, the AR's yearly
potential, refusals (bad input, stale version, outside the decider's scope)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Account, Tier
from salesflow.audit.models import AuditEntry
from salesflow.errors import Conflict, Forbidden, ValidationFailed
from salesflow.extensions import db
from salesflow.key_accounts import tiering
from salesflow.key_accounts import tiering_services as services
from salesflow.key_accounts.tiering_models import AccountTierChange
from tests import factories as f
from tests.conftest import sql_statements

CONFIG = {**tiering.DEFAULTS, "industry": {"Energy": 1.2}, "region": {"West": 0.5}}


def _facts(**overrides):
    values = dict(
        potential=Decimal("5000000"),
        potential_currency="CNY",
        industry="Energy",
        region=None,
        won={"CNY": Decimal("3000000")},
        key_contacts=2,
        key_contacts_tied=1,
        tied_levels=("executive", "operational"),
    )
    return tiering.Facts(**{**values, **overrides})


def test_scores_from_the_written_out_example():
    # potential 5,000,000 CNY × 1.2 (Energy) = 6,000,000 of 10,000,000 → 0.6
    # established 3,000,000 of 20,000,000 → 0.15
    # relationship: 1 of 2 key contacts held (0.5), highest tie executive (1.0) → 0.75
    # total 0.4 × 0.6 + 0.4 × 0.15 + 0.2 × 0.75 = 0.45 → B (A from 0.6, B from 0.3)
    s = tiering.score(_facts(), CONFIG)
    assert s.potential_value == pytest.approx(6_000_000)
    assert (s.potential, s.established) == (pytest.approx(0.6), pytest.approx(0.15))
    assert (s.coverage, s.top_level, s.relationship) == (0.5, 1.0, 0.75)
    assert s.total == pytest.approx(0.45)
    assert s.suggested == Tier.B


@pytest.mark.parametrize(
    ("overrides", "total", "tier"),
    [
        # 12,000,000 USD-free potential caps at 1; 20,000,000 won caps at 1; rel 0.75
        ({"potential": Decimal("20000000"), "won": {"CNY": Decimal("25000000")}}, 0.95, Tier.A),
        # exactly on the A threshold: 0.4 × 1 + 0.4 × 0.125 + 0.2 × 0.75 = 0.6
        ({"potential": Decimal("9000000"), "won": {"CNY": Decimal("2500000")}}, 0.6, Tier.A),
        # West halves the potential: 5,000,000 × 1.2 × 0.5 = 3,000,000 → 0.3; 0.12 + 0.06 + 0.15
        ({"region": "West"}, 0.33, Tier.B),
        # a currency without a rate counts nothing; no ties: relationship 0 → 0.24 → C
        (
            {"won": {"XYZ": Decimal("9000000")}, "key_contacts_tied": 0, "tied_levels": ()},
            0.24,
            Tier.C,
        ),
        # 1,000,000 USD at 7.1 = 7,100,000 won → 0.355; no key contacts: coverage 0
        (
            {"won": {"USD": Decimal("1000000")}, "key_contacts": 0, "key_contacts_tied": 0},
            0.24 + 0.142 + 0.1,
            Tier.B,
        ),
        # nothing at all
        (
            {"potential": None, "won": {}, "key_contacts_tied": 0, "tied_levels": ()},
            0.0,
            Tier.C,
        ),
    ],
)
def test_suggested_tier_at_the_boundaries(overrides, total, tier):
    s = tiering.score(_facts(**overrides), CONFIG)
    assert s.total == pytest.approx(total)
    assert s.suggested == tier


def _scored_account(world, now):
    """The written-out example in the database: 5,000,000 CNY potential in Energy; won
    3,000,000 CNY within three years (plus an older win, a lost and a deleted deal that do not
    count); two key contacts, one held by an executive tie; a left key contact held too."""
    account = world.account_a
    account.industry, account.yearly_potential, account.potential_currency = (
        "Energy",
        Decimal("5000000"),
        "CNY",
    )
    won = f.make_opportunity(account=account, amount=3_000_000, status="won")
    won.closed_at = now - timedelta(days=3 * 365 - 10)
    old = f.make_opportunity(account=account, amount=1_000_000, currency="USD", status="won")
    old.closed_at = now - timedelta(days=3 * 366 + 5)
    f.make_opportunity(account=account, amount=9_000_000, status="lost")
    f.make_opportunity(account=account, amount=9_000_000, status="won", deleted=True)
    world.contact_a.level = "executive"  # key (decision maker), tied by the World's interaction
    f.make_contact(account=account, decision_role="decision_maker")  # key, nobody holds
    gone = f.make_contact(account=account, influence="high", level="executive", left_on=now.date())
    f.make_interaction(account=account, owner=world.rep_a, contacts=[gone])
    db.session.flush()
    return account


def test_scores_read_from_the_database(world, now, app, monkeypatch):
    monkeypatch.setitem(app.config, "TIERING", {"industry": {"Energy": 1.2}})
    account = _scored_account(world, now)
    s = tiering.scores_for([account.id], now)[account.id]
    assert s.potential_value == pytest.approx(6_000_000)
    assert s.established_value == pytest.approx(3_000_000)
    assert (s.coverage, s.top_level) == (0.5, 1.0)
    assert s.total == pytest.approx(0.45)
    assert s.suggested == Tier.B


def test_scores_of_many_accounts_take_a_fixed_number_of_queries(world, now):
    def count() -> int:
        with sql_statements() as seen:
            scores = tiering.scores_for(sa.select(Account.id), now)
        assert len(scores) == db.session.scalar(sa.select(sa.func.count(Account.id)))
        return len(seen)

    few = count()
    for _n in range(5):
        a = f.make_account(team=world.team_a)
        c = f.make_contact(account=a, decision_role="decision_maker", level="management")
        f.make_interaction(account=a, owner=world.rep_a, contacts=[c])
        f.make_opportunity(account=a, status="won")
    assert count() == few


def test_director_confirms_the_suggested_tier(world, now):
    account = world.account_a  # tier B, nothing recorded: suggested C
    version = account.version
    change = services.decide_tier(
        account, {"decision": "confirm", "version": version}, actor=world.director_a, now=now
    )
    assert (change.from_tier, change.to_tier, change.suggested) == (Tier.B, Tier.C, Tier.C)
    assert account.tier == Tier.C and account.version == version + 1
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.account_id == account.id, AuditEntry.at == now)
    ).all()
    assert {(e.entity_type, e.action) for e in entries} == {
        ("account_tier_changes", "create"),
        ("accounts", "update"),
    }
    assert next(e for e in entries if e.entity_type == "accounts").changes == {"tier": ["B", "C"]}


def test_keeping_the_tier_needs_a_reason_and_is_kept_in_history(world, now):
    account = world.account_a
    with pytest.raises(ValidationFailed) as refused:
        services.decide_tier(
            account,
            {"decision": "keep", "reason": "  ", "version": account.version},
            actor=world.director_a,
            now=now,
        )
    assert set(refused.value.fields) == {"reason"}
    version = account.version
    change = services.decide_tier(
        account,
        {"decision": "keep", "reason": "Strategic in the region", "version": version},
        actor=world.admin,
        now=now,
    )
    assert (change.from_tier, change.to_tier, change.suggested) == (Tier.B, Tier.B, Tier.C)
    assert account.tier == Tier.B and account.version == version + 1  # a stale form is a 409
    with pytest.raises(Conflict):
        services.decide_tier(
            account, {"decision": "confirm", "version": version}, actor=world.admin, now=now
        )
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AccountTierChange.account_id == account.id)
        )
        == 1
    )


@pytest.mark.parametrize("who", ["rep_a", "leader", "director_b"])
def test_only_the_teams_director_or_an_admin_decides(world, now, who):
    with pytest.raises(Forbidden):
        services.decide_tier(
            world.account_a,
            {"decision": "confirm", "version": world.account_a.version},
            actor=getattr(world, who),
            now=now,
        )


def test_a_bad_decision_says_every_problem_at_once(world, now):
    with pytest.raises(ValidationFailed) as refused:
        services.decide_tier(
            world.account_a,
            {"decision": "promote", "reason": "x" * 2001, "version": world.account_a.version},
            actor=world.director_a,
            now=now,
        )
    assert set(refused.value.fields) == {"decision", "reason"}
    with pytest.raises(ValidationFailed) as refused:
        services.decide_tier(world.account_a, {"decision": "confirm"}, actor=world.admin, now=now)
    assert set(refused.value.fields) == {"version"}


def test_the_ar_sets_the_yearly_potential_audited(world, now):
    account = world.account_a
    data = {"yearly_potential": "1234567.5", "potential_currency": " usd ", "version": 1}
    data["version"] = account.version
    services.set_potential(account, data, actor=world.rep_a, now=now)
    assert (account.yearly_potential, account.potential_currency) == (Decimal("1234567.50"), "USD")
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.account_id == account.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes == {
        "yearly_potential": [None, "1234567.50"],
        "potential_currency": [None, "USD"],
    }


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"yearly_potential": "-5", "potential_currency": "CNY"}, {"yearly_potential"}),
        ({"yearly_potential": "lots", "potential_currency": "CNY"}, {"yearly_potential"}),
        ({"yearly_potential": "1e20", "potential_currency": "CNY"}, {"yearly_potential"}),
        ({"yearly_potential": "100", "potential_currency": ""}, {"potential_currency"}),
        ({"yearly_potential": "100", "potential_currency": "yuan"}, {"potential_currency"}),
        (
            {"yearly_potential": "-1", "potential_currency": "12"},
            {"yearly_potential", "potential_currency"},
        ),
    ],
)
def test_bad_potential_is_refused_and_nothing_saved(world, now, data, fields):
    account = world.account_a
    with pytest.raises(ValidationFailed) as refused:
        services.set_potential(
            account, {**data, "version": account.version}, actor=world.rep_a, now=now
        )
    assert set(refused.value.fields) == fields
    assert account.yearly_potential is None and account.potential_currency is None


def test_potential_outside_scope_and_stale(world, now):
    with pytest.raises(Forbidden):  # the view answers 404 first (scope.get_account)
        services.set_potential(
            world.account_a,
            {"yearly_potential": "1", "potential_currency": "CNY", "version": 1},
            actor=world.director_b,
            now=now,
        )
    with pytest.raises(Conflict):
        services.set_potential(
            world.account_a,
            {"yearly_potential": "1", "potential_currency": "CNY", "version": 99},
            actor=world.rep_a,
            now=now,
        )
