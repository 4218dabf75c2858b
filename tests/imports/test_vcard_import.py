"""Phone contacts into salesflow through the import's API, end to end: a Huawei phone's .vcf into
one account (dry run, nothing written; commit; the contacts as the phone had them), the same
file again (matched by phone and e-mail, nothing created twice), and broken cards as error rows
while the good ones are imported."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.matching import phone_key
from tests.conftest import api_as

FILES = Path(__file__).parent / "files" / "vcards"


@pytest.fixture
def director(app, now, world):
    return api_as(app, world.director_a)


def _upload(api, name: str, account_id: int):
    data = {
        "file": (io.BytesIO((FILES / name).read_bytes()), name),
        "kind": "contacts",
        "account_id": str(account_id),
    }
    return api.post("/imports", data=data, content_type="multipart/form-data")


def _contacts(account_id: int) -> dict[str, Contact]:
    query = sa.select(Contact).where(Contact.account_id == account_id, Contact.deleted_at.is_(None))
    return {contact.name: contact for contact in db.session.scalars(query)}


def _rows(api, import_id: int) -> list[dict]:
    return api.get(f"/imports/{import_id}/rows").get_json()["items"]


def test_a_huawei_phone_file_into_one_account_dry_run_then_commit(director, world):
    before = set(_contacts(world.account_a.id))
    answer = _upload(director, "huawei_2_1_utf8.vcf", world.account_a.id)
    assert answer.status_code == 201, answer.get_json()
    preview = answer.get_json()
    assert (preview["file_type"], preview["status"]) == ("vcf", "previewed")
    assert preview["counts"]["create"] == 3 and preview["counts"]["error"] == 0
    assert [row["outcome"] for row in _rows(director, preview["id"])] == ["create"] * 3
    assert set(_contacts(world.account_a.id)) == before  # the dry run wrote no contact

    committed = director.post(f"/imports/{preview['id']}/commit").get_json()
    assert committed["status"] == "committed", committed
    contacts = _contacts(world.account_a.id)
    zhang = contacts["张伟"]
    assert (zhang.title, zhang.department) == ("主任", "信息中心")
    assert zhang.email == "zhangwei@hdpower.cn"
    assert phone_key(zhang.phone) == "+8613800138000"
    assert zhang.notes.startswith("喜欢钓鱼") and "Phone (Work): 010-8888 6666" in zhang.notes
    assert phone_key(contacts["欧阳娜娜"].phone) == "+8613911112222"
    assert contacts["John Smith"].email == "john.smith@acme.example"


def test_the_same_phone_file_again_creates_nobody_twice(director, world):
    first = _upload(director, "huawei_2_1_utf8.vcf", world.account_a.id).get_json()
    director.post(f"/imports/{first['id']}/commit")
    count = len(_contacts(world.account_a.id))
    again = _upload(director, "huawei_2_1_utf8.vcf", world.account_a.id).get_json()
    assert again["counts"]["create"] == 0 and again["counts"]["error"] == 0
    assert {row["matched_by"] for row in _rows(director, again["id"])} <= {"email", "phone"}
    director.post(f"/imports/{again['id']}/commit")
    assert len(_contacts(world.account_a.id)) == count


def test_broken_cards_are_error_rows_and_the_good_ones_are_imported(director, world):
    preview = _upload(director, "broken_cards.vcf", world.account_a.id).get_json()
    rows = _rows(director, preview["id"])
    assert [row["outcome"] for row in rows] == ["create", "error", "error", "create", "error"]
    messages = [message for row in rows for ms in row["errors"].values() for message in ms]
    assert "This card has no END:VCARD (it starts on line 12)." in messages
    director.post(f"/imports/{preview['id']}/commit")
    names = set(_contacts(world.account_a.id))
    assert {"Good One", "Good Two"} <= names and not {"Half Written", "Cut Short"} & names


def test_a_file_that_is_not_a_vcard_is_refused_in_words(director, world):
    answer = _upload(director, "not_a_vcard.vcf", world.account_a.id)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["file"] == [
        "This file is not a vCard: a .vcf file starts with BEGIN:VCARD."
    ]


def test_without_an_account_each_card_goes_to_the_account_its_org_names(app, now, world):
    admin = api_as(app, world.admin)
    data = {
        "file": (io.BytesIO((FILES / "iphone_3_0.vcf").read_bytes()), "iphone_3_0.vcf"),
        "kind": "contacts",
    }
    preview = admin.post("/imports", data=data, content_type="multipart/form-data").get_json()
    wang, liu = _rows(admin, preview["id"])
    # "Nanfang Grid Co., Ltd." is the account Nanfang Grid (its name without the legal form);
    # nobody may see an account 南方电网有限责任公司: an error naming it, never a new account.
    assert liu["outcome"] == "create"
    assert wang["outcome"] == "error" and "account" in wang["errors"]
    admin.post(f"/imports/{preview['id']}/commit")
    assert _contacts(world.account_b.id)["Liu Yang"].title == "Chief Engineer"
