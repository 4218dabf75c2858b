"""Every permission rule lives in salesflow/scope.py: no other module or template compares a
user's role. Read from the source (ast for Python, the text for templates); a failure names the
file and line to move into a scope predicate."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "salesflow"
SCOPE = PACKAGE / "scope.py"
ROLE_VALUES = {"rep", "director", "leadership", "admin"}  # auth.models.Role
PRIVATE_SETS = {"SEES_ALL", "RESTORERS", "IMPORTERS", "_SEES_ALL", "_RESTORERS", "_IMPORTERS"}
_VALUES = "|".join(sorted(ROLE_VALUES))
TEMPLATE_COMPARISON = re.compile(
    rf"\.role\s*(==|!=|\bnot\s+in\b|\bin\b)\s*[\[(]?\s*['\"]({_VALUES})['\"]"
    rf"|\b(current_user|user|actor)\.role\s*(==|!=|\bnot\s+in\b|\bin\b)"
    r"|\bRole\.\w+"
)
# Role comparisons that are no permission rule, each with its reason.
NOT_PERMISSIONS = {
    # the demo fills the My day of its own plan's reps (staff data, not a signed-in user)
    ("salesflow/demo/loader.py", 'if login.role == "rep"'),
}


def _role_names(tree: ast.Module) -> set[str]:
    """The names a module gives the user Role enum (`from salesflow.auth.models import Role`)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "salesflow.auth.models"
        for alias in node.names
        if alias.name == "Role"
    }


def _names_a_role(node: ast.AST, role_names: set[str]) -> bool:
    """`Role.admin`, a set or tuple of them, or the private role sets of scope."""
    for part in ast.walk(node):
        enum = isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
        if enum and (part.value.id in role_names or part.attr in PRIVATE_SETS):
            return True
        if isinstance(part, ast.Name) and part.id in PRIVATE_SETS:
            return True
    return False


def _is_role_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def _role_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in ROLE_VALUES


def role_comparisons(source: str) -> list[int]:
    """Lines of `source` that compare a user's role: against Role.<x> (or a set of them, or
    scope's role sets), a `.role` against a role's name, or `.role.in_(...)` of roles in SQL."""
    tree = ast.parse(source)
    role_names = _role_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            by_enum = any(_names_a_role(o, role_names) for o in operands)
            by_name = any(map(_is_role_attribute, operands)) and any(map(_role_literal, operands))
            if by_enum or by_name:
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            sql_in = node.func.attr in {"in_", "not_in", "notin_"}
            of_roles = any(_names_a_role(a, role_names) for a in node.args)
            if sql_in and of_roles and _is_role_attribute(node.func.value):
                found.append(node.lineno)
    return sorted(set(found))


def test_no_module_outside_scope_compares_roles():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name, source = str(path.relative_to(PACKAGE.parent)), path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for line in role_comparisons(source) if path != SCOPE else []:
            if not any(name == n and text in lines[line - 1] for n, text in NOT_PERMISSIONS):
                offenders.append(f"{name}:{line}")
    assert offenders == [], "compare roles in salesflow/scope.py only:\n" + "\n".join(offenders)


def test_no_template_compares_roles():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted((PACKAGE / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TEMPLATE_COMPARISON.search(line)
    ]
    assert offenders == [], "ask a scope predicate instead:\n" + "\n".join(offenders)


def test_the_checker_finds_each_kind_of_role_comparison():
    source = """
from salesflow.auth.models import Role as R
from salesflow.accounts.models import TeamRole

a = actor.role != R.admin
b = user.role in {R.director, R.admin}
c = user.role not in scope.SEES_ALL
d = sa.select(User).where(User.role.in_([R.director, R.admin]))
e = user.role == "leadership"
f = member.role == TeamRole.AR
g = R(data["role"])
"""
    assert role_comparisons(source) == [5, 6, 7, 8, 9]
    for template in (
        "{% if current_user.role == 'admin' %}",
        "{% if user.role in ('director', 'admin') %}",
        "{% if m.role != 'leadership' %}",
        "{% if x == Role.admin %}",
    ):
        assert TEMPLATE_COMPARISON.search(template), template
    for template in ("{{ current_user.role|label }}", "{% for m in ms if m.role == 'AR' %}"):
        assert not TEMPLATE_COMPARISON.search(template), template
