"""What a screen reader or a tooltip says is translated too: no template writes a literal word in
an attribute people hear or see (aria-label, title, placeholder, alt)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).parents[2] / "salesflow" / "templates"
ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"]*)"')


def _literal_words(value: str) -> str:
    """The attribute's value without its Jinja parts: what no catalog translates."""
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", value)


def test_no_template_attribute_says_an_untranslated_word():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {name}={value!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for name, value in ATTRIBUTE.findall(line)
        if re.search(r"[A-Za-z]{2,}", _literal_words(value))
        and not re.fullmatch(r"[\w.-]+\.[a-z]{2,}", value)  # an example address, not a word
    ]
    assert found == []
