"""The syntax of vCard files (RFC 2426, RFC 6350 and the older vCard 2.1 that phones still
write), on bytes: cards of properties with their group, name, types and decoded text. What the
properties mean for a contact is imports/vcard.py's business.

Folded lines are unfolded and quoted-printable soft breaks (`=` at a line's end) joined before
anything is decoded, so a fold or a soft break inside a multi-byte character is mended; values are
then read in their CHARSET (GB2312 and GBK as GB18030, which holds both and what phones really
write under either name; without one, UTF-8, else GB18030). Photos, logos, sounds and keys are
skipped, indented or not (2.1 ends base64 with a blank line), never decoded or kept.
"""

import binascii
import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _

# A property's first line: optional group, its name, then parameters or the value.
PROPERTY_START = re.compile(rb"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]", re.MULTILINE)
_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")
# Binary values (photos, logos, sounds, keys) are skipped, never decoded or kept.
_BINARY = re.compile(
    rb"^(?:[A-Za-z0-9-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]|^[^:]*;(?:ENCODING=)?(?:B|BASE64)[;:]",
    re.IGNORECASE,
)
CARD_EDGE = re.compile(rb"\s*(BEGIN|END)\s*:\s*VCARD\s*", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "euccn", "x-gbk", "hz-gb-2312"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BLANK_RUN = re.compile(r"\s+")


@dataclass(slots=True)
class Property:
    group: str | None
    name: str
    types: set[str]  # TYPE values and 2.1's bare parameters, lower case ("cell", "pref")
    value: str  # decoded text, backslash escapes still in place


@dataclass
class Card:
    first_line: int
    properties: list[Property] = field(default_factory=list)
    problem: str | None = None

    def refuse(self, message: str) -> None:
        self.problem = self.problem or message


def as_utf8(data: bytes) -> bytes:
    """Without a byte-order mark; a UTF-16 file (some Windows address books) as UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data.removeprefix(codecs.BOM_UTF8)


# Lines and cards ------------------------------------------------------------------------------


def _is_quoted_printable(line: bytes) -> bool:
    return b"QUOTED-PRINTABLE" in line.split(b":", 1)[0].upper()


def _logical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(the number of its first line, the logical line): folded lines unfolded and
    quoted-printable soft breaks (`=` at the end) joined, both on bytes, so a fold inside a
    multi-byte character is mended; binary values skipped, indented or not (2.1)."""
    parts: list[bytes] = []
    start, soft, quoted, skipping = 0, False, False, False
    for number, raw in enumerate(io.BytesIO(data), 1):
        line = raw.rstrip(b"\r\n")
        if soft and not CARD_EDGE.fullmatch(line):
            parts[-1] = parts[-1][:-1]
            parts.append(line)
            soft = line.endswith(b"=")
            continue
        if skipping and line and b":" not in line and b";" not in line:
            continue  # base64 data
        skipping = False
        if line[:1] in (b" ", b"\t") and parts:
            parts.append(line[1:])
            soft = quoted and line.endswith(b"=")
            continue
        if parts:
            yield start, b"".join(parts)
        parts, soft = [], False
        if not line.strip():
            continue
        if _BINARY.match(line):
            skipping = True
            continue
        parts, start = [line], number
        quoted = _is_quoted_printable(line)
        soft = quoted and line.endswith(b"=")
    if parts:
        yield start, b"".join(parts)


def cards(data: bytes) -> Iterator[Card]:
    """Each BEGIN:VCARD … END:VCARD; a card cut short by the next BEGIN or the file's end is
    returned with its problem. Lines between cards are ignored."""
    card: Card | None = None
    for number, line in _logical_lines(data):
        edge = CARD_EDGE.fullmatch(line)
        kind = edge.group(1).upper() if edge else None
        if kind == b"BEGIN":
            if card is not None:
                card.refuse(_no_end(card))
                yield card
            card = Card(first_line=number)
        elif kind == b"END":
            if card is not None:
                yield card
            card = None
        elif card is not None:
            _add_property(card, number, line)
    if card is not None:
        card.refuse(_no_end(card))
        yield card


def _no_end(card: Card) -> str:
    return _("This card has no END:VCARD (it starts on line %(line)d).", line=card.first_line)


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    if '"' not in text:
        return text.split(separator)
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _head_and_value(line: bytes) -> tuple[bytes, bytes] | None:
    """The name with its parameters, and the value: split at the first colon outside quotes."""
    colon = line.find(b":")
    if colon < 0:
        return None
    if b'"' in line[:colon]:
        quoted = False
        for index, byte in enumerate(line):
            if byte == 0x22:
                quoted = not quoted
            elif byte == 0x3A and not quoted:
                colon = index
                break
        else:
            return None
    return line[:colon], line[colon + 1 :]


def _add_property(card: Card, number: int, line: bytes) -> None:
    split = _head_and_value(line)
    head = split and _split_outside_quotes(split[0].decode("utf-8", "replace"), ";")
    named = head and _NAME.fullmatch(head[0].strip())
    if not split or not head or not named:
        card.refuse(_("Line %(line)d of the file is not a vCard line (NAME:value).", line=number))
        return
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for param in head[1:]:
        key, _sep, values = param.partition("=")
        if not _sep:  # vCard 2.1: TEL;CELL;PREF
            key, values = "TYPE", key
        items = [v.strip().strip('"').strip() for v in values.split(",")]
        params.setdefault(key.strip().upper(), []).extend(items)
        if key.strip().upper() == "TYPE":
            types.update(item.lower() for item in items if item)
    if params.get("PREF"):
        types.add("pref")
    value = _decode(split[1], params, number, card)
    if value is not None:
        group, name = named.group(1), named.group(2).upper()
        card.properties.append(Property(group and group.lower(), name, types, value))


def _decode(raw: bytes, params: dict[str, list[str]], number: int, card: Card) -> str | None:
    """The value's text: quoted-printable undone, then read in its character set (GB2312 and
    GBK as GB18030, which holds both; without a charset UTF-8, else GB18030)."""
    encodings = {e.upper() for e in params.get("ENCODING", []) + params.get("TYPE", [])}
    if "QUOTED-PRINTABLE" in encodings:
        raw = binascii.a2b_qp(raw)
    named = (params.get("CHARSET") or [""])[0]
    charset = "gb18030" if named.lower() in _GB else named
    try:
        codecs.lookup(charset or "utf-8")
    except LookupError:
        card.refuse(
            _(
                "Line %(line)d names a character set that is not known: %(charset)s.",
                line=number,
                charset=named,
            )
        )
        return None
    for candidate in [charset] if charset else ["utf-8", "gb18030"]:
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    card.refuse(
        _(
            "Line %(line)d cannot be read in the character set %(charset)s.",
            line=number,
            charset=named or "UTF-8",
        )
    )
    return None


# Values ---------------------------------------------------------------------------------------


def unescape(value: str) -> str:
    r"""RFC 6350 text: \n is a line break, \, \; \\ (and \:) the character; other backslashes
    stay as they are (vCard 2.1 knows only \;)."""

    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        if char in "nN":
            return "\n"
        return char if char in "\\,;:" else match.group(0)

    return _ESCAPE.sub(one, value).replace("\r\n", "\n").replace("\r", "\n")


def components(value: str) -> list[str]:
    """A structured value (N, ORG, ADR) split at its unescaped semicolons, each unescaped."""
    parts, current, index = [], [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index : index + 2])
            index += 2
            continue
        if char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return [one_line(unescape(part)) for part in parts]


def one_line(text: str) -> str:
    return _BLANK_RUN.sub(" ", text).strip()


def text(value: str) -> str:
    """A one-line text value: unescaped, line breaks and runs of blanks as one space."""
    return one_line(unescape(value))
