"""How two records are recognised as the same customer or person: one set of normalised keys,
used by the import (which row updates which record) and by duplicate merging (which records are
candidates). Pure functions; nothing here reads the database.

The keys, strongest first: a normalised e-mail, a phone in E.164, a website domain, a company name
without its legal form. Names of people are compared only to *suggest* a match (`similarity`),
never to update a record on their own.
"""

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers

DEFAULT_REGION = "CN"  # a number without +country is read as Chinese (where the customers are)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Legal forms at the end of a company's name, after NFKC and casefolding, longest first: the same
# company is written "华东电力有限公司", "华东电力股份有限公司" or "Huadong Power Co., Ltd.".
LEGAL_FORMS = sorted(
    [
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "公司",
        "co., ltd.",
        "co.,ltd.",
        "co. ltd.",
        "co ltd",
        "co., ltd",
        "co.,ltd",
        "ltd.",
        "ltd",
        "limited",
        "inc.",
        "inc",
        "incorporated",
        "corp.",
        "corp",
        "corporation",
        "llc",
        "gmbh",
        "company",
        "co.",
    ],
    key=len,
    reverse=True,
)
# A city or region in brackets, e.g. "华为技术(北京)有限公司", says where, not who.
BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# How Chinese phone numbers name an extension: "010-65529988 转 12", "分机 12".
EXTENSION = re.compile(r"\s*(?:转|分机)\s*")


def _fold(text: str) -> str:
    """Full-width folded to half-width (NFKC), case folded, outer spaces gone."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def email_key(value: str | None) -> str | None:
    """An e-mail as it is compared: folded; None when it is not an address."""
    if not value:
        return None
    email = _fold(value)
    return email if EMAIL.match(email) else None


@lru_cache(maxsize=65_536)
def phone_key(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (+8613812345678), whatever its spelling ("138 1234 5678",
    "+86-138-1234-5678", "tel:+86…"), with its extension if any ("010 6552 9988 转 12" is
    "+861065529988;ext=12"); None when it is not a possible number."""
    if not value:
        return None
    raw = EXTENSION.sub(" ext. ", _fold(value).removeprefix("tel:"))
    try:
        number = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # People behind one switchboard differ by their extension: it stays part of the key.
    return f"{key};ext={number.extension}" if number.extension else key


def domain_key(value: str | None) -> str | None:
    """The domain of a website ("https://www.Example.com/about" → "example.com") or of an e-mail
    address; None for anything without a dotted host."""
    if not value:
        return None
    text = _fold(value)
    if "@" in text and "/" not in text:
        host = text.rsplit("@", 1)[1]
    else:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.").strip(".")
    return host if "." in host and " " not in host else None


def company_key(name: str | None) -> str | None:
    """A company's name as it is compared: folded, bracketed places and the legal form removed,
    then only letters and digits ("华东电力（上海）有限公司" and "华东电力" agree)."""
    if not name:
        return None
    text = BRACKETED.sub(" ", _fold(name)).strip()
    changed = True
    while changed:  # "… Co., Ltd. (Group)" may carry more than one
        changed = False
        for form in LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)].rstrip(" ,.-"), True
                break
    return NOT_WORD.sub("", text) or None


def person_key(name: str | None) -> str | None:
    """A person's name as it is compared: folded, letters and digits only ("Zhang  Wei" and
    "zhang wei" agree, "张 伟" and "张伟" too)."""
    if not name:
        return None
    return NOT_WORD.sub("", _fold(name)) or None


def similarity(a: str | None, b: str | None) -> float:
    """How alike two keys are, 0 to 1: a *suggestion* that two records may be the same, never
    enough to update one with the other."""
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()
