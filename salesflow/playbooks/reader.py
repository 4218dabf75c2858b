"""Checks shared by the playbook, stage, checklist and gate parsers; each problem gets its line.

Values come from `loader.LineLoader`, so every mapping has `line`, `key_line(k)` and
`value_line(k)`, and every sequence `line` and `with_lines()`.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

from flask import has_request_context
from flask_babel import gettext

from salesflow.playbooks.schema import Text

LANGUAGES = ("en", "zh")
# A playbook key (PLAYBOOKS.md: "lowercase letters, digits and dashes"); keys inside a playbook
# may also use underscores, as PLAYBOOKS.md's own example does (`need_confirmed`).
PLAYBOOK_KEY = re.compile(r"[a-z0-9-]{1,50}")
INNER_KEY = re.compile(r"[a-z0-9_-]{1,50}")


def _(message: str, **values: Any) -> str:
    """gettext for problem messages, which the CLI and the startup check print outside any
    request: there, with no user and so no language, they stay English (and the app's locale
    selector, which reads the session, is never asked)."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


class _Short(reprlib.Repr):
    """Short reprs that never expand a whole structure (YAML aliases can nest one a billion
    times in a few lines); the loader's LineDict / LineList are shown as dicts and lists."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist = 1, 4, 4
        self.maxstring = self.maxother = 60

    def repr_LineDict(self, value: Any, level: int) -> str:  # noqa: N802 (reprlib's naming)
        return self.repr_dict(value, level)

    def repr_LineList(self, value: Any, level: int) -> str:  # noqa: N802
        return self.repr_list(value, level)


_short = _Short()


def show(value: Any) -> str:
    """A value as a playbook writer typed it: strings quoted, everything else as is, all short."""
    if isinstance(value, str | list | dict):
        return _short.repr(value)
    shown = str(value)  # numbers, booleans, dates, None
    return shown if len(shown) <= 60 else shown[:57] + "..."


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Reader:
    """Collects (line, message) problems while the parsers read a file: never stops at the first."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def mapping(
        self, value: Any, line: int, what: str, allowed: Sequence[str], required: Sequence[str]
    ) -> Any:
        """`value` if it is a mapping (unknown and missing keys reported), else None."""
        if not isinstance(value, dict):
            self.problem(
                line, _("%(what)s must be a map with keys %(keys)s", what=what, keys=_list(allowed))
            )
            return None
        for key in value:
            if key not in allowed:
                self.problem(
                    value.key_line(key),
                    _(
                        "unknown key %(key)s in %(what)s (allowed: %(allowed)s)",
                        key=show(key),
                        what=what,
                        allowed=_list(allowed),
                    ),
                )
        for key in required:
            if key not in value:
                self.problem(
                    value.line,
                    _("missing required key %(key)s in %(what)s", key=show(key), what=what),
                )
        return value

    def sequence(self, value: Any, line: int, message: str) -> Any:
        """`value` if it is a non-empty list, else None with `message` reported."""
        if isinstance(value, list) and value:
            return value
        self.problem(line, message)
        return None

    def whole(self, mapping: Any, key: str, minimum: int, maximum: int | None = None) -> int | None:
        """The whole number under `key` (None when absent or out of range, which is reported)."""
        if key not in mapping:
            return None
        value = mapping[key]
        if is_whole(value) and value >= minimum and (maximum is None or value <= maximum):
            return value
        if maximum is None:
            message = _(
                "%(key)s must be a whole number of at least %(minimum)s, not %(value)s",
                key=key,
                minimum=minimum,
                value=show(value),
            )
        else:
            message = _(
                "%(key)s must be a whole number from %(minimum)s to %(maximum)s, not %(value)s",
                key=key,
                minimum=minimum,
                maximum=maximum,
                value=show(value),
            )
        self.problem(mapping.value_line(key), message)
        return None

    def choice(self, value: Any, line: int, allowed: Iterable[str], what: str) -> str | None:
        """`value` if it is one of `allowed`, else None with "unknown <what>" reported."""
        allowed = tuple(allowed)
        if isinstance(value, str) and value in allowed:
            return value
        self.problem(
            line,
            _(
                "unknown %(what)s %(value)s (allowed: %(allowed)s)",
                what=what,
                value=show(value),
                allowed=_list(allowed),
            ),
        )
        return None

    def key(self, mapping: Any, pattern: re.Pattern[str] = INNER_KEY) -> str | None:
        """The `key` of a playbook, stage, checklist item or approval, if well formed."""
        if "key" not in mapping:
            return None
        value = mapping["key"]
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        if pattern is PLAYBOOK_KEY:
            message = _(
                "key %(value)s must be 1 to 50 lowercase letters, digits and dashes",
                value=show(value),
            )
        else:
            message = _(
                "key %(value)s must be 1 to 50 lowercase letters, digits, dashes and underscores",
                value=show(value),
            )
        self.problem(mapping.value_line("key"), message)
        return None

    def text(self, mapping: Any, key: str) -> Text | None:
        """The bilingual text under `key` ({en: ..., zh: ...}, `en` required), read-only."""
        if key not in mapping:
            return None
        value = mapping[key]
        if not isinstance(value, dict):
            self.problem(
                mapping.value_line(key),
                _("%(key)s must be a map of language to text, like {en: ..., zh: ...}", key=key),
            )
            return None
        texts = {}
        for lang, words in value.items():
            if lang not in LANGUAGES:
                self.problem(
                    value.key_line(lang),
                    _(
                        "unknown language %(lang)s in %(key)s (allowed: %(allowed)s)",
                        lang=show(lang),
                        key=key,
                        allowed=_list(LANGUAGES),
                    ),
                )
            elif isinstance(words, str) and words.strip():
                texts[lang] = words.strip()
            elif lang != "en":  # a missing or blank `en` is reported once, below
                self.problem(
                    value.value_line(lang),
                    _(
                        "%(key)s.%(lang)s must be text, not %(value)s",
                        key=key,
                        lang=lang,
                        value=show(words),
                    ),
                )
        if "en" not in texts:
            self.problem(mapping.value_line(key), _("missing 'en' in %(key)s", key=key))
            return None
        return Text(texts)


def _list(values: Iterable[Any]) -> str:
    return ", ".join(str(value) for value in values)
