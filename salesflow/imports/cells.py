"""Cells as people type them in spreadsheets, turned into what the services take.

Only the *spelling* is handled here: "2026/3/5", "2026年3月5日" and an Excel date become the
"YYYY-MM-DD" that validation.parse_day checks (the one date parser); "¥1,200", "12万" become the
amount text that validation.money checks; a label in English or Chinese ("决策者", "Decision
maker") becomes the vocabulary value the services check. Each function raises ValueError with
the message to show.
"""

import re
import unicodedata
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from salesflow import validation
from salesflow.labels import label

_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_LIST = re.compile(r"[;；,，、/\n]+")
_MONEY_NOISE = re.compile(r"[\s,，¥￥$€£]|^(?:CNY|RMB|USD|EUR)|(?:元|CNY|RMB|USD|EUR)$", re.I)
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "k": Decimal(1000)}
# Words people use for the vocabulary beyond its labels in the two languages.
EXTRA_WORDS: dict[str, dict[str, str]] = {
    "decision_role": {
        "决策人": "decision_maker",
        "拍板人": "decision_maker",
        "kp": "decision_maker",
        "技术评估": "technical_evaluator",
        "技术把关": "technical_evaluator",
        "使用者": "user",
        "用户": "user",
        "教练": "coach",
        "内线": "coach",
        "守门人": "gatekeeper",
        "采购人": "procurement",
        "未知": "unknown",
    },
    "influence": {"高": "high", "中": "medium", "低": "low"},
    "attitude": {
        "拥护者": "champion",
        "铁杆": "champion",
        "支持": "supporter",
        "中立": "neutral",
        "怀疑": "skeptic",
        "反对": "opponent",
        "未知": "unknown",
    },
    "level": {
        "决策层": "executive",
        "管理层": "management",
        "基层": "operational",
        "高管": "executive",
    },
    "kind": {
        "电话": "call",
        "会议": "meeting",
        "宴请": "meal",
        "吃饭": "meal",
        "接待": "meal",
        "高层拜访": "exec_visit",
        "参观": "site_visit",
        "考察": "site_visit",
        "邮件": "email",
        "活动": "event",
        "其他": "other",
        "拜访": "visit",
    },
    "tier": {
        "a": "A",
        "b": "B",
        "c": "C",
        "a类": "A",
        "b类": "B",
        "c类": "C",
        "重点": "A",
        "重点客户": "A",
        "key": "A",
    },
}


def _fold(text: str) -> str:
    return re.sub(r"[\s_·\-/]+", "", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=32)
def _words(name: str, enum_cls: type[StrEnum]) -> dict[str, str]:
    """Folded spelling → value: the value itself, its label in English and in Chinese (and the
    label's part before "·" or "(": "A · key account" also answers to "A")."""
    words: dict[str, str] = {}
    for member in enum_cls:
        words[_fold(member.value)] = member.value
        for locale in ("en", "zh_Hans"):
            with force_locale(locale):
                shown = str(label(member.value))
            words.setdefault(_fold(shown), member.value)
            for part in re.split(r"[·(（]", shown):
                words.setdefault(_fold(part), member.value)
    for word, value in EXTRA_WORDS.get(name, {}).items():
        words.setdefault(_fold(word), value)
    return words


def vocabulary(name: str, enum_cls: type[StrEnum], raw: str) -> str:
    """The vocabulary value a cell names (value or label, either language)."""
    value = _words(name, enum_cls).get(_fold(raw))
    if value is None:
        allowed = ", ".join(str(label(m.value)) for m in enum_cls)
        raise ValueError(str(_l("Not one of the allowed values (%(allowed)s).", allowed=allowed)))
    return value


def day_text(raw: str) -> str:
    """A date as "YYYY-MM-DD" from the spellings spreadsheets use: 2026-03-05, 2026/3/5,
    2026.3.5, 2026年3月5日, 20260305 (an Excel date arrives as 2026-03-05)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.split(" ")[0] if re.match(r"^\d{4}\D\d{1,2}\D\d{1,2}\s+\d", text) else text
    match = _DAY.match(text) or _COMPACT_DAY.match(text)
    if not match:
        return text  # parse_day says what is wrong with it
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def day(raw: str):
    """A date cell checked by the one date parser; blank is None."""
    return validation.parse_day(day_text(raw)) if raw else None


def moment(raw: str, zone: ZoneInfo) -> datetime | None:
    """A date or date-and-time cell, in the company's time zone when it names none: "2026-03-05",
    "2026/3/5 14:30", "2026-03-05T14:30:00+08:00". A date alone is that day's start."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    if "T" in text or "+" in text[10:] or text.endswith("Z"):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(str(_l("Enter the date and time as YYYY-MM-DD HH:MM."))) from None
        return value if value.tzinfo else value.replace(tzinfo=zone)
    date_part, _space, time_part = text.partition(" ")
    on = day(date_part)
    at = time()
    if time_part.strip():
        match = _TIME.match(time_part.strip())
        if not match:
            raise ValueError(str(_l("Enter the date and time as YYYY-MM-DD HH:MM.")))
        hour, minute, second = (int(g or 0) for g in match.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(str(_l("Enter the date and time as YYYY-MM-DD HH:MM.")))
        at = time(hour, minute, second)
    assert on is not None
    return datetime.combine(on, at, zone)


def amount_text(raw: str) -> str:
    """An amount as validation.money reads it: "¥1,200.50" → "1200.50", "12万" → "120000"; a
    text that is no amount is returned as it is, for money() to refuse in words."""
    text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", raw).strip())
    text = _MONEY_NOISE.sub("", text)
    factor = _MULTIPLIERS.get(text[-1:].lower()) if text else None
    if factor is None:
        return text
    try:
        return str(Decimal(text[:-1]) * factor)
    except InvalidOperation:
        return raw


def items(raw: str) -> list[str]:
    """A list in one cell: "张伟; 李娜", "a@x.com, b@y.com", "张伟、李娜" (blanks dropped)."""
    return [part.strip() for part in _LIST.split(raw or "") if part.strip()]
