"""Tie strength between one of our users and a customer contact: pure arithmetic, no database.

PRODUCT.md, "Dependency analytics — exact definitions": a tie between our user E and contact C is
made of the interactions (not deleted) in which E took part and C attended, within the last
TIE_WINDOW_DAYS; s(E, C) = Σ 0.5 ** (age_days / TIE_HALF_LIFE_DAYS) over them. Ages are whole
days on the company's calendar (an interaction yesterday afternoon is 1 day old all of today), so
the counts can be kept per day (ties.touches) and every page and report agrees. A tie is
live when s > 0. The decision chain and the dependency report both use these functions.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def in_window(age: int, window_days: int) -> bool:
    """Whether an interaction `age` days old counts: not in the future, at most the window old."""
    return 0 <= age <= window_days


def tie_strength(ages: Iterable[int], *, half_life_days: float) -> float:
    """Σ 0.5 ** (age / half_life) over the ages (in days) of the shared interactions."""
    return sum(0.5 ** (age / half_life_days) for age in ages)


def decay(age: int, half_life_days: float) -> float:
    return 0.5 ** (age / half_life_days)


def tie_strengths(
    touches: Iterable[tuple[K, int, int]],
    *,
    today: int,
    window_days: int,
    half_life_days: float,
) -> dict[K, float]:
    """Strength per key (e.g. (user_id, contact_id)) from (key, day, count) rows, days numbered
    like `today`; rows outside the window are ignored, so a key appears only when its tie is
    live."""
    strengths: dict[K, float] = defaultdict(float)
    for key, day, count in touches:
        age = today - day
        if in_window(age, window_days) and count > 0:
            strengths[key] += count * decay(age, half_life_days)
    return dict(strengths)
