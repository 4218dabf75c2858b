"""Every list's export, CSV and Excel, read back: the rows are the page's rows (or the API list's,
for contacts and contact history) under the same filters, sort and scope; a rep's file never
holds another team's records; nothing a customer typed becomes a formula; headers and values in
the reader's language; bad input is a clear 4xx."""

import csv
import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from salesflow.extensions import db
from tests import factories as f
from tests.conftest import api_as, login
from tests.e2e.helpers import translate

FORMATS = ["csv", "xlsx"]


def read(response) -> list[list]:
    """The file's rows (header first) as text, whatever its format; every sheet of a workbook."""
    assert response.status_code == 200, response.text[:500]
    if response.mimetype == "text/csv":
        text = response.get_data(as_text=True)
        assert text.startswith("\ufeff")  # Excel reads UTF-8 (Chinese) only with the BOM
        return list(csv.reader(io.StringIO(text[1:])))
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    width = len(rows[0])  # a read-only sheet drops a row's empty cells at its end
    return [
        ["" if v is None else str(v) for v in row + [None] * (width - len(row))] for row in rows
    ]


def ids(rows: list[list]) -> list[int]:
    return [int(row[0]) for row in rows[1:]]


def page_ids(client, path: str, kind: str) -> list[int]:
    page = client.get(path)
    assert page.status_code == 200
    return [int(i) for i in re.findall(rf'href="/{kind}/(\d+)"', page.text)]


@pytest.fixture
def many(world, now):
    """More accounts and deals in team A (and one in B), with tiers, amounts and an AR each."""
    for n, tier in enumerate("ABCAB"):
        account = f.make_account(
            team=world.team_a, name=f"Account {n}", tier=tier, members={world.rep_a2: "AR"}
        )
        f.make_opportunity(
            account=account,
            name=f"Deal {n}",
            amount=1000 * (n + 1),
            roles={world.rep_a2: "AR", world.rep_a: "SR"},
        )
    f.make_opportunity(account=world.account_b, name="South deal", amount=50)
    db.session.commit()


@pytest.mark.parametrize("fmt", FORMATS)
def test_account_export_is_the_list_under_its_filters_and_sort(client, world, many, fmt):
    login(client, world.director_a)
    query = "?tier=A&sort=updated&dir=desc"
    shown = page_ids(client, f"/accounts{query}", "accounts")
    rows = read(client.get(f"/accounts/export.{fmt}{query}&cursor=ignored"))
    assert len(shown) == 2 and ids(rows) == shown
    header = rows[0]
    assert header[:3] == ["Id", "Name", "Tier"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Tier"] == "A · key account"  # the label, not the stored value
    assert first["Team"] == "North" and first["AR · account responsible"] == "Zhao Lei"
    everything = read(client.get(f"/accounts/export.{fmt}"))
    assert ids(everything) == page_ids(client, "/accounts", "accounts")  # by name, as the page


@pytest.mark.parametrize("fmt", FORMATS)
def test_opportunity_export_is_the_list_under_its_filters_and_sort(client, world, many, fmt):
    login(client, world.director_a)
    query = f"?sort=amount&dir=desc&owner_id={world.rep_a2.id}"
    shown = page_ids(client, f"/opportunities{query}", "opportunities")
    rows = read(client.get(f"/opportunities/export.{fmt}{query}"))
    assert len(shown) == 5 and ids(rows) == shown
    top = dict(zip(rows[0], rows[1], strict=True))
    assert top["Name"] == "Deal 4" and top["Account"] == "Account 4"
    assert top["Stage"] == "Validate the opportunity" and top["Status"] == "Open"
    assert Decimal(top["Amount"]) == 5000 and Decimal(top["Weighted amount"]) == 500
    assert (top["AR"], top["SR"], top["FR"]) == ("Zhao Lei", "Li Ming", "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_drill_down_export_is_the_deals_behind_the_number(client, world, many, now, fmt):
    late = f.make_opportunity(
        account=world.account_a, stage="shape", days_in_stage=60, name="Stuck one"
    )
    db.session.commit()
    login(client, world.director_a)
    query = "?figure=stage&key=enterprise:validate&sort=amount"
    shown = page_ids(client, f"/pipeline/review/deals{query}", "opportunities")
    rows = read(client.get(f"/pipeline/review/deals/export.{fmt}{query}"))
    assert len(shown) == 5 and ids(rows) == shown  # team A's open validate deals only
    rows = read(client.get(f"/pipeline/review/deals/export.{fmt}?figure=late"))
    assert ids(rows) == [late.id]
    assert dict(zip(rows[0], rows[1], strict=True))["Days in stage"] == "60"


@pytest.mark.parametrize("fmt", FORMATS)
def test_contact_export_is_the_api_list_under_its_filters(app, client, world, now, fmt):
    f.make_contact(account=world.account_a, name="Qian Bo", title="CIO", reports_to=world.contact_a)
    db.session.commit()
    api = api_as(app, world.rep_a)
    login(client, world.rep_a)
    for query in ("", f"?account_id={world.account_a.id}", "?q=cio"):
        listed = [c["id"] for c in api.get(f"/contacts{query}").json["items"]]
        assert ids(read(client.get(f"/contacts/export.{fmt}{query}"))) == listed
    rows = read(client.get(f"/contacts/export.{fmt}?q=cio"))
    qian = dict(zip(rows[0], rows[1], strict=True))
    assert qian["Account"] == "Huadong Power" and qian["Reports to"] == "Zhang Wei"
    assert qian["Decision role"] == "Unknown" and qian["Influence"] == "Medium"


@pytest.mark.parametrize("fmt", FORMATS)
def test_contact_history_export_is_the_api_list_under_its_filters(app, client, world, now, fmt):
    old = f.make_interaction(
        account=world.account_a,
        owner=world.rep_a2,
        days_ago=40,
        participants=[world.rep_a2, world.rep_a],
        contacts=[world.contact_a],
        next_step="Send the quote",
        next_step_due=date(2026, 12, 1),
        cost=Decimal("88.50"),
        summary="Dinner with the CIO",
    )
    f.make_interaction(account=world.account_a, owner=world.rep_a2, days_ago=2)
    db.session.commit()
    api = api_as(app, world.rep_a)
    login(client, world.rep_a)
    since = (now - timedelta(days=60)).date()
    until = (now - timedelta(days=30)).date()
    for query, api_query in [
        ("", ""),
        ("?mine=1", "?mine=true"),
        (f"?account_id={world.shared.id}", f"?account_id={world.shared.id}"),
        (
            f"?since={since}&until={until}",
            f"?since={since}T00:00:00%2B08:00&until={until + timedelta(days=1)}T00:00:00%2B08:00",
        ),
    ]:
        listed = [i["id"] for i in api.get(f"/interactions{api_query}").json["items"]]
        assert ids(read(client.get(f"/interactions/export.{fmt}{query}"))) == listed, query
    rows = read(client.get(f"/interactions/export.{fmt}?since={since}&until={until}"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert int(row["Id"]) == old.id and row["Kind"] == "Visit"
    assert row["Our people"] == "Li Ming, Zhao Lei" and row["Their people"] == "Zhang Wei"
    assert row["Next step"] == "Send the quote" and row["Logged by"] == "Zhao Lei"
    assert Decimal(row["Cost (CNY)"]) == Decimal("88.50")
    local = old.occurred_at.astimezone(ZoneInfo("Asia/Shanghai"))  # the company's time zone
    assert row["When"].startswith(local.strftime("%Y-%m-%d %H:%M"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reps_exports_never_hold_another_teams_records(client, world, many, fmt):
    login(client, world.rep_a)
    everything = []
    for path in ("/accounts", "/contacts", "/interactions", "/opportunities"):
        everything += read(client.get(f"{path}/export.{fmt}?status=all"))
    text = repr(everything)
    assert "Huadong Power" in text and "Shared Steel" in text and "Zhang Wei" in text
    for theirs in ("Nanfang Grid", "Liu Yang", "South deal"):
        assert theirs not in text
    login(client, world.rep_b)  # on Shared Steel's account team, not on Huadong Power's
    text = repr(read(client.get(f"/contacts/export.{fmt}")))
    assert "Sun Li" in text and "Liu Yang" in text and "Zhang Wei" not in text


def test_the_parent_account_is_named_only_where_the_reader_sees_it(client, world, now):
    world.account_b.parent_id = world.account_a.id  # South's account under a North parent
    world.shared.parent_id = world.account_a.id
    db.session.commit()
    login(client, world.rep_b)
    rows = {r[1]: r for r in read(client.get("/accounts/export.csv"))}
    parent = rows["Name"].index("Parent account")
    assert rows["Nanfang Grid"][parent] == rows["Shared Steel"][parent] == ""
    login(client, world.director_a)
    assert {r[1]: r for r in read(client.get("/accounts/export.csv"))}["Shared Steel"][
        parent
    ] == "Huadong Power"


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)"]


def test_csv_escapes_every_formula_cell(client, world, now):
    for n, text in enumerate(FORMULAS):
        f.make_account(team=world.team_a, name=text)
        f.make_contact(account=world.account_a, name=f"Contact {n}").title = text
    f.make_interaction(account=world.account_a, owner=world.rep_a, summary=FORMULAS[0])
    db.session.commit()
    login(client, world.director_a)
    cells = [
        c
        for path in ("accounts", "contacts", "interactions")
        for row in read(client.get(f"/{path}/export.csv"))
        for c in row
    ]
    for text in FORMULAS:
        assert text not in cells and "'" + text in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_excel_keeps_formula_text_as_text_cells(client, world, now):
    for text in FORMULAS:
        f.make_account(team=world.team_a, name=text)
    db.session.commit()
    login(client, world.director_a)
    response = client.get("/accounts/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    names = {row[1].value: row[1] for row in book.active.iter_rows(min_row=2)}
    for text in FORMULAS:
        assert names[text].data_type == "s"  # shown exactly as typed, never run
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)


def test_excel_cells_are_typed(client, world, now):
    f.make_opportunity(
        account=world.account_a,
        name="Typed",
        amount=Decimal("1234.50"),
        expected_close=date(2027, 3, 31),
    )
    db.session.commit()
    login(client, world.rep_a)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/opportunities/export.xlsx").data))
    header, row = [c.value for c in book.active[1]], [c.value for c in book.active[2]]
    typed = dict(zip(header, row, strict=True))
    assert typed["Amount"] == Decimal("1234.5") or typed["Amount"] == 1234.5
    assert typed["Expected close"].date() == date(2027, 3, 31)
    assert isinstance(typed["Id"], int) and typed["Days in stage"] == 0
    assert book.active.freeze_panes == "A2"


def test_headers_and_values_are_in_the_readers_language(client, world, now):
    world.director_a.locale = "zh"
    db.session.commit()
    login(client, world.director_a)
    rows = read(client.get("/contacts/export.xlsx"))
    assert translate("Decision role", "zh-CN") in rows[0] and translate("Id", "zh-CN") == rows[0][0]
    zhang = next(r for r in rows if r[2] == "Zhang Wei")
    assert translate("Decision maker", "zh-CN") in zhang and "decision_maker" not in zhang


def test_the_file_is_named_after_the_list_and_the_day(client, world, now):
    login(client, world.rep_a)
    response = client.get("/interactions/export.xlsx?mine=1")
    stamp = now.strftime("%Y%m%d")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="contact-history-{stamp}.xlsx"'
    )
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path, status",
    [
        ("/interactions/export.csv?since=2026-13-01", 422),
        ("/interactions/export.xlsx?until=0001-01-01", 422),
        ("/interactions/export.csv?account_id=99999", 404),
        ("/interactions/export.csv?account_id=abc", 404),
        ("/contacts/export.csv?account_id=99999999999", 404),
        ("/pipeline/review/deals/export.csv?figure=nonsense", 404),
        ("/pipeline/review/deals/export.xlsx?figure=stage&key=nope:nothing", 404),
        ("/pipeline/review/deals/export.csv?figure=won&from=2026-02-30", 422),
        ("/accounts/export.csv?sort=nonsense&team_id=abc&tier=Z", 200),
        ("/opportunities/export.xlsx?sort=nonsense&close_month=2026-99", 200),
    ],
)
def test_bad_input_is_answered_in_words_never_500(client, world, path, status):
    db.session.commit()
    login(client, world.director_a)
    response = client.get(path)
    assert response.status_code == status, response.text[:300]
    if status == 422:
        assert "YYYY-MM-DD" in response.text or "1900" in response.text


def test_a_rep_cannot_export_the_review_or_another_teams_account(client, world):
    db.session.commit()
    login(client, world.rep_a)
    assert client.get("/pipeline/review/deals/export.csv?figure=late").status_code == 403
    path = f"/interactions/export.csv?account_id={world.account_b.id}"
    assert client.get(path).status_code == 404
    assert client.get(f"/contacts/export.xlsx?account_id={world.account_b.id}").status_code == 404


def test_exports_need_a_login(client):
    response = client.get("/accounts/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleted_accounts_export_for_a_restorer_says_when(client, world, now):
    gone = f.make_account(team=world.team_a, name="Gone Ltd", deleted=True)
    db.session.commit()
    login(client, world.director_a)
    rows = read(client.get("/accounts/export.csv?deleted=1"))
    assert ids(rows) == [gone.id] and rows[0][-1] == "Deleted" and rows[1][-1]
    login(client, world.rep_a)  # a rep's deleted=1 is ignored: the live accounts
    assert gone.id not in ids(read(client.get("/accounts/export.csv?deleted=1")))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lost_deals_export_names_its_loss_reason_and_keeps_the_note(client, world, now, fmt):
    lost = f.make_opportunity(account=world.account_a, status="lost", name="Gone")
    lost.loss_reason, lost.close_reason, lost.closed_at = "competitor", "Acme", now
    db.session.commit()
    login(client, world.director_a)
    rows = read(client.get(f"/pipeline/review/deals/export.{fmt}?figure=lost"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Loss reason"], row["Reason"]) == ("Lost to a competitor", "Acme")
