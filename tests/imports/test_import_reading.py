"""Reading files: encodings found by themselves, the header row below a title, sheets, mapping
from English and Chinese headers, the spellings of cells — and every bad file answered with a
clear message (empty, binary, wrong type, a CSV bomb of 10^6 columns, too many rows)."""

import codecs
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from salesflow.errors import ValidationFailed
from salesflow.imports import cells, mapping
from salesflow.imports.reading import MAX_COLUMNS, cell_text, detect_encoding, open_table
from tests.imports.import_helpers import csv_bytes, file

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _refusal(data: bytes, name: str = "file.csv", **options) -> str:
    with pytest.raises(ValidationFailed) as caught:
        table = open_table(data, name, **options)
        list(table.rows())
    return " ".join(caught.value.fields["file"])


def test_chinese_excel_csv_is_read_as_gbk(ctx):
    table = open_table(file("contacts_gbk.csv"), "客户.csv")
    assert table.encoding == "gb18030"
    assert table.columns[:4] == ["客户名称", "姓名", "职务", "部门"]
    rows = list(table.rows())
    assert rows[1].cells[1] == "周敏" and rows[0].number == 1 and len(rows) == 7


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("客户名称,姓名\n华东电力,刘建国\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "客户名称,姓名\n华东电力,刘建国\n".encode(), "utf-8-sig"),
        ("客户名称,姓名\n华东电力,刘建国\n".encode("gbk"), "gb18030"),
        ("客户名称,姓名\n华东电力,𠮷野家\n".encode("gb18030"), "gb18030"),
        ("客户名称\t姓名\n华东电力\t刘建国\n".encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030", "utf-16 tab separated"],
)
def test_encodings_are_found_by_themselves(ctx, encoded, expected):
    table = open_table(encoded, "a.csv")
    assert table.encoding == expected
    assert table.columns == ["客户名称", "姓名"]
    assert list(table.rows())[0].cells[0] == "华东电力"


def test_semicolons_and_quoted_line_breaks(ctx):
    table = open_table(b'name;notes\r\nAcme;"line one\nline two"\r\n', "a.csv")
    assert list(table.rows())[0].cells == ["Acme", "line one\nline two"]


def test_xlsx_header_below_a_title_row_is_found_and_cells_read_as_people_see_them(ctx):
    table = open_table(file("accounts_title_row.xlsx"), "客户名单.xlsx")
    assert table.file_type == "xlsx" and table.sheets == ["客户名单", "说明"]
    assert table.header_row == 3
    assert table.columns[0] == "客户名称"
    first = list(table.rows())[0]
    assert first.cells[6] == "2023-05-08" and first.cells[7] == "10001"


def test_another_sheet_and_a_header_row_can_be_chosen(ctx):
    table = open_table(file("accounts_title_row.xlsx"), "a.xlsx", sheet="说明", header_row=1)
    assert table.columns == ["这张表不是数据"]
    with pytest.raises(ValidationFailed) as caught:
        open_table(file("accounts_title_row.xlsx"), "a.xlsx", sheet="Nope")
    assert "sheet" in caught.value.fields


def test_cell_text_of_excel_values():
    assert cell_text(13800001111.0) == "13800001111"
    assert cell_text(datetime(2026, 3, 5, 14, 30)) == "2026-03-05 14:30"
    assert cell_text(date(2026, 3, 5)) == "2026-03-05"
    assert cell_text(1.5) == "1.5" and cell_text(None) == ""


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "a.csv", "empty"),
        (b"   \r\n  ", "a.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "photo.csv", "not a text"),
        (bytes(range(256)) * 64, "data.bin", "CSV, Excel"),
        (b"%PDF-1.7 a report", "report.pdf", "CSV, Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "old Excel"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "cannot be read"),
        (b"name\n" + b"\x80\x80\xfa" * 50, "latin.csv", "cannot be read"),
    ],
    ids=[
        "empty",
        "blank",
        "binary as csv",
        "binary",
        "pdf",
        "old xls",
        "broken xlsx",
        "unreadable",
    ],
)
def test_bad_files_are_refused_in_words(ctx, data, name, words):
    assert words in _refusal(data, name)


def test_a_csv_bomb_of_a_million_columns_is_refused(ctx):
    bomb = ("," * 1_000_000 + "\n").encode()
    assert f"at most {MAX_COLUMNS}" in _refusal(b"a,b\n1,2\n" + bomb)
    assert f"at most {MAX_COLUMNS}" in _refusal(bomb)


def test_an_xlsx_of_too_many_columns_is_refused(ctx):
    workbook = Workbook()
    workbook.active.append([f"c{i}" for i in range(MAX_COLUMNS + 5)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert f"at most {MAX_COLUMNS}" in _refusal(buffer.getvalue(), "wide.xlsx")


def test_a_file_with_more_rows_than_allowed_is_refused(app, ctx):
    app.config["IMPORT_MAX_ROWS"] = 3
    try:
        assert "more than 3 rows" in _refusal(csv_bytes(["name"], *[[f"n{i}"] for i in range(5)]))
    finally:
        app.config["IMPORT_MAX_ROWS"] = 200_000


def test_a_giant_cell_is_refused(ctx):
    data = b"name,notes\nAcme," + b"x" * 200_000 + b"\n"
    assert "cannot be read as CSV" in _refusal(data)


def test_error_file_escapes_are_read_back(ctx):
    table = open_table(b"name,phone\nAcme,'+86 138 0000 1111\n", "a.csv")
    assert list(table.rows())[0].cells[1] == "+86 138 0000 1111"


def test_undecodable_text_is_not_mistaken_for_binary(ctx):
    assert detect_encoding("名称\n".encode("gbk")) == "gb18030"


# Mapping -----------------------------------------------------------------------------------------


def test_chinese_headers_map_to_contact_fields(ctx):
    columns = [
        "客户名称",
        "姓名",
        "职务",
        "部门",
        "手机",
        "电话",
        "邮箱",
        "上级",
        "籍贯",
        "爱好",
        "决策角色",
        "态度",
        "对接人",
        "编号",
    ]
    found = mapping.auto_mapping("contacts", columns)
    assert found == {
        "客户名称": "account",
        "姓名": "name",
        "职务": "title",
        "部门": "department",
        "手机": "phone",
        "邮箱": "email",
        "上级": "reports_to",
        "籍贯": "hometown",
        "爱好": "interests",
        "决策角色": "decision_role",
        "态度": "attitude",
        "对接人": "known_by",
        "编号": "external_id",
    }
    assert "电话" not in found  # the second phone column is left for the person to decide


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("accounts", "公司名称", "name"),
        ("accounts", "Company Name", "name"),
        ("accounts", "客户等级", "tier"),
        ("accounts", "上级单位", "parent"),
        ("accounts", "官网", "website"),
        ("contacts", "E-mail *", "email"),
        ("contacts", "Mobile Phone", "phone"),
        ("contacts", "Reports To", "reports_to"),
        ("contacts", "姓名（必填）", "name"),
        ("interactions", "拜访日期", "occurred_at"),
        ("interactions", "我方人员", "participants"),
        ("interactions", "客户参与人", "attendees"),
        ("opportunities", "商机名称", "name"),
        ("opportunities", "阶段", "stage"),
        ("opportunities", "客户经理", "AR"),
        ("opportunities", "预计签约日期", "expected_close"),
    ],
)
def test_headers_in_either_language_map_to_every_kind(ctx, kind, header, field):
    assert mapping.auto_mapping(kind, [header]) == {header: field}


def test_every_field_of_api_md_is_reachable_from_its_own_name(ctx):
    for kind, fields in mapping.FIELDS.items():
        assert set(mapping.auto_mapping(kind, list(fields)).values()) == set(fields)


def test_a_mapping_is_checked_whole(ctx):
    with pytest.raises(ValidationFailed) as caught:
        mapping.check_mapping(
            "contacts", ["A", "B"], {"A": "name", "B": "name", "C": "email", "D": "salary"}
        )
    problems = " ".join(caught.value.fields["mapping"])
    assert "Only one column" in problems and "no column called C" in problems
    assert "Account" in problems  # required and missing


def test_a_mapping_is_remembered_per_header_set(ctx, now):
    mapping.remember("contacts", ["甲", "乙"], {"甲": "name", "乙": "account"}, now=now)
    assert mapping.suggested("contacts", ["乙", "甲"]) == {"甲": "name", "乙": "account"}
    assert mapping.suggested("contacts", ["甲", "乙", "error_field", "error_message"]) == {
        "甲": "name",
        "乙": "account",
    }


# Cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.03.05", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("２０２６－０３－０５", date(2026, 3, 5)),
    ],
)
def test_dates_in_the_spellings_of_spreadsheets(ctx, raw, day):
    assert cells.day(raw) == day


@pytest.mark.parametrize("raw", ["2026-13-01", "5 March", "1899-12-31", "03/05/2026"])
def test_a_date_that_is_no_date_says_so(ctx, raw):
    with pytest.raises(ValueError):
        cells.day(raw)


def test_moments_default_to_the_company_time_zone(ctx):
    assert cells.moment("2026/3/5 14:30", SHANGHAI) == datetime(2026, 3, 5, 14, 30, tzinfo=SHANGHAI)
    assert cells.moment("2026-03-05", SHANGHAI) == datetime(2026, 3, 5, tzinfo=SHANGHAI)
    assert cells.moment("2026-03-05T10:00:00+00:00", SHANGHAI).utcoffset().seconds == 0
    with pytest.raises(ValueError):
        cells.moment("2026-03-05 25:00", SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("¥1,200.50", "1200.50"),
        ("12万", "120000"),
        ("RMB 3,000", "3000"),
        ("1.5亿", "150000000.0"),
        ("abc", "abc"),
    ],
)
def test_amounts_as_people_write_them(raw, text):
    assert (
        Decimal(cells.amount_text(raw)) == Decimal(text)
        if text != "abc"
        else cells.amount_text(raw) == "abc"
    )


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("决策者", "decision_maker"),
        ("Decision maker", "decision_maker"),
        ("decision_maker", "decision_maker"),
        ("技术评估者", "technical_evaluator"),
        ("教练", "coach"),
        ("KP", "decision_maker"),
    ],
)
def test_vocabulary_in_either_language(ctx, raw, value):
    from salesflow.contacts.models import DecisionRole

    assert cells.vocabulary("decision_role", DecisionRole, raw) == value


def test_an_unknown_word_lists_the_allowed_ones(ctx):
    from salesflow.contacts.models import Influence

    with pytest.raises(ValueError, match="High, Medium, Low"):
        cells.vocabulary("influence", Influence, "huge")


def test_lists_in_one_cell():
    assert cells.items("张伟; 李娜、王芳，a@b.com") == ["张伟", "李娜", "王芳", "a@b.com"]
