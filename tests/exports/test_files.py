"""The export engine: batches of one sorted query that neither skip nor repeat a row across
ties, a fixed number of queries per batch whatever the rows (never one per row), Excel's row
limit met by a next sheet, and text an .xlsx cannot hold cleaned rather than a failed
download."""

import gc
import io

import openpyxl
import pytest
import sqlalchemy as sa

from salesflow.accounts.models import Account
from salesflow.accounts.queries import AccountFilters
from salesflow.exports import files, lists
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import login, sql_statements


@pytest.fixture
def accounts(world):
    """Fourteen more accounts in team A, tiers repeating (ties for the keyset), each with an AR."""
    made = [
        f.make_account(
            team=world.team_a,
            name=f"Acme {n:02}",
            tier="ABC"[n % 3],
            members={world.rep_a2: "AR", world.rep_a: "member"},
        )
        for n in range(14)
    ]
    db.session.flush()
    return made


@pytest.mark.parametrize(
    "sort, descending", [("tier", False), ("tier", True), ("name", True), ("updated", False)]
)
def test_batches_read_every_row_once_in_the_pages_order(world, accounts, sort, descending):
    listing = lists.accounts(world.director_a, AccountFilters(), sort=sort, descending=descending)
    read = [row.id for batch in files.batches(listing, size=4) for row in batch]
    column = {"tier": Account.tier, "name": Account.name, "updated": Account.updated_at}[sort]
    order = (column.desc(), Account.id.desc()) if descending else (column, Account.id)
    expected = db.session.scalars(
        sa.select(Account.id)
        .where(Account.team_id == world.team_a.id, Account.deleted_at.is_(None))
        .order_by(*order)
    ).all()
    assert read == expected and len(read) == 16


def test_queries_grow_with_batches_not_rows(world, accounts, monkeypatch):
    def statements(size: int) -> int:
        listing = lists.accounts(world.director_a, AccountFilters(), sort="name", descending=False)
        with sql_statements() as seen:
            for batch in files.batches(listing, size=size):
                listing.cells(batch)
        return len(seen)

    # 16 rows: one query for the rows, and the team names of each batch (one batch, or four)
    assert statements(100) == 1 + 1
    assert statements(4) == 1 + 4


def test_an_excel_sheet_that_is_full_continues_on_the_next(client, world, accounts, monkeypatch):
    monkeypatch.setattr(files, "SHEET_ROWS", 6)  # the header and five rows per sheet
    db.session.commit()
    login(client, world.director_a)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/accounts/export.xlsx").data))
    assert book.sheetnames == ["Accounts", "Accounts (2)", "Accounts (3)", "Accounts (4)"]
    rows = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    headers = [r for r in rows if r[0] == "Id"]
    assert len(headers) == 4 and len(rows) - len(headers) == 16


def test_text_an_xlsx_cannot_hold_is_cleaned(client, world, now):
    account = f.make_account(team=world.team_a, name="Bell\x07 Ltd")  # stored before the checks
    account.notes = "line one\nline two\ttabbed"
    db.session.commit()
    login(client, world.director_a)
    response = client.get("/accounts/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == account.id)
    assert row[1] == "Bell Ltd" and row[header.index("Notes")] == "line one\nline two\ttabbed"


def test_safe_cell_escapes_only_text_that_starts_like_a_formula():
    assert [files.safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "a=b", "")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\tx",
        "'\rx",
        "a=b",
        "",
    ]
    assert files.safe_cell(-5) == -5 and files.safe_cell(None) is None


EXPORTS = [
    "/accounts/export.{fmt}?sort=tier",
    "/contacts/export.{fmt}",
    "/interactions/export.{fmt}",
    "/opportunities/export.{fmt}?status=all&sort=amount&dir=desc",
    "/pipeline/review/deals/export.{fmt}?figure=stage&key=enterprise:validate",
]


@pytest.fixture
def histories(world, accounts, now):
    """Deals, contacts and contact logs on the fourteen accounts: amounts and times repeating."""
    for n, account in enumerate(accounts):
        contact = f.make_contact(account=account, name=f"Contact {n:02}")
        deal = f.make_opportunity(
            account=account, amount=1000 * (n % 3), roles={world.rep_a2: "AR", world.rep_a: "SR"}
        )
        f.make_interaction(
            account=account, owner=world.rep_a, contacts=[contact], opportunity=deal, days_ago=n % 2
        )
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("path", EXPORTS)
def test_every_export_is_the_same_file_whatever_its_batches(
    client, world, histories, monkeypatch, path, fmt
):
    """The same bytes of CSV (the same cells of Excel) read in one batch or in batches of three,
    and the cycle collector is running again once the file is sent."""
    login(client, world.director_a)

    def download(size: int) -> list:
        monkeypatch.setattr(files, "BATCH", size)
        response = client.get(path.format(fmt=fmt))
        assert response.status_code == 200
        if fmt == "csv":
            return [response.get_data(as_text=True)]
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return [list(row) for row in book.active.iter_rows(values_only=True)]

    whole = download(10_000)
    assert gc.isenabled()
    assert download(3) == whole
    assert len(whole if fmt == "xlsx" else whole[0].splitlines()) > 4


def test_the_cycle_collector_is_left_as_it_was_found():
    with files.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with files.collector_paused():
            pass
        assert not gc.isenabled()  # not turned on behind whoever turned it off
    finally:
        gc.enable()
