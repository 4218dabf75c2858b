"""vCard files go through the same import: the reader (imports/vcard.py) names the fields, the
contacts land in a chosen account or the one their ORG names, a card that cannot be read is an
error row, and the dry run, matching and undo are those of any contact import."""

import sqlalchemy as sa

from salesflow.contacts.models import Contact
from salesflow.extensions import db
from salesflow.imports import runner
from tests import factories as f
from tests.conftest import api_as
from tests.imports.import_helpers import FILES, commit, dry_run, multipart, outcomes, rows


def _vcf(name: str) -> bytes:
    return (FILES / "vcards" / name).read_bytes()


def test_vcards_into_one_chosen_account(world, now):
    imp = dry_run(
        _vcf("iphone_3_0.vcf"),
        world.director_a,
        now,
        kind="contacts",
        filename="通讯录.vcf",
        account_id=world.account_a.id,
    )
    assert imp.file_type == "vcf" and set(imp.mapping.values()) <= set(imp.columns)
    assert set(outcomes(imp).values()) == {"create"}
    commit(imp, world.director_a, now)
    wang = db.session.scalar(sa.select(Contact).where(Contact.email == "wangfang@csg.cn"))
    assert wang.account_id == world.account_a.id and wang.name == "王芳"
    again = dry_run(
        _vcf("iphone_3_0.vcf"),
        world.director_a,
        now,
        kind="contacts",
        filename="通讯录.vcf",
        account_id=world.account_a.id,
    )
    assert rows(again)[1].matched_by == "email"
    runner.undo(imp, actor=world.director_a, now=now)
    assert wang.deleted_at is not None


def test_vcards_matched_to_their_account_by_org(world, now):
    grid = f.make_account(team=world.team_a, name="南方电网")
    imp = dry_run(
        _vcf("iphone_3_0.vcf"), world.director_a, now, kind="contacts", filename="通讯录.vcf"
    )
    found = rows(imp)
    assert found[1].outcome.value == "create", found[1].errors
    commit(imp, world.director_a, now)
    assert db.session.get(Contact, rows(imp)[1].record_id).account_id == grid.id


def test_a_card_that_cannot_be_read_is_an_error_row(world, now):
    imp = dry_run(
        _vcf("broken_cards.vcf"),
        world.director_a,
        now,
        kind="contacts",
        filename="broken.vcf",
        account_id=world.account_a.id,
    )
    assert "error" in outcomes(imp).values()
    assert any("row" in (r.errors or {}) for r in rows(imp).values())


def test_vcards_through_the_api_into_one_account(app, world, now):
    api = api_as(app, world.rep_a)
    response = api.post(
        "/imports",
        **multipart(
            {"kind": "contacts", "account_id": str(world.account_a.id)},
            _vcf("huawei_2_1_utf8.vcf"),
            "huawei.vcf",
        ),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["file_type"] == "vcf"
    assert response.get_json()["account_id"] == world.account_a.id
