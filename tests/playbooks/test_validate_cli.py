"""`flask playbooks validate`, the startup check, and the broken files: one problem each.

Each file in broken/ starts with `# expect: <line>: <message>`, the one problem it must report.
"""

import re
from pathlib import Path

import pytest
from flask import Flask

from salesflow.playbooks import check_playbooks_or_die, load_file
from tests.conftest import make_app

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
SHIPPED = HERE.parents[1] / "playbooks"
BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def expected_problem(path: Path) -> str:
    first_line = path.read_bytes().splitlines()[0].decode("ascii")
    match = re.fullmatch(r"# expect: (\d+: .+)", first_line)
    assert match, f"{path.name} must start with '# expect: <line>: <message>'"
    return match.group(1)


@pytest.fixture(scope="module")
def files_app() -> Flask:
    """An app of its own: these tests read files only, never the database."""
    return make_app("sqlite://")


def validate(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["playbooks", "validate", *args])


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.stem for p in BROKEN_FILES])
def test_broken_file_reports_exactly_its_one_problem(path, monkeypatch):
    monkeypatch.chdir(BROKEN)

    playbook, problems = load_file(Path(path.name))

    assert playbook is None
    assert problems == [f"{path.name}:{expected_problem(path)}"]


def test_there_is_a_broken_file_for_each_kind_of_problem():
    assert len(BROKEN_FILES) >= 45


def test_validate_prints_every_problem_as_file_line_message_and_exits_1(files_app, monkeypatch):
    monkeypatch.chdir(HERE)

    result = validate(files_app, "--folder", "broken")

    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == sorted(
        f"broken/{path.name}:{expected_problem(path)}" for path in BROKEN_FILES
    )
    assert result.stdout == ""


def test_validate_summarises_the_shipped_playbooks_and_exits_0(files_app, monkeypatch):
    monkeypatch.chdir(SHIPPED.parent)

    result = validate(files_app, "--folder", str(SHIPPED))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "enterprise version 2: 6 stages (playbooks/enterprise.yaml)",
        "transactional version 2: 3 stages (playbooks/transactional.yaml)",
    ]


def test_validate_reads_the_repositorys_playbooks_folder_by_default(files_app):
    result = validate(files_app)

    assert result.exit_code == 0, result.output
    assert [line.split(" ")[0] for line in result.stdout.splitlines()] == [
        "enterprise",
        "transactional",
    ]


def test_validate_reports_a_missing_folder(files_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = validate(files_app, "--folder", "nowhere")

    assert result.exit_code == 1
    assert result.stderr == "nowhere: no such folder\n"


def test_validate_says_so_when_the_folder_has_no_playbooks(files_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = validate(files_app, "--folder", ".")

    assert result.exit_code == 0
    assert result.stdout == "No playbook files in ..\n"


def test_validate_names_both_files_of_a_duplicated_version(files_app, tmp_path, monkeypatch):
    content = (SHIPPED / "transactional.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(content, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(content.replace("sla_days: 7", "sla_days: 5"), "utf-8")
    monkeypatch.chdir(tmp_path)

    result = validate(files_app, "--folder", ".")

    assert result.exit_code == 1
    assert (
        result.stderr == "b.yaml:3: playbook 'transactional' version 2 is also defined in a.yaml\n"
    )


def test_startup_check_returns_the_playbooks_when_all_are_valid():
    app = make_app("sqlite://", PLAYBOOKS_FOLDER=str(SHIPPED))

    playbooks = check_playbooks_or_die(app)

    assert [p.key for p in playbooks] == ["enterprise", "transactional"]


def test_startup_check_refuses_to_start_and_says_why(monkeypatch):
    monkeypatch.chdir(HERE)
    app = make_app("sqlite://", PLAYBOOKS_FOLDER=str(BROKEN))

    with pytest.raises(SystemExit) as exit_info:
        check_playbooks_or_die(app)

    message = str(exit_info.value.code)
    assert message.startswith("Invalid playbooks; the app will not start:\n")
    assert "broken/unknown_gate_type.yaml:23: unknown gate type 'contact'" in message
    assert len(message.splitlines()) == 1 + len(BROKEN_FILES)


def test_startup_check_uses_the_repositorys_folder_by_default():
    app = make_app("sqlite://")

    assert {p.key for p in check_playbooks_or_die(app)} == {"enterprise", "transactional"}
