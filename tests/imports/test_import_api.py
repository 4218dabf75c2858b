"""The imports API end to end (API.md, "Data in and out"): upload with a dry run, the import, its
rows paged and filtered, commit, the error file, undo; bad input answered in the API's error shape
(never a 500), too large a file a 413 in words, scope as 404 and 403."""

import json

import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from tests.conftest import api_as
from tests.imports.import_helpers import csv_bytes, multipart


def _upload(api, data: bytes, name: str = "contacts.csv", **form):
    return api.post("/imports", **multipart(form, data, name))


def test_upload_dry_run_rows_commit_errors_and_undo(app, world, now):
    api = api_as(app, world.director_a)
    data = csv_bytes(
        ["公司名称", "姓名", "邮箱", "上级"],
        ["Huadong Power", "刘总", "liu@hd.cn", ""],
        ["Huadong Power", "周工", '=HYPERLINK("x")', "刘总"],
        ["Nowhere", "@SUM(1)", "", ""],
        ["Huadong Power", "王工", "wang@hd.cn", "刘总"],
    )
    response = _upload(api, data, kind="contacts")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "previewed" and body["encoding"] == "utf-8"
    assert body["counts"] == {"create": 2, "update": 0, "unchanged": 0, "skip": 0, "error": 2}
    assert body["mapping"] == {
        "公司名称": "account",
        "姓名": "name",
        "邮箱": "email",
        "上级": "reports_to",
    }
    import_id = body["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 3  # the World's

    first = api.get(f"/imports/{import_id}/rows?limit=2").get_json()
    assert [r["row"] for r in first["items"]] == [1, 2] and first["next_cursor"]
    rest = api.get(f"/imports/{import_id}/rows?limit=2&cursor={first['next_cursor']}").get_json()
    assert [r["row"] for r in rest["items"]] == [3, 4] and rest["next_cursor"] is None
    errors = api.get(f"/imports/{import_id}/rows?outcome=error").get_json()["items"]
    assert [(r["row"], sorted(r["errors"])) for r in errors] == [(2, ["email"]), (3, ["account"])]

    committed = api.post(f"/imports/{import_id}/commit")
    assert committed.status_code == 200 and committed.get_json()["status"] == "committed"
    assert api.post(f"/imports/{import_id}/commit").status_code == 422  # once
    made = [
        r["record_id"]
        for r in api.get(f"/imports/{import_id}/rows?outcome=create").get_json()["items"]
    ]
    assert len(made) == 2 and api.get(f"/contacts/{made[0]}").status_code == 200

    download = api.get(f"/imports/{import_id}/errors.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "公司名称,姓名,邮箱,上级,error_field,error_message"
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text  # formulas escaped as exports do
    assert api.get(f"/imports/{import_id}/errors.xlsx").status_code == 200

    undone = api.post(f"/imports/{import_id}/undo")
    assert undone.status_code == 200
    assert undone.get_json() == {
        "counts": {"reversed": 2, "kept": 0, "failed": 0},
        "status": "undone",
    }
    assert api.get(f"/imports/{import_id}").get_json()["status"] == "undone"
    listed = api.get("/imports").get_json()["items"]
    assert [i["id"] for i in listed] == [import_id]


def test_a_given_mapping_is_used_and_checked(app, world, now):
    api = api_as(app, world.director_a)
    data = csv_bytes(["Firma", "Wer"], ["Huadong Power", "Li"])
    missing = _upload(api, data, kind="contacts")
    assert missing.status_code == 422
    assert "mapping" in missing.get_json()["error"]["fields"]
    bad = _upload(api, data, kind="contacts", mapping="{not json")
    assert bad.status_code == 422 and "mapping" in bad.get_json()["error"]["fields"]
    good = _upload(
        api, data, kind="contacts", mapping=json.dumps({"Firma": "account", "Wer": "name"})
    )
    assert good.status_code == 201 and good.get_json()["counts"]["create"] == 1


def test_bad_files_and_fields_are_422_in_the_api_shape(app, world, now):
    api = api_as(app, world.director_a)
    for data, name in (
        (b"", "a.csv"),
        (b"\x00\x01\x02" * 100, "a.csv"),
        (b"x", "a.pdf"),
        (("," * 1_000_000 + "\n").encode(), "bomb.csv"),
    ):
        response = _upload(api, data, name, kind="contacts")
        assert response.status_code == 422, (name, response.status_code)
        assert response.get_json()["error"]["fields"]["file"]
    wrong = _upload(api, b"a,b\n", kind="customers")
    assert wrong.status_code == 422 and "kind" in wrong.get_json()["error"]["fields"]
    no_file = api.post("/imports", data={"kind": "contacts"}, content_type="multipart/form-data")
    assert no_file.status_code == 422


def test_a_file_over_50_mb_is_a_413_in_words(app, world, now):
    api = api_as(app, world.director_a)
    response = _upload(api, b"name\n" + b"x" * (60 * 1024 * 1024), "big.csv", kind="contacts")
    assert response.status_code == 413
    assert "larger than 50 MB" in response.get_json()["error"]["message"]


def test_scope_404_for_others_imports_403_for_what_you_may_not_do(app, world, now):
    director = api_as(app, world.director_a)
    import_id = _upload(
        director, csv_bytes(["account", "name"], ["Huadong Power", "甲"]), kind="contacts"
    ).get_json()["id"]
    other = api_as(app, world.director_b)
    for path in ("", "/rows", "/errors.csv"):
        assert other.get(f"/imports/{import_id}{path}").status_code == 404
    assert other.post(f"/imports/{import_id}/commit").status_code == 404
    leader = api_as(app, world.leader)
    assert _upload(leader, b"account,name\n", kind="contacts").status_code == 403
    rep = api_as(app, world.rep_a)
    assert _upload(rep, b"account,name\nHuadong Power,x\n", kind="opportunities").status_code == 403
    assert director.post(f"/imports/{import_id}/commit").status_code == 200
    assert rep.post(f"/imports/{import_id}/undo").status_code == 404  # not theirs to see
    own = _upload(rep, csv_bytes(["account", "name"], ["Huadong Power", "乙"]), kind="contacts")
    own_id = own.get_json()["id"]
    assert rep.post(f"/imports/{own_id}/commit").status_code == 200
    assert rep.post(f"/imports/{own_id}/undo").status_code == 403  # a director undoes
    assert api_as(app, world.admin).get(f"/imports/{own_id}").status_code == 200
