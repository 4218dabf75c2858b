"""A contact as a vCard 3.0 file that a phone's address book imports (iPhone, Android, Huawei),
written with vobject: UTF-8, text escaped (RFC 2426), long lines folded without splitting a
character (at 75 characters: a short Chinese line may pass RFC 6350's recommended 75 octets, which
phones read all the same). Read back by imports.vcard, it gives the same fields.

What goes on the phone: name, account and department, title, e-mail, phone and the do / don't
notes — what a rep needs to call someone and to remember the practical "don't call before 10".
The reception profile (background, education, hometown, interests, preferences) and the decision
role and attitude stay in salesflow: a phone's address book is synced to personal clouds, read by
chat apps and seen by whoever holds the phone, and keeping that knowledge in the company is the
point of salesflow (PRODUCT.md).
"""

import re
import unicodedata
from urllib.parse import quote

import vobject
from flask import Response

from salesflow.contacts.models import Contact

# Chinese, Japanese and Korean names are written family name first, without a space.
CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f]"
)
# Two-character Chinese family names; any other Chinese name starts with a one-character one.
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "澹台",
    "轩辕",
    "呼延",
    "西门",
    "南宫",
    "独孤",
    "申屠",
    "太史",
    "闻人",
    "钟离",
    "万俟",
    "百里",
    "东郭",
    "赫连",
    "拓跋",
)
PRODID = "-//salesflow//contact export//EN"
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def name_parts(name: str) -> tuple[str, str]:
    """(family, given) for a vCard's N, which phones sort and display by: 张伟 → (张, 伟),
    欧阳娜娜 → (欧阳, 娜娜), "Liu Yang" → (Yang, Liu); one word is a family name alone."""
    name = " ".join(name.split())
    if CJK.match(name) and " " not in name and len(name) > 1:
        family = next(
            (s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > 2), name[0]
        )
        return family, name[len(family) :]
    given, _space, family = name.rpartition(" ")
    return family, given


def contact_vcard(contact: Contact) -> str:
    """The contact as one vCard 3.0 (CRLF line ends), empty fields left out."""
    card = vobject.vCard()
    card.add("prodid").value = PRODID
    card.add("fn").value = contact.name
    family, given = name_parts(contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [
        contact.account.name,
        *([contact.department] if contact.department else []),
    ]
    if contact.title:
        card.add("title").value = contact.title
    if contact.email:
        email = card.add("email")
        email.value, email.type_param = contact.email, ["INTERNET", "WORK"]
    if contact.phone:
        phone = card.add("tel")
        phone.value, phone.type_param = contact.phone, "CELL"
    if contact.notes:
        card.add("note").value = contact.notes.replace("\r\n", "\n")
    return card.serialize()


def file_stem(contact: Contact) -> str:
    """The contact's name without the characters no file system takes (`<stem>.vcf`)."""
    name = _NOT_IN_FILE_NAMES.sub(" ", contact.name)
    return " ".join(name.split()).strip(". ") or "contact"


def _attachment(stem: str, contact_id: int) -> str:
    """Content-Disposition with the UTF-8 name (RFC 6266) and an ASCII one for old clients."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]+", "", ascii_stem).strip(". ") or f"contact-{contact_id}"
    return (
        f'attachment; filename="{ascii_stem}.vcf"; '
        f"filename*=UTF-8''{quote(stem + '.vcf', safe='')}"
    )


def vcard_response(contact: Contact) -> Response:
    """The download: text/vcard in UTF-8, named after the contact."""
    return Response(
        contact_vcard(contact).encode("utf-8"),
        mimetype="text/vcard",
        headers={"Content-Disposition": _attachment(file_stem(contact), contact.id)},
    )
