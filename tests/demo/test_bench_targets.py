"""The benchmark marks a row that misses its target (issue 15), reports p50 and p95, and puts
two runs of different sizes side by side. No timing here: the rows are made up."""

import pytest

from tools.bench.results import Row, load, markdown, save, side_by_side
from tools.bench.targets import GENERAL, limit_for, misses, p50_p95, percentile


@pytest.mark.parametrize(
    ("page", "p50", "ratio"),
    [
        ("/accounts", 50, True),
        ("/accounts/{id} (308 interactions)", 50, True),
        ("/pipeline/review", 300, False),
        ("/pipeline?playbook=enterprise", 150, False),
        ("queries.board(enterprise, whole company)", 150, False),
        ("departure simulation, the person with the most ties", 300, False),
        ("dependency report, whole company", 300, False),
        ("dependency report, whole company, computed live", 1000, False),
        ("/opportunities/export.csv?team_id={team}&status=all (10,164 deals)", 500, False),
        ("/accounts/export.csv (10,000 accounts)", 500, False),
        ("/search?q=王", 30, True),
        ("POST /interactions/new", 20, False),
    ],
)
def test_each_page_has_the_issues_target(page, p50, ratio):
    limit = limit_for(page)
    assert limit is not None
    assert (limit.p50, limit.ratio) == (p50, ratio)


def test_the_excel_export_has_no_target_named():
    assert limit_for("/accounts/export.xlsx (10,000 accounts)") is None
    assert misses(None, 5000, 9000, 1) == []


@pytest.mark.parametrize(
    ("p50", "p95", "raw", "missed"),
    [
        (20, 100, 10, []),
        (50, 150, 15, []),  # on the limits
        (51, 100, 20, ["p50 > 50"]),
        (40, 151, 20, ["p95 > 150"]),
        (36, 60, 10, ["> 3× raw + 5"]),
        (60, 200, 1, ["p50 > 50", "p95 > 150", "> 3× raw + 5"]),
    ],
)
def test_a_page_misses_the_general_target_in_words(p50, p95, raw, missed):
    assert misses(GENERAL, p50, p95, raw) == missed


def test_p95_is_interpolated_between_the_nearest_times():
    times = [float(n) for n in range(1, 21)]  # 1..20
    assert percentile(times, 0.95) == pytest.approx(19.05)
    assert p50_p95([3.0, 1.0, 2.0]) == (2.0, pytest.approx(2.9))
    assert p50_p95([7.0]) == (7.0, 7.0)


def test_the_table_marks_a_missed_row_and_counts_them():
    rows = [
        Row.timed("/accounts", "rep", [10.0] * 10, 4.0, ""),
        Row.timed("/pipeline/review", "leadership", [400.0] * 10, 30.0, ""),
        Row("/new page", "rep", note="skipped: no route yet"),
    ]
    text = "\n".join(markdown(rows))
    assert (
        "| /accounts | rep | 10.0 | 10.0 | 4.00 | 2.5× | p50 ≤ 50, p95 ≤ 150, ≤ 3× raw + 5 | ✓ |"
        in (text)
    )
    assert "| 400.0 | 400.0 | 30.00 | 13.3× | p50 ≤ 300 | ✗ p50 > 300 |" in text
    assert "skipped: no route yet" in text
    assert "1 of 2 rows miss their target" in text


def test_two_sizes_side_by_side_by_page_without_their_counts(tmp_path):
    meta = {"engine": "sqlite", "load_before": "1.00 1.00 1.00", "load_after": "2.00 1.00 1.00"}
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    save(small, {**meta, "accounts": 1000}, [Row.timed("/a (30 x)", "rep", [10.0], 1.0, "")])
    save(large, {**meta, "accounts": 10000}, [Row.timed("/a (300 x)", "rep", [40.0], 1.0, "")])
    assert load(large)[1][0].p50 == 40.0
    text = side_by_side(small, large)
    assert "| page | as | p50 1,000 | p95 1,000 | p50 10,000 | p95 10,000 | growth |" in text
    assert "| /a | rep | 10.0 | 10.0 | 40.0 | 40.0 | 4.0× |" in text
