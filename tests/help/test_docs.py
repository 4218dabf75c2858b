"""The project's documentation keeps up with the code: every API operation is in docs/api.md,
every key and gate type of the playbook format in docs/playbooks.md, and the example there is a
valid playbook."""

import re
from pathlib import Path

import pytest

from salesflow.playbooks import parser
from salesflow.playbooks.gates import GATE_TYPES
from salesflow.playbooks.loader import load_playbooks

DOCS = Path(__file__).resolve().parents[2] / "docs"
UNDOCUMENTED = {("GET", "/openapi.json")}  # the document itself, named in the guide's opening


def _operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^<>]*\([^)]*\):)?[^<>]+>", "{}", rule.rule[len("/api/v1") :])
            found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_api_operation_is_in_the_api_guide(app):
    guide = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for method, path in re.findall(r"^\| `(GET|POST|PATCH|PUT|DELETE) ([^`]+)`", guide, re.M)
    }
    missing = sorted(_operations(app) - documented - UNDOCUMENTED)
    assert not missing, f"docs/api.md lacks: {missing}"
    stale = sorted(documented - _operations(app))
    assert not stale, f"docs/api.md names operations the app does not have: {stale}"


@pytest.mark.parametrize(
    "key", [*parser.PLAYBOOK_KEYS, *parser.STAGE_KEYS, *parser.REASON_KEYS, *GATE_TYPES]
)
def test_every_key_of_the_playbook_format_is_documented(key):
    guide = (DOCS / "playbooks.md").read_text(encoding="utf-8")
    assert f"`{key}" in guide


def test_the_playbook_guides_example_is_valid(tmp_path):
    guide = (DOCS / "playbooks.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", guide, re.S).group(1)
    (tmp_path / "renewal.yaml").write_text(example, encoding="utf-8")
    playbooks, problems = load_playbooks(tmp_path)
    assert problems == []
    (renewal,) = playbooks
    assert {type(gate) for stage in renewal.stages for gate in stage.exit} == set(
        GATE_TYPES.values()
    )  # "uses every gate type"
    assert [reason.key for reason in renewal.loss_reasons] == ["price", "competitor", "other"]
