"""A contact as a vCard 3.0 (contacts/vcard.py): what goes on the phone and what stays in
salesflow, the file's name, the scope of the page and the API, and the round trip through the
import's reader (imports/vcard.py)."""

from urllib.parse import unquote

import pytest
import vobject

from salesflow.contacts.vcard import contact_vcard, name_parts
from salesflow.extensions import db
from salesflow.imports.vcard import read_vcards
from tests.conftest import api_as, login
from tests.contacts.test_scope import CASES, SEES
from tests.factories import make_contact

FIELDS = ("name", "title", "department", "account", "email", "phone", "notes")


def _fill(contact, **values) -> None:
    defaults = {
        "title": "总经理",
        "department": "信息中心",
        "email": "zhangwei@hdpower.cn",
        "phone": "+86 138 0013 8000",
        "notes": "不喝白酒, 只喝茶; 会议别安排在上午十点前。\n周末别打电话 \\ 发微信",
        "background": "Ex-army; close to the provincial grid's chief engineer",
        "hometown": "Hangzhou",
        "preferences": "Longjing tea",
    }
    for name, value in {**defaults, **values}.items():
        setattr(contact, name, value)
    db.session.flush()


def _lines(text: str) -> list[str]:
    """The unfolded lines of a vCard."""
    return text.replace("\r\n ", "").split("\r\n")


def test_the_card_holds_what_a_phone_needs_and_not_the_reception_profile(now, world):
    contact = world.contact_a
    _fill(contact, name="张伟")
    text = contact_vcard(contact)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and text.endswith("END:VCARD\r\n")
    lines = _lines(text)
    assert "FN:张伟" in lines and "N:张;伟;;;" in lines
    assert "ORG:Huadong Power;信息中心" in lines and "TITLE:总经理" in lines
    assert "EMAIL;TYPE=INTERNET,WORK:zhangwei@hdpower.cn" in lines
    assert "TEL;TYPE=CELL:+86 138 0013 8000" in lines
    assert "NOTE:不喝白酒\\, 只喝茶\\; 会议别安排在上午十点前。\\n周末别打电话 \\\\ 发微信" in lines
    for private in ("Ex-army", "Hangzhou", "Longjing", "decision", "champion"):
        assert private not in text
    # Long lines are folded (vobject counts 75 characters, not octets: RFC 6350's "SHOULD").
    assert [line for line in text.split("\r\n") if len(line) > 75] == []


def test_empty_fields_are_left_out(now, world):
    text = contact_vcard(world.contact_b)  # a name and an account, nothing else
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in _lines(text) if line}
    assert names == {"BEGIN", "VERSION", "PRODID", "FN", "N", "ORG", "END"}


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("张伟", ("张", "伟")),
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("欧阳", ("欧", "阳")),
        ("司马光", ("司马", "光")),
        ("李", ("李", "")),
        ("Liu Yang", ("Yang", "Liu")),
        ("John Quincy  Smith", ("Smith", "John Quincy")),
        ("Madonna", ("Madonna", "")),
    ],
)
def test_the_structured_name_phones_sort_by(name, parts):
    assert name_parts(name) == parts


@pytest.mark.parametrize(
    "values",
    [
        {"name": "张伟"},
        {"name": "欧阳娜娜", "department": None, "title": None},
        {
            "name": "John Smith",
            "title": "VP Sales, APAC; Greater China",
            "department": "Sales\\Ops",
            "email": None,
            "phone": "138 0013 8000",
            "notes": "Line one\nLine two, with a comma; and a semicolon\n" + "很长的备注" * 40,
        },
    ],
)
def test_a_card_read_back_by_the_import_gives_the_same_fields(now, world, values):
    contact = world.contact_a
    _fill(contact, **values)
    columns, rows = read_vcards(contact_vcard(contact).encode("utf-8"))
    row = next(rows)
    expected = {field: getattr(contact, field) or "" for field in FIELDS if field != "account"}
    assert {field: row.get(field, "") for field in expected} == expected
    assert row["account"] == contact.account.name and "_error" not in row
    assert next(rows, None) is None


def test_another_reader_reads_the_card_the_same_way(now, world):
    contact = world.contact_a
    _fill(contact, name="王芳", notes="喜欢普洱茶, 不吃辣")
    card = vobject.readOne(contact_vcard(contact))
    assert card.fn.value == "王芳" and (card.n.value.family, card.n.value.given) == ("王", "芳")
    assert card.org.value == ["Huadong Power", "信息中心"]
    assert card.tel.value == "+86 138 0013 8000" and card.tel.params["TYPE"] == ["CELL"]
    assert card.email.value == "zhangwei@hdpower.cn"


def test_the_page_downloads_the_card_named_after_the_contact(client, now, world):
    contact = world.contact_a
    _fill(contact, name="张伟")
    login(client, world.rep_a)
    response = client.get(f"/contacts/{contact.id}/vcard")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="contact-{contact.id}.vcf"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "张伟.vcf"
    assert response.get_data(as_text=True) == contact_vcard(contact)


@pytest.mark.parametrize(
    ("name", "ascii_name", "utf8_name"),
    [
        ("Liu Yang", "Liu Yang.vcf", "Liu Yang.vcf"),
        ("José Núñez", "Jose Nunez.vcf", "José Núñez.vcf"),
        ("A/B: C*D?", "A B C D.vcf", "A B C D.vcf"),
        ("..", "contact.vcf", "contact.vcf"),
    ],
)
def test_file_names_are_safe_on_every_file_system(client, now, world, name, ascii_name, utf8_name):
    contact = world.contact_a
    contact.name = name
    db.session.flush()
    login(client, world.rep_a)
    disposition = client.get(f"/contacts/{contact.id}/vcard").headers["Content-Disposition"]
    plain, encoded = disposition.split("; filename*=UTF-8''")
    assert plain == f'attachment; filename="{ascii_name.format(id=contact.id)}"'
    assert unquote(encoded) == utf8_name


def test_the_contact_page_offers_the_card(client, now, world):
    login(client, world.rep_a)
    page = client.get(f"/contacts/{world.contact_a.id}").get_data(as_text=True)
    assert f'href="/contacts/{world.contact_a.id}/vcard"' in page
    assert "Save to phone (vCard)" in page


def test_a_deleted_contact_has_no_card(client, now, world):
    gone = make_contact(account=world.account_a, name="Gone Person", deleted=True)
    login(client, world.director_a)  # who may still open its page, to restore it
    page = client.get(f"/contacts/{gone.id}").get_data(as_text=True)
    assert "Gone Person" in page and f"/contacts/{gone.id}/vcard" not in page
    assert client.get(f"/contacts/{gone.id}/vcard").status_code == 404


@pytest.mark.parametrize(("who", "contact"), CASES)
def test_page_and_api_follow_the_contact_scope(app, client, now, world, who, contact):
    user, target = getattr(world, who), getattr(world, contact)
    api = api_as(app, user)
    login(client, user)
    page = client.get(f"/contacts/{target.id}/vcard")
    answer = api.get(f"/contacts/{target.id}/vcard")
    if contact in SEES[who]:
        assert (page.status_code, answer.status_code) == (200, 200)
        assert answer.headers["Content-Type"] == "text/vcard; charset=utf-8"
        assert f"FN:{target.name}\r\n" in answer.get_data(as_text=True)
    else:
        assert (page.status_code, answer.status_code) == (404, 404)
        assert answer.get_json()["error"]["code"] == "not_found"


def test_the_card_needs_a_login_or_a_token(app, client, now, world):
    assert client.get(f"/contacts/{world.contact_a.id}/vcard").status_code == 302
    assert app.test_client().get(f"/api/v1/contacts/{world.contact_a.id}/vcard").status_code == 401


def test_ids_out_of_range_are_404(app, client, now, world):
    login(client, world.admin)
    api = api_as(app, world.admin)
    for bad in ("0", "99999999999", str(2**31)):
        assert client.get(f"/contacts/{bad}/vcard").status_code == 404
        assert api.get(f"/contacts/{bad}/vcard").status_code == 404
