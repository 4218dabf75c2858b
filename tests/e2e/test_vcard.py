"""A rep on a phone opens a customer contact and saves it to the phone's address book: the vCard
downloads under the contact's name, and read back it holds the contact (en and zh, axe-core on
the contact page)."""

import itertools
from pathlib import Path

from salesflow.extensions import db
from salesflow.imports.vcard import read_vcards
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"vCard {locale} {n}")
    rep = f.make_user(team=team, name=f"Rep {n}", email=f"vcard{n}-{locale}@example.com")
    account = f.make_account(team=team, name=f"华东电力 {n}", members={rep: "AR"})
    contact = f.make_contact(
        account=account,
        name="张伟",
        title="总经理",
        decision_role="decision_maker",
        influence="high",
    )
    contact.department, contact.phone = "信息中心", "+86 138 0013 8000"
    contact.email, contact.notes = "zhangwei@hdpower.cn", "不喝白酒, 只喝茶\n会议别安排在上午十点前"
    contact.background = "Ex-army"
    db.session.flush()
    return {"email": rep.email, "account_name": account.name, "contact": contact}


def test_rep_saves_a_contact_to_the_phone(live_server, phone, locale):
    seeded = live_server.seed(lambda: _world(locale))
    log_in(phone, live_server.url, seeded["email"])
    phone.goto(f"{live_server.url}/contacts/{seeded['contact']}")
    assert_accessible(phone)
    link = phone.get_by_role("link", name=translate("Save to phone (vCard)", locale))
    with phone.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "张伟.vcf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n") and b"Ex-army" not in data
    _columns, rows = read_vcards(data)
    assert next(rows) == {
        "name": "张伟",
        "title": "总经理",
        "department": "信息中心",
        "account": seeded["account_name"],
        "email": "zhangwei@hdpower.cn",
        "phone": "+86 138 0013 8000",
        "notes": "不喝白酒, 只喝茶\n会议别安排在上午十点前",
    }
    assert phone.url.endswith(f"/contacts/{seeded['contact']}")  # the page stays open
