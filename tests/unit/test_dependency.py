"""Dependency metrics against hand-computed fixtures (PRODUCT.md, "Dependency analytics — exact
definitions"). Importance = role weight × influence weight; share = Σ importance·s / total."""

import pytest

from salesflow.dependency.metrics import (
    AccountInput,
    ContactIn,
    Risk,
    account_metrics,
    departure,
)

DM = "decision_maker"


def _account(contacts, ties) -> AccountInput:
    return AccountInput(1, tuple(ContactIn(*c) for c in contacts), ties)


@pytest.mark.parametrize(
    ("role", "influence", "importance", "key"),
    [
        (DM, "low", 1.5, True),
        (DM, "high", 4.5, True),
        ("technical_evaluator", "medium", 2.0, False),
        ("coach", "high", 3.0, True),
        ("user", "low", 0.5, False),
        ("influencer", "high", 1.5, True),
        ("gatekeeper", "medium", 1.0, False),
        ("procurement", "medium", 1.0, False),
        ("unknown", "medium", 0.5, False),
    ],
)
def test_importance_and_key_contacts(role, influence, importance, key):
    contact = ContactIn(1, role, influence)
    assert contact.importance == pytest.approx(importance) and contact.is_key is key


def test_no_contacts_at_all():
    m = account_metrics(_account([], {}))
    assert (m.shares, m.top_share, m.holder_id, m.effective_holders) == ({}, None, None, None)
    assert (m.multi_threaded_coverage, m.bus_factor, m.risk) == (None, 0, Risk.high)


def test_contacts_but_no_relationships_is_high_risk_and_all_uncovered():
    m = account_metrics(_account([(1, DM, "high"), (2, "user", "low")], {}))
    assert m.uncovered_key_contacts == (1,) and m.effective_holders is None
    assert m.risk == Risk.high and m.bus_factor == 0  # already (wholly) uncovered


def test_one_person_holds_everything():
    m = account_metrics(
        _account([(1, DM, "high"), (2, "user", "medium")], {(7, 1): 0.5, (7, 2): 1.0})
    )
    assert (m.holder_id, m.top_share, m.effective_holders) == (7, 1.0, 1.0)
    assert m.single_threaded_key_contacts == (1,) and m.bus_factor == 1 and m.risk == Risk.high


def test_equal_shares_and_the_lower_id_holds():
    # users 8 and 9 each: 4.5 × 1.0 → shares 0.5 / 0.5, HHI 0.5, effective 2.0
    m = account_metrics(_account([(1, DM, "high")], {(9, 1): 1.0, (8, 1): 1.0}))
    assert m.shares == {8: 0.5, 9: 0.5} and m.holder_id == 8
    assert m.effective_holders == pytest.approx(2.0)
    assert m.multi_threaded_coverage == 1.0 and m.single_threaded_key_contacts == ()
    assert m.risk == Risk.medium  # 1.5 ≤ 2.0 < 2.5


def test_three_unequal_shares():
    # contact 1: DM high (4.5), contact 2: coach medium (2.0), contact 3: user low (0.5)
    # user 1: 4.5·1.0 = 4.5; user 2: 2.0·0.5 + 0.5·1.0 = 1.5; user 3: 4.5·0.5 = 2.25
    # total 8.25 → shares 0.5455, 0.1818, 0.2727; HHI = 0.2975+0.0331+0.0744 = 0.4050
    ties = {(1, 1): 1.0, (2, 2): 0.5, (2, 3): 1.0, (3, 1): 0.5}
    m = account_metrics(
        _account([(1, DM, "high"), (2, "coach", "medium"), (3, "user", "low")], ties)
    )
    assert m.shares[1] == pytest.approx(4.5 / 8.25)
    assert m.shares[2] == pytest.approx(1.5 / 8.25)
    assert m.shares[3] == pytest.approx(2.25 / 8.25)
    hhi = (4.5**2 + 1.5**2 + 2.25**2) / 8.25**2
    assert m.effective_holders == pytest.approx(1 / hhi)  # 2.469
    assert m.key_contacts == (1,)  # the coach has medium influence: not key
    assert m.multi_threaded_coverage == 1.0 and m.risk == Risk.medium


def test_coverage_counts_key_contacts_only():
    contacts = [(1, DM, "high"), (2, "influencer", "high"), (3, "user", "high"), (4, "user", "low")]
    ties = {(1, 1): 1.0, (2, 1): 1.0, (1, 2): 1.0, (1, 4): 1.0, (2, 4): 1.0}
    m = account_metrics(_account(contacts, ties))
    assert m.key_contacts == (1, 2, 3)
    assert m.uncovered_key_contacts == (3,) and m.single_threaded_key_contacts == (2,)
    assert m.multi_threaded_coverage == pytest.approx(1 / 3)


def test_a_single_threaded_decision_maker_is_high_risk_whatever_the_spread():
    # four users share evenly (effective 4.0) but only user 1 knows the decision maker
    contacts = [(1, DM, "low"), (2, "user", "low"), (3, "user", "low"), (4, "user", "low")]
    ties = {(1, 1): 1 / 3, (2, 2): 1.0, (3, 3): 1.0, (4, 4): 1.0}
    m = account_metrics(_account(contacts, ties))
    assert m.effective_holders == pytest.approx(4.0) and m.risk == Risk.high


def test_a_single_threaded_other_key_contact_is_medium_risk():
    contacts = [(1, DM, "low"), (2, "influencer", "high"), (3, "user", "low")]
    ties = {(1, 1): 1.0, (2, 1): 1.0, (3, 1): 1.0, (1, 2): 1.0, (3, 3): 3.0}
    m = account_metrics(_account(contacts, ties))
    assert m.single_threaded_key_contacts == (2,) and m.effective_holders >= 2.5
    assert m.risk == Risk.medium


def test_low_risk_when_spread_and_every_key_contact_multi_threaded():
    contacts = [(1, DM, "medium")]
    ties = {(1, 1): 1.0, (2, 1): 1.0, (3, 1): 1.0}
    m = account_metrics(_account(contacts, ties))
    assert m.effective_holders == pytest.approx(3.0) and m.risk == Risk.low


def test_bus_factor_is_greedy_even_when_fewer_removals_would_do():
    # DM (4.5) known to users 1 and 2; influencer high (1.5) known to user 3; half is 3.0.
    # Greedy: 3 uncovers the most (1.5) and goes first; then 1 and 2 gain nothing alone, equal
    # shares (4.5 each) → the lower id 1; then 2 uncovers the DM. Three removals (two would do).
    contacts = [(1, DM, "high"), (2, "influencer", "high")]
    ties = {(1, 1): 1.0, (2, 1): 1.0, (3, 2): 1.0}
    assert account_metrics(_account(contacts, ties)).bus_factor == 3
    # with user 1 the only tie to the DM: removing 1 uncovers 4.5 ≥ 3.0 at once
    assert account_metrics(_account(contacts, {(1, 1): 1.0, (3, 2): 1.0})).bus_factor == 1


def test_bus_factor_zero_when_already_half_uncovered():
    # DM 4.5 uncovered out of 4.5 + 4.5: exactly half counts as "at least half"
    contacts = [(1, DM, "high"), (2, DM, "high")]
    assert account_metrics(_account(contacts, {(1, 2): 1.0})).bus_factor == 0


# Two DMs (4.5 each) known to users A and B; a high-influence coach (3.0) known to user S and,
# weakly, to user C. Half of 12.0 is 6.0. Nobody is the only tie to anyone, so the first removal
# gains nothing whoever it is: the tie-break alone decides who goes first, and that decides the
# answer. A first: B alone knows both DMs (gain 9.0), two removals. S first: C alone knows the
# coach (gain 3.0, only 3.0 uncovered), then A and B (gain nothing, equal shares), four removals.
TIE_BREAK_CONTACTS = [(1, DM, "high"), (2, DM, "high"), (3, "coach", "high")]


def _tie_break_ties(a: int, b: int, s: int, c: int, s_strength: float) -> dict:
    return {(a, 1): 1.0, (a, 2): 1.0, (b, 1): 1.0, (b, 2): 1.0, (s, 3): s_strength, (c, 3): 0.5}


def test_bus_factor_among_equal_gains_removes_the_larger_share_first():
    # S's share (3.0 × 4 = 12.0) beats A's and B's (9.0 each): S goes first though A's id is lower
    ties = _tie_break_ties(a=1, b=2, s=3, c=4, s_strength=4.0)
    m = account_metrics(_account(TIE_BREAK_CONTACTS, ties))
    assert m.holder_id == 3 and m.shares[3] == pytest.approx(12.0 / 31.5)
    assert m.bus_factor == 4  # lowest id first (A) would give 2


@pytest.mark.parametrize(
    ("a", "b", "s", "c", "expected"),
    [(1, 2, 3, 4, 2), (2, 3, 1, 4, 4)],
    ids=["A has the lowest id", "S has the lowest id"],
)
def test_bus_factor_among_equal_gains_and_shares_removes_the_lowest_id_first(a, b, s, c, expected):
    # S's share (3.0 × 3 = 9.0) now equals A's and B's: the lowest id of the three goes first
    ties = _tie_break_ties(a=a, b=b, s=s, c=c, s_strength=3.0)
    m = account_metrics(_account(TIE_BREAK_CONTACTS, ties))
    assert m.shares[a] == m.shares[b] == pytest.approx(m.shares[s])
    assert m.holder_id == 1  # equal top shares: the lowest id holds
    assert m.bus_factor == expected


def test_bus_factor_equal_gains_reaching_half_at_once_need_no_tie_break():
    # Two DMs (4.5 each, total 9.0); user 5 alone knows DM 1, user 6 alone knows DM 2.
    # Equal gain 4.5: the larger share goes first; either way one removal reaches half.
    contacts = [(1, DM, "high"), (2, DM, "high")]
    m = account_metrics(_account(contacts, {(5, 1): 2.0, (6, 2): 1.0}))
    assert m.bus_factor == 1 and m.holder_id == 5


def test_departure_of_one_person():
    contacts = [(1, DM, "high"), (2, "influencer", "high")]
    ties = {(1, 1): 1.0, (2, 1): 0.2, (1, 2): 1.0}
    result = departure(_account(contacts, ties), {1})
    assert result.newly_uncovered_key_contacts == (2,)
    # before: shares 6.0 / 0.9 → effective 1.29 < 1.5 → high; after: one holder → high
    assert result.holder_left and result.risk_rises is False
    assert result.before.risk == Risk.high and result.after.risk == Risk.high
    assert not result.loses_decision_makers  # user 2 still knows the DM


def test_holder_left_needs_a_top_share_of_at_least_half():
    contacts = [(1, DM, "high")]
    # 0.49 : 0.51
    result = departure(_account(contacts, {(1, 1): 0.49, (2, 1): 0.51}), {1})
    assert not result.holder_left
    result = departure(_account(contacts, {(1, 1): 0.49, (2, 1): 0.51}), {2})
    assert result.holder_left and result.loses_decision_makers is False


def test_several_departing_at_once_and_the_last_decision_maker_tie():
    contacts = [(1, DM, "high")]
    inp = _account(contacts, {(1, 1): 1.0, (2, 1): 1.0, (3, 1): 1.0})
    result = departure(inp, {1, 2})
    assert result.newly_uncovered_key_contacts == () and result.risk_rises  # low → high
    everyone = departure(inp, {1, 2, 3})
    assert everyone.loses_decision_makers and everyone.newly_uncovered_key_contacts == (1,)
    assert len(inp.ties) == 3  # the input is left as it was
