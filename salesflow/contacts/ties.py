"""Tie strength between one of our users and a customer contact: pure arithmetic, no database.

PRODUCT.md, "Dependency analytics — exact definitions": a tie between our user E and contact C is
made of the interactions (not deleted) in which E took part and C attended, within the last
TIE_WINDOW_DAYS before now; s(E, C) = Σ 0.5 ** (age_days / TIE_HALF_LIFE_DAYS) over them, with
fractional ages. A tie is live when s > 0. The decision chain and the dependency report both use
these functions, fed by set-wise queries.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import TypeVar

SECONDS_PER_DAY = 86_400

K = TypeVar("K", bound=Hashable)


def age_days(occurred_at: datetime, now: datetime) -> float:
    """How many days (fractional) before `now` an interaction took place."""
    return (now - occurred_at).total_seconds() / SECONDS_PER_DAY


def in_window(age: float, window_days: float) -> bool:
    """Whether an interaction `age` days old counts: not in the future, at most the window old."""
    return 0 <= age <= window_days


def tie_strength(ages: Iterable[float], *, half_life_days: float) -> float:
    """Σ 0.5 ** (age / half_life) over the ages (in days) of the shared interactions."""
    return sum(0.5 ** (age / half_life_days) for age in ages)


def tie_strengths(
    touches: Iterable[tuple[K, datetime]],
    *,
    now: datetime,
    window_days: float,
    half_life_days: float,
) -> dict[K, float]:
    """Strength per key (e.g. (user_id, contact_id)) from (key, occurred_at) rows; rows outside
    the window are ignored, so a key appears only when its tie is live."""
    ages: dict[K, list[float]] = defaultdict(list)
    for key, occurred_at in touches:
        age = age_days(occurred_at, now)
        if in_window(age, window_days):
            ages[key].append(age)
    return {
        key: tie_strength(values, half_life_days=half_life_days) for key, values in ages.items()
    }
