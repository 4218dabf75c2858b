"""Contacts from phones: a vCard file read into rows of the contact import's fields (API.md, "Data
in and out"), one row per card, for the same mapping, dry run, matching and undo as CSV rows.

The flavours phones write: Android and Huawei vCard 2.1 (quoted-printable values with soft line
breaks, `CHARSET=UTF-8`, `GB2312` or `GBK`, base64 photos ended by a blank line), Apple vCard 3.0
(`itemN.TEL` with its label in `itemN.X-ABLabel`, e.g. `_$!<Mobile>!$_` or 公司) and vCard 4.0
(`TEL;VALUE=uri:tel:+86…`, quoted `TYPE="cell,voice"`, `PREF=1`), folded lines (RFC 6350 §3.2,
even inside a multi-byte character) and several cards in one file.

Why not vobject here (it writes our export, contacts/vcard.py): its text values keep only what comes
before the first unescaped comma (a 2.1 NOTE "喜欢钓鱼, 不喝酒" becomes "喜欢钓鱼"), it splits
ORG "Acme Co., Ltd." into a list, refuses the non-ASCII parameters Android writes, decodes a GB2312
label strictly (phones write GBK under it) and base64-decodes every photo into memory. The grammar
is small, so this reader works on the bytes: lines are unfolded and quoted-printable soft breaks
joined before anything is decoded, and photos are skipped without being kept.

A card that cannot be read faithfully (a line that is not `NAME:value`, no END:VCARD, text that is
not in its character set) is still a row, with whatever could be read and the problem under
ROW_ERROR, so the import shows it as an error row while every other card is read.
"""

import binascii
import codecs
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow.contacts.vcard import CJK
from salesflow.errors import ValidationFailed

# The contact import fields a card fills, in the order a mapping screen shows them.
COLUMNS = ("name", "title", "department", "account", "email", "phone", "notes")
# The key of an error row's message (never a column: no field of the import is called so).
ROW_ERROR = "_error"

# Where each field comes from; `notes` also collects the second phone, e-mail and the rest.
_SOURCES = {
    "name": {b"FN", b"N"},
    "title": {b"TITLE", b"ROLE"},
    "department": {b"ORG"},
    "account": {b"ORG"},
    "email": {b"EMAIL"},
    "phone": {b"TEL"},
    "notes": {b"NOTE", b"ADR", b"BDAY", b"URL", b"NICKNAME", b"TEL", b"EMAIL"},
}
# A property's first line: optional group, its name, then parameters or the value.
_PROPERTY_START = re.compile(rb"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]", re.MULTILINE)
_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")
# Binary values (photos, logos, sounds, keys) are skipped, never decoded or kept.
_BINARY = re.compile(
    rb"^(?:[A-Za-z0-9-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]|^[^:]*;(?:ENCODING=)?(?:B|BASE64)[;:]",
    re.IGNORECASE,
)
_CARD_EDGE = re.compile(rb"\s*(BEGIN|END)\s*:\s*VCARD\s*", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "euccn", "x-gbk", "hz-gb-2312"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BLANK_RUN = re.compile(r"\s+")

# Labels of phones and e-mails that go to the notes, in the importer's language.
_LABELS = {
    "mobile": _l("Mobile"),
    "work": _l("Work"),
    "home": _l("Home"),
    "main": _l("Main"),
    "fax": _l("Fax"),
    "work fax": _l("Work fax"),
    "home fax": _l("Home fax"),
    "pager": _l("Pager"),
    "other": _l("Other"),
}
# Apple's built-in labels (`_$!<HomeFAX>!$_`), folded to the keys above.
_APPLE_LABELS = {"mobile": "mobile", "iphone": "iPhone", "home": "home", "work": "work",
                 "main": "main", "homefax": "home fax", "workfax": "work fax",
                 "otherfax": "fax", "pager": "pager", "other": "other"}  # fmt: skip
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
# Labels people give a mobile number themselves.
_MOBILE_WORDS = {"mobile", "cell", "cellphone", "iphone", "手机", "移动电话", "手提", "mobil"}
_MOBILE_TYPES = {"cell", "mobile", "iphone"}


@dataclass(slots=True)
class _Property:
    group: str | None
    name: str
    types: set[str]  # TYPE values and 2.1's bare parameters, lower case ("cell", "pref")
    value: str  # decoded text, backslash escapes still in place


@dataclass
class _Card:
    first_line: int
    properties: list[_Property] = field(default_factory=list)
    problem: str | None = None

    def refuse(self, message: str) -> None:
        self.problem = self.problem or message


def read_vcards(data: bytes) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The fields found in a vCard file and one row per card, read lazily, each row keyed by
    every column (blank when the card lacks it); an unreadable card's row carries ROW_ERROR.
    Raises ValidationFailed (on `file`) for an empty file or one that is not a vCard."""
    data = _as_utf8(data)
    first = next((line for line in io.BytesIO(data) if line.strip()), None)
    if first is None:
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    match = _CARD_EDGE.fullmatch(first.strip())
    if not match or match.group(1).upper() != b"BEGIN":
        message = _("This file is not a vCard: a .vcf file starts with BEGIN:VCARD.")
        raise ValidationFailed(fields={"file": [message]})
    columns = _columns(data)
    return columns, (_row(card, columns) for card in _cards(data))


def _as_utf8(data: bytes) -> bytes:
    """Without a byte-order mark; a UTF-16 file (some Windows address books) as UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data.removeprefix(codecs.BOM_UTF8)


def _columns(data: bytes) -> list[str]:
    """The fields some card of the file has a property for (one scan of the line starts)."""
    names = Counter(name.upper() for name in _PROPERTY_START.findall(data))
    return [column for column in COLUMNS if any(names[name] for name in _SOURCES[column])]


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
        if soft and not _CARD_EDGE.fullmatch(line):
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


def _cards(data: bytes) -> Iterator[_Card]:
    """Each BEGIN:VCARD … END:VCARD; a card cut short by the next BEGIN or the file's end is
    returned with its problem. Lines between cards are ignored."""
    card: _Card | None = None
    for number, line in _logical_lines(data):
        edge = _CARD_EDGE.fullmatch(line)
        kind = edge.group(1).upper() if edge else None
        if kind == b"BEGIN":
            if card is not None:
                card.refuse(_no_end(card))
                yield card
            card = _Card(first_line=number)
        elif kind == b"END":
            if card is not None:
                yield card
            card = None
        elif card is not None:
            _add_property(card, number, line)
    if card is not None:
        card.refuse(_no_end(card))
        yield card


def _no_end(card: _Card) -> str:
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


def _add_property(card: _Card, number: int, line: bytes) -> None:
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
        card.properties.append(_Property(group and group.lower(), name, types, value))


def _decode(raw: bytes, params: dict[str, list[str]], number: int, card: _Card) -> str | None:
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
        card.refuse(_("Line %(line)d names a character set that is not known: %(charset)s.",
                      line=number, charset=named))  # fmt: skip
        return None
    for candidate in [charset] if charset else ["utf-8", "gb18030"]:
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    card.refuse(_("Line %(line)d cannot be read in the character set %(charset)s.",
                  line=number, charset=named or "UTF-8"))  # fmt: skip
    return None


# Values ---------------------------------------------------------------------------------------


def _unescape(value: str) -> str:
    r"""RFC 6350 text: \n is a line break, \, \; \\ (and \:) the character; other backslashes
    stay as they are (vCard 2.1 knows only \;)."""

    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        if char in "nN":
            return "\n"
        return char if char in "\\,;:" else match.group(0)

    return _ESCAPE.sub(one, value).replace("\r\n", "\n").replace("\r", "\n")


def _components(value: str) -> list[str]:
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
    return [_one_line(_unescape(part)) for part in parts]


def _one_line(text: str) -> str:
    return _BLANK_RUN.sub(" ", text).strip()


def _text(value: str) -> str:
    """A one-line text value: unescaped, line breaks and runs of blanks as one space."""
    return _one_line(_unescape(value))


def _name(by_name: dict[str, list[_Property]]) -> str:
    """FN; without it, the name built from N: family name first and no space for Chinese,
    Japanese and Korean names (张 + 伟 = 张伟), given names first otherwise."""
    for prop in by_name.get("FN", []):
        if full := _text(prop.value):
            return full
    for prop in by_name.get("N", []):
        family, given, additional = ([*_components(prop.value), "", "", ""])[:3]
        if CJK.search(family + given + additional):
            built = family + given + additional
        else:
            built = " ".join(part for part in (given, additional, family) if part)
        if built:
            return built
    return ""


def _label(prop: _Property, apple_labels: dict[str, str]) -> str:
    """A phone's, e-mail's or address's label as a key of _LABELS, or the words someone gave it:
    Apple's itemN.X-ABLabel first, else its TYPE (2.1's bare parameters included)."""
    text = apple_labels.get(prop.group or "")
    if text:
        apple = _APPLE_LABEL.fullmatch(text)
        return _APPLE_LABELS.get(apple.group(1).lower(), apple.group(1)) if apple else text
    types = prop.types
    if types & _MOBILE_TYPES:
        return "mobile"
    if "fax" in types:
        return "work fax" if "work" in types else "home fax" if "home" in types else "fax"
    for key in ("pager", "work", "home", "main", "other"):
        if key in types:
            return key
    return next((t[2:] for t in sorted(types) if t.startswith("x-") and len(t) > 2), "")


def _shown(label: str) -> str:
    """A label in the importer's language (the words someone gave it as they are)."""
    return str(_LABELS[label]) if label in _LABELS else label


def _is_mobile(prop: _Property, label: str) -> bool:
    return (
        bool(prop.types & _MOBILE_TYPES) or label == "mobile" or label.casefold() in _MOBILE_WORDS
    )


def _phone_text(value: str) -> str:
    """A number as written; a 4.0 `tel:` URI as its number (an extension kept as "ext.")."""
    text = _text(value)
    if text[:4].lower() == "tel:":
        number, *params = text[4:].split(";")
        extension = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
        text = f"{number} ext. {extension}" if extension else number
    return text


def _pick(
    props: list[_Property], labels: dict[str, str], text, *, mobile_first: bool
) -> tuple[str, list[tuple[str, str]]]:
    """The value for the field (a mobile first for phones, then one marked preferred, then the
    first) and the others with their labels, for the notes."""
    found = []
    for index, prop in enumerate(props):
        value = text(prop.value)
        if value:
            label = _label(prop, labels)
            mobile = mobile_first and _is_mobile(prop, label)
            found.append((not mobile, "pref" not in prop.types, index, label, value))
    if not found:
        return "", []
    found.sort()
    return found[0][4], [(_shown(label), value) for *_rank, label, value in found[1:]]


def _address(prop: _Property) -> str:
    box, extended, street, city, region, code, country = [*_components(prop.value), *[""] * 7][:7]
    if CJK.search(prop.value):  # 中国 广东 广州 天河路88号
        parts = (country, region, city, street, extended, box, code)
        return " ".join(p for p in parts if p)
    return ", ".join(p for p in (box, extended, street, city, region, code, country) if p)


def _birthday(value: str) -> str:
    day = _one_line(value).split("T", 1)[0]
    if re.fullmatch(r"\d{8}", day):
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    return day


def _notes(
    by_name: dict[str, list[_Property]], phones: list[tuple[str, str]],
    emails: list[tuple[str, str]], labels: dict[str, str],
) -> str:  # fmt: skip
    """NOTE, then what has no field of its own, one "what (label): value" line each."""
    lines = [_unescape(p.value).strip() for p in by_name.get("NOTE", [])]

    def add(what: Any, label: str, value: str) -> None:
        lines.append(f"{what} ({label}): {value}" if label else f"{what}: {value}")

    for label, value in phones:
        add(_l("Phone"), label, value)
    for label, value in emails:
        add(_l("E-mail"), label, value)
    for prop in by_name.get("ADR", []):
        if address := _address(prop):
            add(_l("Address"), _shown(_label(prop, labels)), address)
    for what, name, text in ((_l("Birthday"), "BDAY", _birthday),
                             (_l("Nickname"), "NICKNAME", _text),
                             (_l("Website"), "URL", _text)):  # fmt: skip
        for prop in by_name.get(name, []):
            if value := text(prop.value):
                add(what, "", value)
    return "\n".join(line for line in lines if line)


def _fields(card: _Card) -> dict[str, str]:
    by_name: dict[str, list[_Property]] = {}
    for prop in card.properties:
        by_name.setdefault(prop.name, []).append(prop)
    labels = {p.group: _text(p.value) for p in by_name.get("X-ABLABEL", [])
              if p.group}  # fmt: skip
    org = _components(by_name["ORG"][0].value) if by_name.get("ORG") else [""]
    title = next((t for p in by_name.get("TITLE", []) + by_name.get("ROLE", [])
                  if (t := _text(p.value))), "")  # fmt: skip
    phone, other_phones = _pick(by_name.get("TEL", []), labels, _phone_text, mobile_first=True)
    email, other_emails = _pick(
        by_name.get("EMAIL", []), labels,
        lambda v: _text(v).removeprefix("mailto:"), mobile_first=False,
    )  # fmt: skip
    return {
        "name": _name(by_name),
        "title": title,
        "department": " / ".join(part for part in org[1:] if part),
        "account": org[0],
        "email": email,
        "phone": phone,
        "notes": _notes(by_name, other_phones, other_emails, labels),
    }


def _row(card: _Card, columns: list[str]) -> dict[str, str]:
    fields = _fields(card)
    row = {column: unicodedata.normalize("NFC", fields[column]) for column in columns}
    if card.problem:
        row[ROW_ERROR] = card.problem
    return row
