"""The benchmark's results: one row per timed page or function, written as a Markdown table
(bench-results/<engine>.md) and as JSON (bench-results/<engine>-<accounts>.json), and two runs of
different sizes side by side:

    python -m tools.bench.results bench-results/sqlite-1000.json bench-results/sqlite-10000.json
"""

import argparse
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tools.bench.targets import limit_for, misses, p50_p95

SIZES = re.compile(r" \([^)]*\)")  # '(308 interactions)', '(10,164 deals)'


@dataclass
class Row:
    page: str
    role: str
    p50: float | None = None  # ms; None: skipped
    p95: float | None = None
    raw: float | None = None  # the hand-written SQL's median
    note: str = ""
    missed: list[str] = field(default_factory=list)

    @classmethod
    def timed(cls, page: str, role: str, times: list[float], raw: float, note: str) -> "Row":
        p50, p95 = p50_p95(times)
        return cls(page, role, p50, p95, raw, note, misses(limit_for(page), p50, p95, raw))

    @property
    def key(self) -> str:
        """The row's name without the sizes in brackets, which differ between data sets."""
        return f"{SIZES.sub('', self.page)} | {self.role}"


def _row_line(row: Row) -> str:
    limit = limit_for(row.page)
    target = limit.describe() if limit else "none named"
    if row.p50 is None:
        return f"| {row.page} | {row.role} | – | – | – | – | {target} | | {row.note} |"
    ratio = f"{row.p50 / row.raw:.1f}×" if row.raw else "–"
    met = "✗ " + ", ".join(row.missed) if row.missed else ("✓" if limit else "")
    return (
        f"| {row.page} | {row.role} | {row.p50:.1f} | {row.p95:.1f} | {row.raw:.2f} | {ratio} "
        f"| {target} | {met} | {row.note} |"
    )


def markdown(rows: list[Row]) -> list[str]:
    missed = sum(1 for row in rows if row.missed)
    lines = [
        "| page | as | p50 ms | p95 ms | raw SQL ms | ratio | target | met | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
        *(_row_line(row) for row in rows),
        "",
        f"{missed} of {sum(1 for row in rows if row.p50 is not None)} rows miss their target (✗).",
    ]
    return lines


def save(path: Path, meta: dict, rows: list[Row]) -> None:
    path.write_text(json.dumps({**meta, "rows": [asdict(row) for row in rows]}, indent=1))


def load(path: Path) -> tuple[dict, list[Row]]:
    data = json.loads(path.read_text())
    rows = [Row(**row) for row in data.pop("rows")]
    return data, rows


def _cell(row: Row | None) -> str:
    if row is None or row.p50 is None:
        return "– | –"
    return f"{row.p50:.1f} | {row.p95:.1f}"


def side_by_side(small: Path, large: Path) -> str:
    """Each row of two runs (say 1,000 and 10,000 accounts): p50 and p95 of both, and how much
    the p50 grew; a page that grows with the data set scans it."""
    (meta_a, rows_a), (meta_b, rows_b) = load(small), load(large)
    by_key = {row.key: row for row in rows_a}
    a, b = f"{meta_a['accounts']:,}", f"{meta_b['accounts']:,}"
    lines = [
        f"{meta_a['engine']}: {a} accounts (load {meta_a['load_before']} → "
        f"{meta_a['load_after']}) and {b} accounts (load {meta_b['load_before']} → "
        f"{meta_b['load_after']}), ms",
        "",
        f"| page | as | p50 {a} | p95 {a} | p50 {b} | p95 {b} | growth |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows_b:
        before = by_key.get(row.key)
        growth = "–"
        if before and before.p50 and row.p50 is not None:
            growth = f"{row.p50 / before.p50:.1f}×"
        page, role = row.key.split(" | ")
        lines.append(f"| {page} | {role} | {_cell(before)} | {_cell(row)} | {growth} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Two benchmark runs side by side.")
    parser.add_argument("small", type=Path, help="the JSON results of the smaller data set")
    parser.add_argument("large", type=Path, help="the JSON results of the larger data set")
    args = parser.parse_args(argv)
    print(side_by_side(args.small, args.large))


if __name__ == "__main__":
    main()
