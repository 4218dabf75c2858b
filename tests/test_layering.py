"""The company memory never depends on the reports read from it (issue 13, item 6): no module of a
memory package imports an analytics package, read from the imports themselves (ast), in function
bodies too. A report may read the memory; the memory learns of a report only through the app
factory (salesflow.register_reports)."""

import ast
from pathlib import Path

import pytest

import salesflow

SALESFLOW = Path(salesflow.__file__).parent
MEMORY = (
    "accounts",
    "contacts",
    "interactions",
    "ties",
    "teams",
    "audit",
    "opportunities",
    "playbooks",
    "handovers",
)
ANALYTICS = ("dependency", "pipeline")


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import in the tree; `from salesflow import x` names salesflow.x."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def analytics_imports(source: str, where: str) -> list[str]:
    """`where:line: source line` for each import of an analytics package in `source`."""
    lines = source.splitlines()
    offending = sorted(
        {
            line
            for line, module in imported(ast.parse(source, where))
            if module.split(".")[:2] in (["salesflow", name] for name in ANALYTICS)
        }
    )
    return [f"{where}:{line}: {lines[line - 1].strip()}" for line in offending]


def test_the_packages_named_exist():
    for name in (*MEMORY, *ANALYTICS):
        assert any((SALESFLOW / name).glob("*.py")), name


@pytest.mark.parametrize("package", MEMORY)
def test_memory_never_imports_analytics(package):
    offenders = [
        line
        for path in sorted((SALESFLOW / package).rglob("*.py"))
        for line in analytics_imports(
            path.read_text(encoding="utf-8"), str(path.relative_to(SALESFLOW.parent))
        )
    ]
    assert not offenders, "company memory importing a report:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("source", "seen"),
    [
        ("from salesflow.dependency import metrics", True),
        ("from salesflow.dependency.queries import risks", True),
        ("import salesflow.pipeline.figures", True),
        ("from salesflow import clock, pipeline", True),
        ("def later():\n    from salesflow.dependency.models import AccountSnapshot", True),
        ("from salesflow.ties.queries import tied_accounts", False),
        ("from salesflow import clock", False),
    ],
)
def test_every_way_of_importing_is_seen(source, seen):
    assert bool(analytics_imports(source, "salesflow/handovers/example.py")) is seen
