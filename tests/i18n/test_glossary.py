"""One Chinese term per concept across the UI (tests/i18n/glossary.py): every message that uses
an English term of the vocabulary says it with the glossary's Chinese term, and no translation
uses a banned variant (two words for one thing make a reader wonder whether they differ)."""

import pytest
from babel.messages.pofile import read_po

from tests.i18n.glossary import GLOSSARY, plain
from tests.i18n.test_catalog import CATALOG


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every translated entry, each plural form with its own msgstr."""
    with open(CATALOG, "rb") as file:
        catalog = read_po(file)
    pairs = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings) if s]
    return pairs


ENTRIES = _entries()


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_every_message_says_the_concept_with_its_one_chinese_term(concept):
    term = GLOSSARY[concept]
    wrong = [
        f"{msgid!r} → {msgstr!r}"
        for msgid, msgstr in ENTRIES
        if term.names(plain(msgid)) and term.chinese not in msgstr
    ]
    assert not wrong, f"say {concept!r} as {term.chinese}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("concept", sorted(c for c in GLOSSARY if GLOSSARY[c].banned))
def test_no_translation_uses_another_word_for_the_concept(concept):
    term = GLOSSARY[concept]
    wrong = [
        f"{msgid!r} → {msgstr!r}"
        for msgid, msgstr in ENTRIES
        if not term.other_sense(msgid) and any(variant in msgstr for variant in term.banned)
    ]
    assert not wrong, f"{concept!r} is {term.chinese}, not {term.banned}:\n" + "\n".join(wrong)


def test_the_glossary_terms_do_not_overlap():
    """No Chinese term is the banned variant of another concept."""
    banned = {v: c for c, t in GLOSSARY.items() for v in t.banned}
    clashes = {c: banned[t.chinese] for c, t in GLOSSARY.items() if t.chinese in banned}
    assert not clashes
