"""The documentation pages: the Markdown files of docs/ rendered to HTML, in the reader's
language where a translation exists (docs/zh/), with an anchor on every heading so the pages that
show a figure link to its definition (`url_for('help.page', page='figures', _anchor='bus-factor')`).

The files are written by engineers and sales operations, but raw HTML inside them is still not
passed through: the page is built from Markdown alone.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markdown_it.token import Token

DOCS = Path(__file__).resolve().parents[2] / "docs"

# The pages served, in the order of the index: file name (without .md) and title.
PAGES = {
    "figures": _l("What the figures mean"),
    "playbooks": _l("Writing playbooks"),
    "api": _l("The JSON API"),
}

# "## 关键人依赖度 {#bus-factor}": a translated heading keeps the English anchor.
EXPLICIT_ANCHOR = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")
# A link to another page of docs/ ("figures.md#risk") becomes a link to its help page.
DOC_LINK = re.compile(r"^(?:\./)?([a-z]+)\.md(#[a-z0-9-]+)?$")


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    html: str
    anchors: tuple[str, ...]


def slug(text: str) -> str:
    """A heading's anchor as GitHub writes it, so links work there and here alike: lower case,
    punctuation dropped, spaces as hyphens ("Bus factor" → "bus-factor")."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def _anchor_headings(tokens: list[Token]) -> list[str]:
    """Give each heading an id (its explicit {#anchor}, else its slug); repeats get -1, -2."""
    seen: dict[str, int] = {}
    anchors = []
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open" or inline.children is None:
            continue
        last = inline.children[-1] if inline.children else None
        explicit = EXPLICIT_ANCHOR.search(last.content) if last and last.type == "text" else None
        if explicit and last is not None:
            anchor = explicit.group(1)
            last.content = last.content[: explicit.start()]
        else:
            anchor = slug("".join(child.content for child in inline.children))
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        opening.attrSet("id", anchor)
        anchors.append(anchor)
    return anchors


def _rewrite_links(tokens: list[Token], link_to) -> None:
    for token in tokens:
        for child in token.children or ():
            if child.type != "link_open":
                continue
            match = DOC_LINK.match(str(child.attrGet("href") or ""))
            if match and match.group(1) in PAGES:
                child.attrSet("href", link_to(match.group(1)) + (match.group(2) or ""))


def _style_tables(tokens: list[Token]) -> None:
    """Tables look like the app's other tables (Bootstrap's) and scroll sideways on a phone,
    reachable by keyboard to scroll them (tabindex), as code blocks are (_focusable_code)."""
    for token in tokens:
        if token.type == "table_open":
            token.attrSet("class", "table table-sm table-bordered w-auto")
            token.attrSet("tabindex", "0")


def _focusable_code(html: str) -> str:
    """A code block scrolls sideways on a phone: the keyboard reaches it to scroll it. (Raw HTML
    is never passed through, so every <pre> is a code block of the Markdown.)"""
    return html.replace("<pre>", '<pre tabindex="0">')


def _source(key: str, language: str) -> str:
    translated = DOCS / language / f"{key}.md"
    if language != "en" and translated.is_file():
        return translated.read_text(encoding="utf-8")
    return (DOCS / f"{key}.md").read_text(encoding="utf-8")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(key: str, language: str, link_to) -> Page | None:
    """The page `key` in `language` (English when not translated); None for an unknown page.
    `link_to(key)` gives the address of another page, for the links between them."""
    if key not in PAGES:
        return None
    parser = _parser()
    tokens = parser.parse(_source(key, language))
    anchors = _anchor_headings(tokens)
    _rewrite_links(tokens, link_to)
    _style_tables(tokens)
    return Page(
        key,
        str(PAGES[key]),
        _focusable_code(parser.renderer.render(tokens, parser.options, {})),
        tuple(anchors),
    )
