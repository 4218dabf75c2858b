"""Tie strength arithmetic (PRODUCT.md, "Dependency analytics — exact definitions"), with ages in
whole days of the company's calendar (tests/test_clock.py: how a moment becomes a day)."""

import pytest

from salesflow.ties.strength import in_window, tie_strength, tie_strengths

TODAY = 20_777  # 2026-11-20


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
    ("age", "counts"), [(-1, False), (0, True), (179, True), (180, True), (181, False)]
)
def test_window_is_the_last_180_days_and_never_the_future(age, counts):
    assert in_window(age, 180) is counts


def test_strengths_group_by_key_count_each_touch_and_drop_days_outside_the_window():
    touches = [
        (("li", 1), TODAY - 90, 1),
        (("li", 1), TODAY, 2),  # two interactions together today
        (("li", 2), TODAY - 180, 1),  # just inside
        (("wang", 1), TODAY - 181, 1),  # just outside
        (("wang", 2), TODAY + 1, 1),  # in the future
    ]
    strengths = tie_strengths(touches, today=TODAY, window_days=180, half_life_days=90)
    assert set(strengths) == {("li", 1), ("li", 2)}
    assert strengths[("li", 1)] == pytest.approx(2.5)
    assert strengths[("li", 2)] == pytest.approx(0.25)


def test_half_life_is_a_parameter():
    touches = [("k", TODAY - 30, 1)]
    assert tie_strengths(touches, today=TODAY, window_days=180, half_life_days=30) == {
        "k": pytest.approx(0.5)
    }
