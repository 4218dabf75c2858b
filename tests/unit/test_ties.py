"""Tie strength arithmetic (PRODUCT.md, "Dependency analytics — exact definitions")."""

from datetime import UTC, datetime, timedelta

import pytest

from salesflow.contacts.ties import age_days, in_window, tie_strength, tie_strengths

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_age_is_fractional_days():
    assert age_days(NOW - timedelta(days=1, hours=12), NOW) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("ages", "expected"),
    [
        ([], 0.0),
        ([0], 1.0),
        ([90], 0.5),
        ([180], 0.25),
        ([45], 2**-0.5),
        ([0, 90], 1.5),
        ([30, 60, 120], 0.5 ** (1 / 3) + 0.5 ** (2 / 3) + 0.5 ** (4 / 3)),
    ],
)
def test_strength_halves_every_half_life(ages, expected):
    assert tie_strength(ages, half_life_days=90) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("age", "counts"),
    [(-0.001, False), (0, True), (179.999, True), (180, True), (180.001, False)],
)
def test_window_is_the_last_180_days_and_never_the_future(age, counts):
    assert in_window(age, 180) is counts


def test_strengths_group_by_key_and_drop_touches_outside_the_window():
    touches = [
        (("li", 1), NOW - timedelta(days=90)),
        (("li", 1), NOW),
        (("li", 2), NOW - timedelta(days=179, hours=23)),  # just inside
        (("wang", 1), NOW - timedelta(days=180, hours=1)),  # just outside
        (("wang", 2), NOW + timedelta(hours=1)),  # in the future
    ]
    strengths = tie_strengths(touches, now=NOW, window_days=180, half_life_days=90)
    assert set(strengths) == {("li", 1), ("li", 2)}
    assert strengths[("li", 1)] == pytest.approx(1.5)
    assert strengths[("li", 2)] == pytest.approx(0.5 ** ((179 + 23 / 24) / 90))


def test_half_life_is_a_parameter():
    touches = [("k", NOW - timedelta(days=30))]
    assert tie_strengths(touches, now=NOW, window_days=180, half_life_days=30) == {
        "k": pytest.approx(0.5)
    }
