"""The benchmark's import case, small: its file is read as a Chinese company sheet (GBK, accounts
by name with their legal form, bosses by name), and the dry run, commit and undo it times work."""

from salesflow.imports.reading import open_table
from tools.bench import imports as bench_imports


def test_the_bench_file_imports_and_undoes(app, world, now):
    data = bench_imports.contacts_file(["Huadong Power", "Shared Steel"], rows=20)
    assert open_table(data, "bench.csv").encoding == "gb18030"
    timings = bench_imports.run(app, rows=20, email=world.admin.email)
    assert [t.what.split(",")[0] for t in timings] == [
        "import dry run",
        "import commit",
        "import undo",
    ]
    assert "create 20" in timings[1].note and "reversed 20" in timings[2].note
    assert "| import commit, 20 contacts |" in bench_imports.report(timings)
