"""What a benchmark row must meet (issue 15) and how its times are summed up.

Every page: p50 ≤ 50 ms, p95 ≤ 150 ms and p50 ≤ 3× its raw SQL + 5 ms. A few pages and
functions have a named target instead: the heavy reports (their raw SQL is one of several
queries, or slower than the target, so the ratio says nothing of them) and global search (a
stricter limit, on top of the general one). A row that misses its target is marked."""

import os
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """p50 and p95 limits in ms (None: not checked); `ratio`: p50 ≤ 3× raw SQL + 5 ms too."""

    p50: float
    p95: float | None = 150.0
    ratio: bool = True

    def describe(self) -> str:
        parts = [f"p50 ≤ {self.p50:g}"]
        if self.p95 is not None:
            parts.append(f"p95 ≤ {self.p95:g}")
        if self.ratio:
            parts.append("≤ 3× raw + 5")
        return ", ".join(parts)


GENERAL = Limit(50.0)
# (words the row's page starts with or contains, its limit); the first that matches wins.
NAMED: tuple[tuple[str, Limit | None], ...] = (
    ("/pipeline/review", Limit(300.0, None, False)),
    ("/pipeline?", Limit(150.0, None, False)),
    ("queries.board(", Limit(150.0, None, False)),
    ("departure simulation", Limit(300.0, None, False)),
    ("computed live", Limit(1000.0, None, False)),
    ("dependency report", Limit(300.0, None, False)),
    ("export.csv", Limit(500.0, None, False)),
    ("export.xlsx", None),  # openpyxl's work per cell: no target named (README)
    ("/search", Limit(30.0)),
    ("POST /interactions/new", Limit(20.0, 150.0, False)),  # a write: its raw SQL has no commit
)


def limit_for(page: str) -> Limit | None:
    for words, limit in NAMED:
        if page.startswith(words) or words in page:
            return limit
    return GENERAL


def misses(limit: Limit | None, p50: float, p95: float, raw: float) -> list[str]:
    """What a row misses, in words ('p50 > 300'); empty when it meets its target."""
    if limit is None:
        return []
    missed = []
    if p50 > limit.p50:
        missed.append(f"p50 > {limit.p50:g}")
    if limit.p95 is not None and p95 > limit.p95:
        missed.append(f"p95 > {limit.p95:g}")
    if limit.ratio and p50 > 3 * raw + 5:
        missed.append("> 3× raw + 5")
    return missed


def percentile(times: list[float], share: float) -> float:
    """The `share` percentile (0.95 for p95), interpolated between the two nearest times."""
    ordered = sorted(times)
    if len(ordered) == 1:
        return ordered[0]
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def p50_p95(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), percentile(times, 0.95)


def load_average() -> str:
    """The machine's load (1, 5 and 15 minutes): a figure taken on a busy machine is slower."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
