"""The import pages: upload, mapping and dry run, commit, the report with links and the error
file, the fixed file continuing the import, undo with its confirmation; CSRF on every form, a
file over the limit a message on the form, the menu only for those who may import."""

import re

import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports.models import Import
from tests.conftest import login
from tests.imports.import_helpers import csv_bytes, file, multipart, outcomes

ROWS = csv_bytes(
    ["姓名", "单位", "邮箱"],
    ["刘总", "Huadong Power", "liu@hd.cn"],
    ["周工", "Nowhere", "zhou@hd.cn"],
)


def _upload(client, data: bytes = ROWS, name: str = "名单.csv", **form):
    return client.post(
        "/imports/new", **multipart({"kind": "contacts", "mode": "fill", **form}, data, name)
    )


def _latest() -> Import:
    return db.session.scalar(sa.select(Import).order_by(Import.id.desc()))


def test_the_menu_shows_import_only_to_those_who_may(app, world):
    assert "nav-imports" in login(app.test_client(), world.rep_a).get("/").text
    assert "nav-imports" not in login(app.test_client(), world.leader).get("/").text
    assert login(app.test_client(), world.leader).get("/imports/new").status_code == 403


def test_upload_map_dry_run_commit_and_report(app, world, now):
    client = login(app.test_client(), world.director_a)
    page = client.get("/imports/new")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    response = _upload(client)
    assert response.status_code == 302
    imp = _latest()
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200
    assert 'id="mapping-form"' in detail.text and "刘总 · 周工" in detail.text  # samples
    assert "Huadong Power" in detail.text and 'id="commit"' in detail.text
    remapped = client.post(
        f"/imports/{imp.id}/map",
        data={
            "column_0": "name",
            "column_1": "account",
            "column_2": "",
            "mode": "create",
            "header_row": "1",
            "sheet": "",
        },
    )
    assert remapped.status_code == 302
    assert imp.mapping == {"姓名": "name", "单位": "account"} and imp.mode.value == "create"
    committed = client.post(f"/imports/{imp.id}/commit")
    assert committed.status_code == 303
    report = client.get(f"/imports/{imp.id}")
    assert "/contacts/" in report.text and 'id="errors-csv"' in report.text
    assert 'id="undo-form"' in report.text
    errors_only = client.get(f"/imports/{imp.id}?outcome=error")
    assert errors_only.text.count('class="list-group-item import-row') == 1
    # each row says its outcome in words, as the counts above name it
    assert re.search(r'Row \d+</span>\s*<span class="badge [^"]*">Errors</span>', errors_only.text)
    download = client.get(f"/imports/{imp.id}/errors.csv")
    assert download.status_code == 200 and "Nowhere" in download.data.decode("utf-8-sig")
    disposition = download.headers["Content-Disposition"]
    assert disposition.isascii() and f"%E5%90%8D%E5%8D%95-errors-{imp.id}.csv" in disposition


def test_a_mapping_missing_a_required_field_is_finished_on_the_page(app, world, now):
    client = login(app.test_client(), world.director_a)
    _upload(client, csv_bytes(["谁", "哪"], ["刘总", "Huadong Power"]))
    imp = _latest()
    page = client.get(f"/imports/{imp.id}")
    assert 'id="missing"' in page.text and 'id="commit"' not in page.text
    assert client.post(f"/imports/{imp.id}/commit").status_code == 303
    assert imp.status.value == "previewed"
    twice = client.post(
        f"/imports/{imp.id}/map",
        data={"column_0": "name", "column_1": "name", "mode": "fill", "header_row": "1"},
    )
    assert twice.status_code == 422 and "Only one column" in twice.text


def test_the_fixed_error_file_continues_the_import(app, world, now):
    client = login(app.test_client(), world.director_a)
    _upload(client)
    first = _latest()
    client.post(f"/imports/{first.id}/commit")
    report = client.get(f"/imports/{first.id}")
    link = (
        re.search(r'href="([^"]+)" id="upload-fixed"', report.text).group(1).replace("&amp;", "&")
    )
    assert f"continues={first.id}" in link
    assert 'id="continuing"' in client.get(link).text
    fixed = client.get(f"/imports/{first.id}/errors.csv").data.decode("utf-8-sig")
    fixed = fixed.replace("Nowhere", "Huadong Power").encode("utf-8-sig")
    response = _upload(client, fixed, "名单-errors.csv", continues=str(first.id))
    assert response.status_code == 302
    second = _latest()
    assert second.continues_id == first.id and outcomes(second) == {1: "create"}
    client.post(f"/imports/{second.id}/commit")
    names = set(
        db.session.scalars(sa.select(Contact.name).where(Contact.account_id == world.account_a.id))
    )
    assert {"刘总", "周工"} <= names
    assert f"/imports/{second.id}" in client.get(f"/imports/{first.id}").text


def test_undo_needs_its_box_ticked(app, world, now):
    client = login(app.test_client(), world.director_a)
    _upload(client)
    imp = _latest()
    client.post(f"/imports/{imp.id}/commit")
    client.post(f"/imports/{imp.id}/undo", data={})
    assert imp.status.value == "committed"
    client.post(f"/imports/{imp.id}/undo", data={"confirm": "y"})
    assert imp.status.value == "undone"
    assert "undo-report" in client.get(f"/imports/{imp.id}").text


def test_the_account_page_offers_an_import_into_the_account_to_those_who_may(app, world, now):
    page = login(app.test_client(), world.rep_a).get(f"/accounts/{world.account_a.id}").text
    assert f"/imports/new?kind=contacts&amp;account_id={world.account_a.id}" in page
    shared = login(app.test_client(), world.rep_b).get(f"/accounts/{world.shared.id}").text
    assert 'id="import-contacts"' not in shared  # they see it; it is not their team's
    leader = login(app.test_client(), world.leader).get(f"/accounts/{world.account_a.id}").text
    assert 'id="import-contacts"' not in leader


def test_an_xlsx_upload_offers_its_sheets(app, world, now):
    client = login(app.test_client(), world.director_a)
    response = client.post(
        "/imports/new",
        **multipart(
            {"kind": "accounts", "mode": "fill"}, file("accounts_title_row.xlsx"), "名单.xlsx"
        ),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert (
        '<option selected value="客户名单">' in page.text
        or 'value="客户名单" selected' in page.text
    )


def test_a_bad_file_is_a_message_on_the_form(app, world, now):
    client = login(app.test_client(), world.director_a)
    response = _upload(client, b"\x00\x01binary" * 100, "a.csv")
    assert response.status_code == 422 and "not a text file" in response.text


def test_a_file_over_the_limit_is_a_message_on_the_upload_form(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    client = login(app.test_client(), world.director_a)
    response = _upload(client, b"name\n" + b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413 and 'id="upload-form"' in response.text
    assert "The file is larger than 1 MB: split it into several files." in response.text


def test_csrf_is_checked_on_the_upload_and_the_buttons(app, world, now, monkeypatch):
    client = login(app.test_client(), world.director_a)
    _upload(client)
    imp = _latest()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert _upload(client).status_code == 400  # refused before the view, nothing saved
    assert _latest() is imp
    client.post(f"/imports/{imp.id}/commit")
    assert imp.status.value == "previewed"
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(f"/imports/{imp.id}").text
    ).group(1)
    client.post(f"/imports/{imp.id}/commit", data={"csrf_token": token})
    assert imp.status.value == "committed"
