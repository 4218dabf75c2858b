"""Reading playbook files: YAML with line numbers, then every problem of every file.

PyYAML's SafeLoader forgets where things were and silently keeps the last of two equal keys.
Our loader subclass builds `LineDict` / `LineList` containers that remember the line of the
container, of each key and of each value, and records duplicate keys as problems (STYLE.md
rule 10), so every message can be printed as `file:line: message` (PLAYBOOKS.md, Validation).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from salesflow.playbooks.parser import parse_playbook
from salesflow.playbooks.reader import Reader, _, show
from salesflow.playbooks.schema import Playbook

SUFFIXES = (".yaml", ".yml")


class LineDict(dict):
    """A YAML mapping that knows its own line and the lines of its keys and values."""

    line: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.key_line(key))


class LineList(list):
    """A YAML sequence that knows its own line and the line of each item."""

    line: int = 1

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line

    def with_lines(self) -> Iterator[tuple[Any, int]]:
        return ((item, self.item_line(i)) for i, item in enumerate(self))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1  # PyYAML counts from 0; editors count from 1


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers; duplicate keys are problems."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def _check_duplicates(self, node: yaml.MappingNode) -> None:
        first_lines: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` keys may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                first = first_lines.get(key)
            except TypeError:
                continue  # an unhashable key: construct_mapping reports it as a YAML error
            if first is None:
                first_lines[key] = _line(key_node)
            else:
                message = _(
                    "duplicate key %(key)s (first on line %(first)s)", key=show(key), first=first
                )
                self.duplicates.append((_line(key_node), message))

    def construct_line_mapping(self, node: yaml.MappingNode) -> Iterator[LineDict]:
        data = LineDict()
        data.line = _line(node)
        yield data
        self._check_duplicates(node)
        data.update(self.construct_mapping(node))  # also flattens `<<` merge keys into node.value
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            # explicit keys come after merged ones, as they win in the dict
            data.key_lines[key] = _line(key_node)
            data.value_lines[key] = _line(value_node)

    def construct_line_sequence(self, node: yaml.SequenceNode) -> Iterator[LineList]:
        data = LineList()
        data.line = _line(node)
        yield data
        data.extend(self.construct_sequence(node))
        data.item_lines = [_line(child) for child in node.value]


LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_line_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_line_sequence)


def parse_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """The document of `text` (None when it is empty) and its (line, message) problems."""
    loader = LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [(line, _("YAML syntax error: %(problem)s", problem=error.problem))]
    except yaml.YAMLError as error:
        return None, [(1, _("YAML syntax error: %(problem)s", problem=str(error)))]
    finally:
        loader.dispose()


def display_path(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else as absolute as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_text(raw: bytes) -> tuple[str | None, list[tuple[int, str]]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [(line, _("the file is not UTF-8 text"))]


def load_file(path: Path) -> tuple[Playbook | None, list[str]]:
    """Parse one playbook file: the playbook (None if it has any problem) and every problem."""
    shown = display_path(path)
    try:
        text, found = _read_text(path.read_bytes())
    except OSError as error:
        return None, [f"{shown}:1: " + _("cannot read the file: %(why)s", why=error.strerror)]
    return load_text(text, shown, found)


def load_text(
    text: str | None, shown: str, found: list[tuple[int, str]] | None = None
) -> tuple[Playbook | None, list[str]]:
    """Parse a playbook's text (a file's, or a version stored in the database) named `shown` in
    messages: the playbook (None if it has any problem) and every problem."""
    found = list(found or [])
    data = None
    if text is not None:
        data, found = parse_yaml(text)
    reader = Reader()
    for line, message in found:
        reader.problem(line, message)
    playbook = None
    if data is not None:  # duplicate keys still leave a document worth checking
        playbook = parse_playbook(data, reader, source=shown, text=text or "")
    elif not found:
        reader.problem(1, _("empty file: a playbook needs key, version, name and stages"))
    if reader.problems:
        # every problem, not only the first one; sorted by line as an editor shows them
        return None, [
            f"{shown}:{line}: {message}" for line, message in sorted(reader.problems, key=by_line)
        ]
    return playbook, []


def by_line(problem: tuple[int, str]) -> int:
    return problem[0]


def playbook_files(folder: Path) -> list[Path]:
    """The playbook files of `folder`, by name; hidden files (editor leftovers) are skipped."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith(".")
    )


def load_playbooks(folder: Path) -> tuple[list[Playbook], list[str]]:
    """Every playbook of `folder` and every problem; one key with one version lives in one file."""
    if not folder.is_dir():
        return [], [display_path(folder) + ": " + _("no such folder")]
    playbooks: list[Playbook] = []
    problems: list[str] = []
    first_file: dict[tuple[str, int], Playbook] = {}
    for path in playbook_files(folder):
        playbook, found = load_file(path)
        problems.extend(found)
        if playbook is None:
            continue
        other = first_file.setdefault((playbook.key, playbook.version), playbook)
        if other is not playbook:
            problems.append(
                f"{playbook.source}:{playbook.key_line}: "
                + _(
                    "playbook %(key)s version %(version)s is also defined in %(other)s",
                    key=show(playbook.key),
                    version=playbook.version,
                    other=other.source,
                )
            )
            continue
        playbooks.append(playbook)
    return playbooks, problems


def default_folder(root_path: str) -> Path:
    """The repository's top-level `playbooks/` folder, next to the `salesflow` package."""
    return Path(os.path.dirname(os.path.abspath(root_path))) / "playbooks"
