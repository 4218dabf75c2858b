"""Reading contacts from phones' vCard files (imports/vcard.py), on real-shaped files under
files/vcards/: an Android/Huawei 2.1 export (quoted-printable with soft line breaks, a photo),
an older phone's GB2312/GBK 2.1 file, an iPhone's 3.0 (grouped labels, folded lines), a 4.0
(tel: URIs), a file with broken cards among good ones and a CSV saved as .vcf."""

import itertools
import time
import tracemalloc
from pathlib import Path

import pytest

from salesflow.errors import ValidationFailed
from salesflow.imports.vcard import COLUMNS, ROW_ERROR, read_vcards
from salesflow.matching import email_key, phone_key

FILES = Path(__file__).parent / "files" / "vcards"


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    columns, rows = read_vcards((FILES / name).read_bytes())
    return columns, list(rows)


def _card(*lines: str, version: str = "3.0") -> bytes:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]).encode()


def test_android_huawei_2_1_quoted_printable_with_soft_line_breaks():
    columns, rows = _read("huawei_2_1_utf8.vcf")
    assert columns == list(COLUMNS)
    zhang, ouyang, smith = rows
    assert zhang["name"] == "张伟"
    assert zhang["account"] == "华东电力有限公司"  # ORG's soft break fell inside a character
    assert zhang["department"] == "信息中心" and zhang["title"] == "主任"
    assert zhang["email"] == "zhangwei@hdpower.cn"
    # The mobile is the phone, though the work number comes first; the others go to the notes.
    assert zhang["phone"] == "138 0013 8000"
    assert zhang["notes"].splitlines() == [
        "喜欢钓鱼，周末常去密云水库。",
        "不喝白酒, 只喝茶；会议别安排在上午十点前。",  # the comma does not cut the note
        "Phone (Work): 010-8888 6666",
        "Phone (Home fax): 010-8888 6667",
        "Address (Home): 中国 北京 朝阳路1号 100000",
        "Birthday: 1975-03-08",
    ]
    assert all(ROW_ERROR not in row for row in rows)


def test_a_card_without_fn_is_named_from_n_family_name_first_for_chinese():
    _columns, rows = _read("huawei_2_1_utf8.vcf")
    ouyang = rows[1]
    assert ouyang["name"] == "欧阳娜娜"
    assert ouyang["phone"] == "+86 139 1111 2222"  # the mobile marked PREF, listed second
    assert ouyang["notes"] == "Phone (Home): 021-6666 1234"


def test_english_names_from_n_are_given_name_first():
    _columns, rows = read_vcards(_card("N:Smith;John;Quincy;Dr.;", "TEL;TYPE=CELL:138 0000 0009"))
    assert next(rows)["name"] == "John Quincy Smith"


def test_commas_in_org_and_title_stay_and_the_preferred_email_wins():
    _columns, rows = _read("huawei_2_1_utf8.vcf")
    smith = rows[2]
    assert smith["name"] == "John Smith"
    assert smith["account"] == "Acme Co., Ltd." and smith["department"] == "Sales"
    assert smith["title"] == "VP Sales, APAC"
    assert smith["email"] == "john.smith@acme.example"  # EMAIL;WORK;PREF, listed second
    assert smith["notes"].splitlines() == [
        "E-mail (Home): john@example.com",
        "Website: https://acme.example",
    ]


def test_the_photo_is_skipped():
    _columns, rows = _read("huawei_2_1_utf8.vcf")
    assert all("/9j/" not in value for row in rows for value in row.values())


def test_gb2312_and_gbk_cards_of_an_older_phone():
    columns, rows = _read("feature_phone_2_1_gb2312.vcf")
    assert "email" not in columns  # no card has one
    zhang, zhu, li = rows
    assert (zhang["name"], zhang["title"]) == ("张小明", "副主任")
    assert (zhang["account"], zhang["department"]) == ("南方电网有限责任公司", "计划发展部")
    assert zhang["notes"].startswith("2023年在广州展会认识") and zhang["notes"].endswith("建议书。")
    assert zhu["name"] == "朱镕"  # written in GBK under a GB2312 label: 镕 is not in GB2312
    assert (li["name"], li["account"]) == ("李娜", "南方电网有限责任公司")  # raw GBK bytes
    assert all(ROW_ERROR not in row for row in rows)


def test_an_iphone_3_0_with_grouped_labels_and_folded_lines():
    _columns, rows = _read("iphone_3_0.vcf")
    wang, liu = rows
    assert (wang["name"], wang["title"]) == ("王芳", "采购经理")
    assert (wang["account"], wang["department"]) == ("南方电网有限责任公司", "采购部")
    assert wang["email"] == "wangfang@csg.cn"
    # item3's X-ABLabel says Mobile: it wins over item2's number marked pref, labelled 公司.
    assert wang["phone"] == "139 2222 3333"
    assert wang["notes"].splitlines() == [
        "第一次见面在2024年电网展会",
        # folded in the middle of 周 (three bytes): unfolded before decoding
        "喜欢普洱茶, 不吃辣；周三下午最方便约见，请提前一天微信确认。",
        "Phone (公司): +86 20 3888 1234",
        "Address (Work): 中国 广东 广州 天河路88号 510000",
        "Birthday: 1982-11-02",
    ]
    assert (liu["account"], liu["department"]) == ("Nanfang Grid Co., Ltd.", "Engineering")
    assert liu["phone"] == "+86 135 0000 1111"  # TYPE=IPHONE,CELL
    assert liu["notes"].splitlines() == [
        "Phone (Work): +86 20 3888 0000",
        "Phone (Switchboard): +86 20 3888 0099",
    ]


def test_a_vcard_4_0_with_tel_uris():
    _columns, rows = _read("vcard_4_0.vcf")
    chen, sun = rows
    assert chen["name"] == "Chen Jing" and chen["account"] == "Shared Steel Co., Ltd."
    assert chen["phone"] == "+86-135-0000-2222"  # TYPE="cell,voice", the second TEL
    assert chen["email"] == "chen.jing@sharedsteel.example"  # PREF=1
    assert chen["notes"].splitlines() == [
        "Prefers e-mail over calls; answers within a day.",
        "Phone (Work): +86-21-5555-0000 ext. 102",
        "E-mail (Home): jing.chen@example.com",
        "Address (Work): 1 Steel Rd, Shanghai, 200000, China",  # folded inside "China"
        "Birthday: --0415",
    ]
    assert (sun["name"], sun["phone"]) == ("孙丽", "+86-137-0000-3333")


@pytest.mark.parametrize(
    ("name", "e164"),
    [
        ("huawei_2_1_utf8.vcf", ["+8613800138000", "+8613911112222", "+14155550100"]),
        ("feature_phone_2_1_gb2312.vcf", ["+8613600136000", "+8615900001234", "+8618600005678"]),
        ("iphone_3_0.vcf", ["+8613922223333", "+8613500001111"]),
        ("vcard_4_0.vcf", ["+8613500002222", "+8613700003333"]),
    ],
)
def test_every_phone_read_is_one_the_matching_key_understands(name, e164):
    _columns, rows = _read(name)
    assert [phone_key(row["phone"]) for row in rows] == e164
    assert all(email_key(row["email"]) for row in rows if row.get("email"))


def test_several_cards_each_become_a_row_with_every_column():
    columns, rows = _read("iphone_3_0.vcf")
    assert len(rows) == 2
    assert all(list(row) == columns for row in rows)


def test_a_broken_card_is_an_error_row_and_the_others_are_read():
    columns, rows = _read("broken_cards.vcf")
    assert columns == ["name", "phone", "notes"]
    assert [row["name"] for row in rows] == [
        "Good One",
        "Half Written",
        "Cut Short",
        "Good Two",
        "Odd Charset",
    ]
    assert [row.get(ROW_ERROR) for row in rows] == [
        None,
        "Line 10 of the file is not a vCard line (NAME:value).",
        "This card has no END:VCARD (it starts on line 12).",
        None,
        "Line 23 names a character set that is not known: KLINGON.",
    ]
    assert rows[3]["phone"] == "138 0000 0004"  # the card after the cut-short one is whole


def test_text_that_is_not_in_its_character_set_is_an_error_row():
    data = _card("FN:Fine") + _card("FN;CHARSET=UTF-8:Bad \xff\xfe").replace(
        "\xff\xfe".encode(), b"\xff\xfe"
    )
    _columns, rows = read_vcards(data)
    assert [row.get(ROW_ERROR) for row in rows] == [
        None,
        "Line 7 cannot be read in the character set UTF-8.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n\r\n", "The file is empty."),
        (
            (FILES / "not_a_vcard.vcf").read_bytes(),
            "This file is not a vCard: a .vcf file starts with BEGIN:VCARD.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This file is not a vCard: a .vcf file starts with BEGIN:VCARD.",
        ),
        (
            b"PK\x03\x04" + bytes(range(256)),
            "This file is not a vCard: a .vcf file starts with BEGIN:VCARD.",
        ),
    ],
)
def test_a_file_that_is_not_a_vcard_is_refused_in_words(data, message):
    with pytest.raises(ValidationFailed) as refused:
        read_vcards(data)
    assert refused.value.fields == {"file": [message]}


def test_byte_order_marks_and_utf16_files_are_read():
    card = _card("FN:李娜", "TEL;TYPE=CELL:186 0000 5678")
    for data in (
        b"\xef\xbb\xbf" + card,
        "\ufeff".encode("utf-16-le") + card.decode().encode("utf-16-le"),
    ):
        _columns, rows = read_vcards(data)
        assert next(rows)["name"] == "李娜"


def test_a_base64_photo_of_vcard_2_1_without_indentation_is_skipped():
    data = b"\r\n".join(
        [
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            b"FN:Photo Person",
            b"PHOTO;ENCODING=BASE64;TYPE=JPEG:",
            b"/9j/4AAQSkZJRgABAQAAAQABAAD",
            b"AAECAwQFBgcICQoLDA0ODxAREhMU",
            b"",
            b"TEL;CELL:138 0000 0006",
            b"END:VCARD",
            b"",
        ]
    )
    _columns, rows = read_vcards(data)
    row = next(rows)
    assert (row["name"], row["phone"], row.get(ROW_ERROR)) == (
        "Photo Person",
        "138 0000 0006",
        None,
    )


def _many_cards(count: int) -> bytes:
    card = (FILES / "huawei_2_1_utf8.vcf").read_bytes()  # three cards, one with a photo
    return card * (count // 3) + _card("FN:Last One", "TEL;CELL:138 0000 0007") * (count % 3)


def test_five_thousand_cards_are_read_one_at_a_time():
    data = _many_cards(5_000)  # ~4.6 MB
    started = time.perf_counter()
    columns, rows = read_vcards(data)
    tracemalloc.start()
    try:
        first = next(rows)
        read = 1 + sum(1 for _row in itertools.islice(rows, 299))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Streamed: the first 300 rows came from a card at a time, not from the file parsed whole.
    assert peak < 256 * 1024
    assert first["name"] == "张伟"
    assert read + sum(1 for _row in rows) == 5_000
    # A generous bound that only a quadratic slip would break (the benchmark measures speed).
    assert time.perf_counter() - started < 20
