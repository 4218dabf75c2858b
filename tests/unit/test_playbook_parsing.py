"""Playbook files parsed into immutable objects (PLAYBOOKS.md): gates, texts, lookups, hashes.

The broken files, one per problem, are checked in tests/playbooks/test_validate_cli.py.
"""

import dataclasses
import textwrap
from pathlib import Path

import pytest
from babel import Locale

from salesflow.accounts.models import TeamRole
from salesflow.auth.models import Role
from salesflow.contacts.models import Attitude, DecisionRole, Level
from salesflow.interactions.models import Kind
from salesflow.playbooks import Playbook, load_file, load_playbooks, text
from salesflow.playbooks.gates import (
    GATE_TYPES,
    ApprovalGate,
    ChecklistGate,
    ContactedGate,
    ContactsGate,
    FieldsGate,
    Gate,
    InteractionsGate,
    OpportunityField,
    RolesGate,
)

SHIPPED = Path(__file__).resolve().parents[2] / "playbooks"

# A valid playbook with one stage; EXIT is replaced by the gate under test, on line 13.
TEMPLATE = """\
key: sample
version: 2
name: {en: "Sample", zh: "示例"}
stages:
  - key: first
    name: {en: "First", zh: "第一"}
    probability: 10
    sla_days: 7
    checklist:
      - key: need_confirmed
        text: {en: "Need confirmed", zh: "需求已确认"}
    exit:
      EXIT
  - key: second
    name: {en: "Second"}
    probability: 40
    sla_days: 30
"""


def write(folder: Path, content: str, name: str = "sample.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def parse(folder: Path, content: str) -> Playbook:
    playbook, problems = load_file(write(folder, content))
    assert problems == []
    assert playbook is not None
    return playbook


@pytest.mark.parametrize(
    ("gate", "expected"),
    [
        (
            "- roles: [AR, SR, FR]",
            RolesGate(roles=(TeamRole.AR, TeamRole.SR, TeamRole.FR), line=13),
        ),
        (
            "- fields: [amount, expected_close, customer_need, competitors]",
            FieldsGate(fields=tuple(OpportunityField), line=13),
        ),
        (
            "- contacts: {role: decision_maker, min: 1}",
            ContactsGate(role=DecisionRole.decision_maker, min=1, line=13),
        ),
        (
            "- contacts: {role: coach, min: 2, attitude_at_least: supporter, level: executive}",
            ContactsGate(
                role=DecisionRole.coach,
                min=2,
                attitude_at_least=Attitude.supporter,
                level=Level.executive,
                line=13,
            ),
        ),
        (
            "- contacted: {role: decision_maker, within_days: 30}",
            ContactedGate(role=DecisionRole.decision_maker, within_days=30, line=13),
        ),
        (
            "- interactions: {kind: tech_exchange, min: 1}",
            InteractionsGate(kind=Kind.tech_exchange, min=1, line=13),
        ),
        (
            "- interactions: {kind: site_visit, min: 2, within_days: 90}",
            InteractionsGate(kind=Kind.site_visit, min=2, within_days=90, line=13),
        ),
        ("- checklist: [need_confirmed]", ChecklistGate(items=("need_confirmed",), line=13)),
        (
            '- approval: {key: atb, name: {en: "Approve to bid", zh: "投标决策"}, by: director}',
            ApprovalGate(
                key="atb",
                name={"en": "Approve to bid", "zh": "投标决策"},
                by=Role.director,
                line=13,
            ),
        ),
    ],
)
def test_each_gate_type_is_parsed_with_typed_params_and_its_line(tmp_path, gate, expected):
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", gate))

    (parsed,) = playbook.stage("first").exit
    assert parsed == expected
    assert parsed.type == expected.type
    assert GATE_TYPES[parsed.type] is type(parsed)


def test_gate_params_in_block_style_parse_like_flow_style(tmp_path):
    block = "\n".join(
        [
            "- contacts:",
            "          role: coach",
            "          min: 1",
            "          attitude_at_least: champion",
        ]
    )
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", block))

    assert playbook.stage("first").exit == (
        ContactsGate(role=DecisionRole.coach, min=1, attitude_at_least=Attitude.champion, line=13),
    )


def test_registry_names_each_gate_class_by_its_type():
    assert set(GATE_TYPES) == {
        "roles",
        "fields",
        "contacts",
        "contacted",
        "interactions",
        "checklist",
        "approval",
        "request_done",
    }
    for name, gate_class in GATE_TYPES.items():
        assert issubclass(gate_class, Gate)
        assert gate_class.type == name


def test_playbook_exposes_its_parts(tmp_path):
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", "- roles: [AR]"))

    assert (playbook.key, playbook.version) == ("sample", 2)
    assert playbook.name == {"en": "Sample", "zh": "示例"}
    assert playbook.description == {}
    assert [stage.key for stage in playbook.stages] == ["first", "second"]
    first = playbook.first_stage
    assert (first.key, first.probability, first.sla_days) == ("first", 10, 7)
    assert first.guidance == {}
    assert [(item.key, dict(item.text)) for item in first.checklist] == [
        ("need_confirmed", {"en": "Need confirmed", "zh": "需求已确认"})
    ]
    assert first.item("need_confirmed").line == 10
    assert playbook.stage("second").exit == ()
    assert playbook.source.endswith("sample.yaml")


def test_stage_lookup_by_key_and_the_next_stage(tmp_path):
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", "- roles: [AR]"))

    assert playbook.stage("second") is playbook.stages[1]
    assert playbook.last_stage is playbook.stages[1]
    assert playbook.next_stage("first") is playbook.stages[1]
    assert playbook.next_stage("second") is None
    with pytest.raises(KeyError, match="no stage 'won'"):
        playbook.stage("won")
    with pytest.raises(KeyError):
        playbook.next_stage("won")
    with pytest.raises(KeyError, match="no checklist item 'signed'"):
        playbook.first_stage.item("signed")


def test_parsed_playbook_cannot_be_changed(tmp_path):
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", "- fields: [amount]"))

    with pytest.raises(dataclasses.FrozenInstanceError):
        playbook.version = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        playbook.first_stage.exit[0].fields = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        playbook.name["en"] = "Changed"  # type: ignore[index]
    assert isinstance(playbook.stages, tuple)
    assert isinstance(playbook.first_stage.checklist, tuple)


def test_parsed_playbooks_are_hashable_and_equal_when_parsed_twice(tmp_path):
    content = TEMPLATE.replace(
        "EXIT", '- approval: {key: atb, name: {en: "Approve"}, by: director}'
    )

    first, second = parse(tmp_path, content), parse(tmp_path, content)

    assert first == second
    assert len({first, second}) == 1


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Enterprise deal"),
        ("zh", "大客户项目"),
        ("zh_Hans", "大客户项目"),
        ("zh-CN", "大客户项目"),
        (Locale.parse("zh_Hans"), "大客户项目"),
        ("fr", "Enterprise deal"),
        (None, "Enterprise deal"),
    ],
)
def test_text_picks_the_locales_language_else_english(locale, expected):
    assert text({"en": "Enterprise deal", "zh": "大客户项目"}, locale) == expected


def test_text_falls_back_to_english_when_the_language_is_missing(tmp_path):
    playbook = parse(tmp_path, TEMPLATE.replace("EXIT", "- roles: [AR]"))

    assert playbook.text(playbook.stage("second").name, "zh") == "Second"
    assert playbook.text(playbook.first_stage.guidance, "zh") == ""


SAME_MEANING = """\
# the same playbook, written differently: comments, quoting, key order, flow vs block style
version: 2
stages:
  - name:
      zh: 第一
      en: First
    key: first
    sla_days: 7
    probability: 10
    exit: [{roles: ["AR"]}]
    checklist: [{text: {zh: "需求已确认", en: "Need confirmed"}, key: need_confirmed}]
  - {key: second, name: {en: Second}, sla_days: 30, probability: 40}
name: {zh: "示例", en: 'Sample'}
key: sample
"""


def test_content_hash_ignores_comments_spacing_quoting_and_key_order(tmp_path):
    original = parse(tmp_path, TEMPLATE.replace("EXIT", "- roles: [AR]"))
    rewritten = parse(tmp_path, SAME_MEANING)

    assert len(original.content_hash) == 64
    assert rewritten.content_hash == original.content_hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("probability: 40", "probability: 45"),  # a value
        ('{en: "Second"}', '{en: "Second", zh: "第二"}'),  # a translation added
        ("- roles: [AR]", "- roles: [AR, SR]"),  # a gate
        ("version: 2", "version: 3"),
    ],
)
def test_content_hash_changes_with_any_change_of_meaning(tmp_path, old, new):
    content = TEMPLATE.replace("EXIT", "- roles: [AR]")
    before = parse(tmp_path, content).content_hash

    assert parse(tmp_path, content.replace(old, new)).content_hash != before


def test_content_hash_changes_when_stages_change_order(tmp_path):
    head = "key: sample\nversion: 1\nname: {en: Sample}\nstages:\n"
    a = "  - {key: a, name: {en: A}, probability: 10, sla_days: 7}\n"
    b = "  - {key: b, name: {en: B}, probability: 10, sla_days: 7}\n"

    assert parse(tmp_path, head + a + b).content_hash != parse(tmp_path, head + b + a).content_hash


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path):
    content = TEMPLATE.replace(
        "EXIT", "- roles: [AR, XR]\n      - checklist: [signed]\n      - contact: {min: 1}"
    ).replace("version: 2", "version: two")
    path = write(tmp_path, content)

    playbook, problems = load_file(path)

    assert playbook is None
    shown = str(path)
    assert problems == [
        f"{shown}:2: version must be a whole number of at least 1, not 'two'",
        f"{shown}:13: unknown role 'XR' (allowed: AR, SR, FR)",
        f"{shown}:14: checklist gate names 'signed', which is not an item of stage 'first'"
        " (its items: need_confirmed)",
        f"{shown}:15: unknown gate type 'contact' (known: roles, fields, contacts, contacted,"
        " interactions, checklist, approval, request_done)",
    ]


def test_duplicate_keys_in_one_line_flow_maps_are_rejected(tmp_path):
    path = write(
        tmp_path,
        TEMPLATE.replace("EXIT", "- fields: [amount]").replace(
            '{en: "Second"}', '{en: "Second", en: "Later"}'
        ),
    )

    assert load_file(path)[1] == [f"{path}:15: duplicate key 'en' (first on line 15)"]


def test_yaml_merge_keys_may_override_what_they_merge(tmp_path):
    content = TEMPLATE.replace(
        "EXIT", "- contacted: &recent {role: decision_maker, within_days: 30}"
    )
    content += "    exit:\n      - contacted: {<<: *recent, within_days: 14}\n"

    playbook = parse(tmp_path, content)

    assert playbook.stage("second").exit == (
        ContactedGate(role=DecisionRole.decision_maker, within_days=14, line=19),
    )


def test_problems_name_files_relative_to_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "playbooks").mkdir()
    write(tmp_path / "playbooks", TEMPLATE.replace("EXIT", "- roles: [XR]"))
    monkeypatch.chdir(tmp_path)

    _playbooks, problems = load_playbooks(tmp_path / "playbooks")

    assert problems == ["playbooks/sample.yaml:13: unknown role 'XR' (allowed: AR, SR, FR)"]


def test_same_key_and_version_in_two_files_is_an_error_naming_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = TEMPLATE.replace("EXIT", "- roles: [AR]")
    write(tmp_path, content, "a.yaml")
    write(tmp_path, content.replace("probability: 40", "probability: 50"), "b.yml")

    playbooks, problems = load_playbooks(tmp_path)

    assert [p.source for p in playbooks] == ["a.yaml"]
    assert problems == ["b.yml:1: playbook 'sample' version 2 is also defined in a.yaml"]


def test_two_versions_of_one_playbook_may_sit_side_by_side(tmp_path):
    content = TEMPLATE.replace("EXIT", "- roles: [AR]")
    write(tmp_path, content, "sample-v2.yaml")
    write(tmp_path, content.replace("version: 2", "version: 3"), "sample-v3.yaml")
    (tmp_path / "README.md").write_text("Not a playbook.")

    playbooks, problems = load_playbooks(tmp_path)

    assert problems == []
    assert [(p.key, p.version) for p in playbooks] == [("sample", 2), ("sample", 3)]


def test_a_missing_folder_is_a_problem(tmp_path):
    assert load_playbooks(tmp_path / "nowhere") == ([], [f"{tmp_path / 'nowhere'}: no such folder"])


def test_shipped_playbooks_load_without_problems():
    playbooks, problems = load_playbooks(SHIPPED)

    assert problems == []
    assert sorted(p.key for p in playbooks) == ["enterprise", "transactional"]


def _texts(playbook: Playbook):
    yield playbook.name
    yield playbook.description
    for stage in playbook.stages:
        yield from (stage.name, stage.guidance)
        yield from (item.text for item in stage.checklist)
        yield from (gate.name for gate in stage.exit if isinstance(gate, ApprovalGate))


@pytest.mark.parametrize("name", ["enterprise", "transactional"])
def test_shipped_playbooks_speak_english_and_chinese_everywhere(name):
    playbook, _problems = load_file(SHIPPED / f"{name}.yaml")

    for texts in _texts(playbook):
        assert set(texts) == {"en", "zh"}
    assert all(stage.guidance for stage in playbook.stages)


def _gates(stage, gate_class):
    return [gate for gate in stage.exit if isinstance(gate, gate_class)]


def test_enterprise_playbook_has_the_mcr_decision_points_and_gates():
    playbook, _problems = load_file(SHIPPED / "enterprise.yaml")
    stage = playbook.stage

    assert [s.key for s in playbook.stages] == [
        "validate",
        "shape",
        "bid",
        "negotiate",
        "contract",
        "handover",
    ]
    assert [s.name["zh"] for s in playbook.stages[:5]] == [
        "验证机会点",
        "标前引导",
        "投标",
        "谈判",
        "签约",
    ]
    assert [g.key for g in _gates(stage("shape"), ApprovalGate)] == ["atb"]
    assert [g.key for g in _gates(stage("negotiate"), ApprovalGate)] == ["atc"]
    assert _gates(stage("validate"), RolesGate)[0].roles == (TeamRole.AR, TeamRole.SR)
    assert TeamRole.FR in _gates(stage("negotiate"), RolesGate)[0].roles  # FR before contract
    assert (
        ContactsGate(role=DecisionRole.coach, min=1, attitude_at_least=Attitude.supporter, line=86)
        in stage("shape").exit
    )
    assert _gates(stage("shape"), ContactedGate)[0].within_days == 30
    assert _gates(stage("shape"), InteractionsGate)[0].kind == Kind.tech_exchange
    probabilities = [s.probability for s in playbook.stages]
    assert probabilities == sorted(probabilities)


def test_transactional_playbook_is_light():
    playbook, _problems = load_file(SHIPPED / "transactional.yaml")

    assert 3 <= len(playbook.stages) <= 4
    assert _gates(playbook.first_stage, FieldsGate)[0].fields == (
        OpportunityField.amount,
        OpportunityField.expected_close,
    )
    assert sum(len(_gates(s, ContactedGate)) for s in playbook.stages) == 1
    assert not any(_gates(s, ApprovalGate) for s in playbook.stages)


def test_a_file_of_nested_yaml_aliases_is_refused_quickly(tmp_path):
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]")
    content = TEMPLATE.replace("EXIT", "- roles: *j").replace('zh: "示例"', "zh: *j")
    path = write(tmp_path, "\n".join(laughs) + "\n" + content)

    _playbook, problems = load_file(path)  # 9 ** 10 strings if anything expanded them

    assert problems[0].startswith(f"{path}:1: unknown key 'a' in playbook")
    assert f"{path}:10: name.zh must be text, not [[...], [...], [...], [...], ...]" in problems
    assert len(problems) == 10 + 1 + 9  # keys a to j, the text, each item of the roles gate
