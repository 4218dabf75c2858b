"""Bilingual from the first template: every marked string has a Chinese translation, and the
browser's language picks the catalog."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "salesflow/translations/zh_Hans/LC_MESSAGES/messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _extracted() -> set[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def test_every_marked_string_has_a_chinese_translation():
    with open(CATALOG, "rb") as file:
        catalog = read_po(file)
    missing = []
    for msgid in sorted(_extracted()):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} strings lack a Chinese translation (run `make messages`, then translate "
        "them in messages.po):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize(
    "accept, lang",
    [
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-TW", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR", "en"),
        ("", "en"),
    ],
)
def test_browser_language_picks_the_ui_language(client, accept, lang):
    page = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
