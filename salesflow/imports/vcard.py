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
is small, so vcard_syntax.py reads it on the bytes: lines are unfolded and quoted-printable soft
breaks joined before anything is decoded, and photos are skipped without being kept. This module
says what the properties mean for a contact.

A card that cannot be read faithfully (a line that is not `NAME:value`, no END:VCARD, text that is
not in its character set) is still a row, with whatever could be read and the problem under
ROW_ERROR, so the import shows it as an error row while every other card is read.
"""

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from salesflow.contacts.vcard import CJK
from salesflow.errors import ValidationFailed
from salesflow.imports.vcard_syntax import (
    CARD_EDGE,
    PROPERTY_START,
    Card,
    Property,
    as_utf8,
    cards,
    components,
    one_line,
    unescape,
)
from salesflow.imports.vcard_syntax import text as one_line_text

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
_APPLE_LABELS = {
    "mobile": "mobile",
    "iphone": "iPhone",
    "home": "home",
    "work": "work",
    "main": "main",
    "homefax": "home fax",
    "workfax": "work fax",
    "otherfax": "fax",
    "pager": "pager",
    "other": "other",
}
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
# Labels people give a mobile number themselves.
_MOBILE_WORDS = {"mobile", "cell", "cellphone", "iphone", "手机", "移动电话", "手提", "mobil"}
_MOBILE_TYPES = {"cell", "mobile", "iphone"}


def read_vcards(data: bytes) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The fields found in a vCard file and one row per card, read lazily, each row keyed by
    every column (blank when the card lacks it); an unreadable card's row carries ROW_ERROR.
    Raises ValidationFailed (on `file`) for an empty file or one that is not a vCard."""
    data = as_utf8(data)
    first = next((line for line in io.BytesIO(data) if line.strip()), None)
    if first is None:
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    match = CARD_EDGE.fullmatch(first.strip())
    if not match or match.group(1).upper() != b"BEGIN":
        message = _("This file is not a vCard: a .vcf file starts with BEGIN:VCARD.")
        raise ValidationFailed(fields={"file": [message]})
    columns = _columns(data)
    return columns, (_row(card, columns) for card in cards(data))


def _columns(data: bytes) -> list[str]:
    """The fields some card of the file has a property for (one scan of the line starts)."""
    names = Counter(name.upper() for name in PROPERTY_START.findall(data))
    return [column for column in COLUMNS if any(names[name] for name in _SOURCES[column])]


def _name(by_name: dict[str, list[Property]]) -> str:
    """FN; without it, the name built from N: family name first and no space for Chinese,
    Japanese and Korean names (张 + 伟 = 张伟), given names first otherwise."""
    for prop in by_name.get("FN", []):
        if full := one_line_text(prop.value):
            return full
    for prop in by_name.get("N", []):
        family, given, additional = ([*components(prop.value), "", "", ""])[:3]
        if CJK.search(family + given + additional):
            built = family + given + additional
        else:
            built = " ".join(part for part in (given, additional, family) if part)
        if built:
            return built
    return ""


def _label(prop: Property, apple_labels: dict[str, str]) -> str:
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


def _is_mobile(prop: Property, label: str) -> bool:
    return (
        bool(prop.types & _MOBILE_TYPES) or label == "mobile" or label.casefold() in _MOBILE_WORDS
    )


def _phone_text(value: str) -> str:
    """A number as written; a 4.0 `tel:` URI as its number (an extension kept as "ext.")."""
    text = one_line_text(value)
    if text[:4].lower() == "tel:":
        number, *params = text[4:].split(";")
        extension = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
        text = f"{number} ext. {extension}" if extension else number
    return text


def _pick(
    props: list[Property], labels: dict[str, str], read: Any, *, mobile_first: bool
) -> tuple[str, list[tuple[str, str]]]:
    """The value for the field (a mobile first for phones, then one marked preferred, then the
    first) and the others with their labels, for the notes."""
    found = []
    for index, prop in enumerate(props):
        value = read(prop.value)
        if value:
            label = _label(prop, labels)
            mobile = mobile_first and _is_mobile(prop, label)
            found.append((not mobile, "pref" not in prop.types, index, label, value))
    if not found:
        return "", []
    found.sort()
    return found[0][4], [(_shown(label), value) for *_rank, label, value in found[1:]]


def _address(prop: Property) -> str:
    box, extended, street, city, region, code, country = [*components(prop.value), *[""] * 7][:7]
    if CJK.search(prop.value):  # 中国 广东 广州 天河路88号
        parts = (country, region, city, street, extended, box, code)
        return " ".join(p for p in parts if p)
    return ", ".join(p for p in (box, extended, street, city, region, code, country) if p)


def _birthday(value: str) -> str:
    day = one_line(value).split("T", 1)[0]
    if re.fullmatch(r"\d{8}", day):
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    return day


def _notes(
    by_name: dict[str, list[Property]],
    phones: list[tuple[str, str]],
    emails: list[tuple[str, str]],
    labels: dict[str, str],
) -> str:
    """NOTE, then what has no field of its own, one "what (label): value" line each."""
    lines = [unescape(p.value).strip() for p in by_name.get("NOTE", [])]

    def add(what: Any, label: str, value: str) -> None:
        lines.append(f"{what} ({label}): {value}" if label else f"{what}: {value}")

    for label, value in phones:
        add(_l("Phone"), label, value)
    for label, value in emails:
        add(_l("E-mail"), label, value)
    for prop in by_name.get("ADR", []):
        if address := _address(prop):
            add(_l("Address"), _shown(_label(prop, labels)), address)
    for what, name, read in (
        (_l("Birthday"), "BDAY", _birthday),
        (_l("Nickname"), "NICKNAME", one_line_text),
        (_l("Website"), "URL", one_line_text),
    ):
        for prop in by_name.get(name, []):
            if value := read(prop.value):
                add(what, "", value)
    return "\n".join(line for line in lines if line)


def _fields(card: Card) -> dict[str, str]:
    by_name: dict[str, list[Property]] = {}
    for prop in card.properties:
        by_name.setdefault(prop.name, []).append(prop)
    labels = {p.group: one_line_text(p.value) for p in by_name.get("X-ABLABEL", []) if p.group}
    org = components(by_name["ORG"][0].value) if by_name.get("ORG") else [""]
    title = next(
        (
            t
            for p in by_name.get("TITLE", []) + by_name.get("ROLE", [])
            if (t := one_line_text(p.value))
        ),
        "",
    )
    phone, other_phones = _pick(by_name.get("TEL", []), labels, _phone_text, mobile_first=True)
    email, other_emails = _pick(
        by_name.get("EMAIL", []),
        labels,
        lambda v: one_line_text(v).removeprefix("mailto:"),
        mobile_first=False,
    )
    return {
        "name": _name(by_name),
        "title": title,
        "department": " / ".join(part for part in org[1:] if part),
        "account": org[0],
        "email": email,
        "phone": phone,
        "notes": _notes(by_name, other_phones, other_emails, labels),
    }


def _row(card: Card, columns: list[str]) -> dict[str, str]:
    fields = _fields(card)
    row = {column: unicodedata.normalize("NFC", fields[column]) for column in columns}
    if card.problem:
        row[ROW_ERROR] = card.problem
    return row
