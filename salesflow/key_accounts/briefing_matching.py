"""Shared background for the visit briefing: does one of our people come from the same place, or
go to the same school, as a customer attendee (issue 17: the host chosen from the main leader's
hometown)?

Place names are compared by their parts with the administrative words taken off, so 湖南省长沙市,
湖南长沙 and 长沙 all name Changsha, and "Changsha City, Hunan Province" names it too; a place
matches a part of the other's (湖南 and 湖南长沙: the same province). Latin text is compared by
words, case and spaces aside. Schools are compared whole, one by one when several are listed.
Pure functions: the briefing reads the people once and matches here."""

import re
import unicodedata
from functools import lru_cache

# Longest first: 广西壮族自治区 loses 壮族自治区, not just 区.
_CJK_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
    "镇",
    "乡",
)
_CJK_PART = re.compile("(.+?)(" + "|".join(_CJK_SUFFIXES) + ")")
_LATIN_WORDS = {"province", "city", "county", "district", "prefecture", "region", "sar", "town"}
_SEPARATORS = re.compile(r"[\s,，、;；/|·.()（）\-]+")
_SCHOOL_SEPARATORS = re.compile(r"[,，、;；/|\n]+")


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _cjk_parts(chunk: str) -> list[str]:
    parts, end = [], 0
    for found in _CJK_PART.finditer(chunk):
        parts.append(found.group(1))
        end = found.end()
    if end < len(chunk):
        parts.append(chunk[end:])
    return parts


@lru_cache(maxsize=4096)  # our people's are read again for each attendee
def place_parts(value: str | None) -> tuple[str, ...]:
    """A place name as its parts, broadest first as written, without 省/市/Province/City."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(_fold(value or "")):
        if not chunk or chunk in _LATIN_WORDS:
            continue
        parts.extend(_cjk_parts(chunk) if _is_cjk(chunk[0]) else [chunk])
    return tuple(p for p in parts if p)


def _contains(longer: str, shorter: str) -> bool:
    return len(shorter) >= 2 and (longer.startswith(shorter) or longer.endswith(shorter))


def same_place(a: str | None, b: str | None) -> bool:
    """Whether two hometowns name the same place, one possibly more precisely than the other."""
    left, right = place_parts(a), place_parts(b)
    if not left or not right:
        return False
    if set(left) <= set(right) or set(right) <= set(left):
        return True
    # 湖南长沙 written without 省/市 is one part: compare the letters joined.
    joined_left, joined_right = "".join(left), "".join(right)
    if not (_is_cjk(joined_left[0]) and _is_cjk(joined_right[0])):
        return False
    longer, shorter = sorted((joined_left, joined_right), key=len, reverse=True)
    return _contains(longer, shorter)


@lru_cache(maxsize=4096)
def schools(value: str | None) -> frozenset[str]:
    """The schools listed in an education field, each folded (case, width and spaces)."""
    found = set()
    for chunk in _SCHOOL_SEPARATORS.split(_fold(value or "")):
        name = " ".join(chunk.split())
        if name:
            found.add(name)
    return frozenset(found)


def shared_school(a: str | None, b: str | None) -> str | None:
    """A school both education fields list, as the first field writes it; None when none."""
    common = schools(a) & schools(b)
    if not common:
        return None
    for chunk in _SCHOOL_SEPARATORS.split(a or ""):
        if " ".join(_fold(chunk).split()) in common:
            return chunk.strip()
    return None  # pragma: no cover - common is never empty here
