"""A parsed playbook: immutable objects, safe to share between requests and threads.

Texts are read-only mappings language → text (`en` always present); `text()` picks one.
Every object is frozen and hashable, so it may be cached or used as a key.
Gates are the classes of `gates.GATE_TYPES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesflow.playbooks.gates import Gate


class Text(Mapping[str, str]):
    """Texts by language ({en: ..., zh: ...}): read-only and hashable, like everything here."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts = dict(texts or {})

    def __getitem__(self, language: str) -> str:
        return self._texts[language]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(frozenset(self._texts.items()))

    def __repr__(self) -> str:
        return f"Text({self._texts!r})"


NO_TEXT = Text()


def text(texts: Mapping[str, str], locale: Any) -> str:
    """The text in `locale`'s language ("zh", "zh_Hans", a babel Locale), else the `en` text."""
    language = str(locale or "en").replace("-", "_").split("_")[0].lower()
    return texts.get(language) or texts.get("en", "")


@dataclass(frozen=True, kw_only=True)
class ChecklistItem:
    key: str
    text: Text
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class LossReason:
    """Why a deal was lost, as a playbook lists it: the review counts deals by `key`."""

    key: str
    name: Text
    line: int = 0

    @property
    def needs_note(self) -> bool:
        """ "Other" is said in words: a deal lost for it carries a note."""
        return self.key == OTHER


OTHER = "other"
# A playbook that lists no loss reasons still closes deals as lost: for "other", said in words.
DEFAULT_LOSS_REASONS = (LossReason(key=OTHER, name=Text({"en": "Other", "zh": "其他"})),)


@dataclass(frozen=True, kw_only=True)
class Stage:
    key: str
    name: Text
    probability: int  # percent, 0 to 100, never lower than the stage before
    sla_days: int  # days an opportunity may stay here before it is a breach
    guidance: Text = NO_TEXT
    checklist: tuple[ChecklistItem, ...] = ()
    exit: tuple[Gate, ...] = ()  # all must hold to leave this stage forward
    line: int = 0

    def item(self, key: str) -> ChecklistItem:
        """The checklist item `key`; KeyError if this stage has none by that name."""
        for item in self.checklist:
            if item.key == key:
                return item
        raise KeyError(f"stage {self.key!r} has no checklist item {key!r}")


@dataclass(frozen=True, kw_only=True)
class Playbook:
    key: str
    version: int
    name: Text
    description: Text = NO_TEXT
    stages: tuple[Stage, ...]
    loss_reasons: tuple[LossReason, ...] = DEFAULT_LOSS_REASONS  # always has "other"
    content_hash: str  # sha256 of the normalized content (loader.content_hash)
    source: str = ""  # the file it was read from, as shown in messages
    source_text: str = field(default="", repr=False, compare=False)  # stored with each version
    key_line: int = 1
    _by_key: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = MappingProxyType({stage.key: i for i, stage in enumerate(self.stages)})
        object.__setattr__(self, "_by_key", by_key)

    text = staticmethod(text)

    @property
    def first_stage(self) -> Stage:
        """New opportunities start here (PLAYBOOKS.md)."""
        return self.stages[0]

    @property
    def last_stage(self) -> Stage:
        """A deal is closed won only from here (PLAYBOOKS.md, Moves)."""
        return self.stages[-1]

    def stage(self, key: str) -> Stage:
        """The stage `key`; KeyError if this playbook version has none by that name."""
        try:
            return self.stages[self._by_key[key]]
        except KeyError:
            raise KeyError(f"playbook {self.key!r} v{self.version} has no stage {key!r}") from None

    def loss_reason(self, key: str | None) -> LossReason | None:
        """The loss reason `key`, or None when this playbook lists none by that name."""
        return next((reason for reason in self.loss_reasons if reason.key == key), None)

    def match_loss_reason(self, words: str) -> LossReason | None:
        """The loss reason whose key, or name in any language, is `words` (case and surrounding
        spaces ignored); None when none is."""
        wanted = words.strip().casefold()
        for reason in self.loss_reasons:
            if wanted == reason.key or wanted in {n.casefold() for n in reason.name.values()}:
                return reason
        return None

    def next_stage(self, key: str) -> Stage | None:
        """The stage after `key` (an advance goes there and nowhere else), None after the last."""
        index = self._by_key[self.stage(key).key] + 1  # stage() raises for an unknown key
        return self.stages[index] if index < len(self.stages) else None
