"""Views only parse the request, call a page's view-model or a service, and render (issue 13,
item 3; STYLE.md rules 6 and 15): no `views.py` imports SQLAlchemy or the database handle, or
touches `db.session`. Its reads live in the domain's queries.py or a page's view-model. Read from
the modules themselves (ast), so an import inside a function counts too."""

import ast
from pathlib import Path

import pytest

import salesflow

SALESFLOW = Path(salesflow.__file__).parent
VIEWS = sorted(SALESFLOW.rglob("views.py"))


def _touches_database(node: ast.AST) -> bool:
    """An import of sqlalchemy or of `db` (the handle or salesflow.db), or a `db.session`."""
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == "sqlalchemy" for a in node.names)
    if isinstance(node, ast.ImportFrom) and node.module:
        return (
            node.module.split(".")[0] == "sqlalchemy"
            or node.module.endswith(".db")
            or any(a.name == "db" for a in node.names)
        )
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "session"
        and isinstance(node.value, ast.Name)
        and node.value.id == "db"
    )


def database_uses(source: str, where: str) -> list[str]:
    """`where:line: source line` for each line of `source` that touches the database."""
    lines = source.splitlines()
    found = {node.lineno for node in ast.walk(ast.parse(source, where)) if _touches_database(node)}
    return [f"{where}:{line}: {lines[line - 1].strip()}" for line in sorted(found)]


def test_every_blueprint_has_a_views_module_read():
    names = {path.parent.name for path in VIEWS}
    assert {"accounts", "contacts", "handovers", "interactions", "dependency"} <= names


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(SALESFLOW)))
def test_views_never_query(path):
    where = str(path.relative_to(SALESFLOW.parent))
    offenders = database_uses(path.read_text(encoding="utf-8"), where)
    assert not offenders, "a view touching the database (move it to queries.py):\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    ("source", "seen"),
    [
        ("import sqlalchemy as sa", True),
        ("import sqlalchemy.orm as so", True),
        ("from sqlalchemy import select", True),
        ("from salesflow.extensions import db, login_manager", True),
        ("from salesflow import db", True),
        ("def page():\n    return db.session.get(User, 1)", True),
        ("def later():\n    from sqlalchemy.orm import joinedload", True),
        ("from salesflow.extensions import login_manager", False),
        ("from salesflow.accounts import queries", False),
        ("page = build(request.session)", False),
    ],
)
def test_the_check_sees_a_query(source, seen):
    assert bool(database_uses(source, "x.py")) is seen
