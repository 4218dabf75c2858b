"""Contact imports: the real-shaped files, matching in its order (the source's id, e-mail, phone;
names only suggest), the three modes, the decision chain built whatever the order of the rows,
the dry run equal to the commit, a refused row failing alone, "known by" ties, the audit."""

import pytest
import sqlalchemy as sa

from salesflow.audit.models import AuditEntry
from salesflow.contacts.models import Contact, DecisionRole
from salesflow.extensions import db
from salesflow.imports.models import ImportKey, ImportStatus
from salesflow.ties import touches
from salesflow.ties.models import TieTouch
from tests import factories as f
from tests.imports.import_helpers import commit, csv_bytes, dry_run, file, messages, outcomes, rows

HEADER = ["客户名称", "姓名", "职务", "邮箱", "手机", "上级"]


@pytest.fixture
def huadong(world):
    return f.make_account(team=world.team_a, name="华东电力", members={world.rep_a: "AR"})


def _contacts(account) -> dict[str, Contact]:
    found = db.session.scalars(
        sa.select(Contact).where(Contact.account_id == account.id, Contact.deleted_at.is_(None))
    )
    return {c.name: c for c in found}


def test_the_gbk_sheet_of_chinese_excel_builds_the_decision_chain(world, now, huadong):
    imp = dry_run(
        file("contacts_gbk.csv"), world.director_a, now, kind="contacts", filename="客户联系人.csv"
    )
    assert imp.encoding == "gb18030"
    assert outcomes(imp) == {
        1: "create",
        2: "create",
        3: "create",
        4: "create",
        5: "error",
        6: "error",
        7: "error",
    }
    found = rows(imp)
    assert "华北能源集团" in messages(found[5])
    assert "e-mail" in messages(found[6])
    assert "张三" in messages(found[7])
    assert _contacts(huadong) == {}  # the dry run wrote nothing
    commit(imp, world.director_a, now)
    assert imp.status == ImportStatus.committed
    people = _contacts(huadong)
    assert people["王磊"].reports_to_id == people["周敏"].id  # named before its boss's row
    assert people["周敏"].reports_to_id == people["刘建国"].id
    assert people["陈静"].reports_to_id == people["周敏"].id  # boss by e-mail; 华东电力（上海）
    assert people["刘建国"].decision_role == DecisionRole.decision_maker
    assert people["刘建国"].interests == "钓鱼、书法" and people["周敏"].hometown == "浙江杭州"


def test_dry_run_equals_commit(world, now, huadong):
    boss = f.make_contact(account=huadong, name="刘建国", title="总经理")
    boss.email = "liu.jianguo@hdpower.cn"
    db.session.flush()
    data = file("contacts_gbk.csv")
    imp = dry_run(data, world.director_a, now, kind="contacts")
    before = {n: (r.outcome, r.matched_by, r.errors) for n, r in rows(imp).items()}
    commit(imp, world.director_a, now)
    after = {n: (r.outcome, r.matched_by, r.errors) for n, r in rows(imp).items()}
    assert before == after
    assert imp.counts == {"create": 3, "update": 1, "unchanged": 0, "skip": 0, "error": 3}
    assert boss.hometown == "山东济南" and _contacts(huadong)["周敏"].reports_to_id == boss.id


def test_matching_order_external_id_then_email_then_phone_names_only_suggest(world, now, huadong):
    by_key = f.make_contact(account=huadong, name="Old Name")
    by_email = f.make_contact(account=huadong, name="Li Na")
    by_email.email = "li.na@hdpower.cn"
    by_phone = f.make_contact(account=huadong, name="Guo Tao")
    by_phone.phone = "138 0000 3333"
    named = f.make_contact(account=huadong, name="Wang Fang")
    db.session.add(ImportKey(source="crm", kind="contacts", external_id="X1", record_id=by_key.id))
    db.session.flush()
    data = csv_bytes(
        ["Account", "Name", "Email", "Phone", "ID"],
        ["华东电力", "Renamed", "new@x.cn", "", "X1"],
        ["华东电力", "Li Na", "LI.NA@hdpower.cn", "", ""],
        ["华东电力", "Guo T.", "", "+86-138-0000-3333", ""],
        ["华东电力", "Wang  Fang", "", "", ""],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts", source="crm", mode="overwrite")
    found = rows(imp)
    assert [(found[n].record_id, found[n].matched_by) for n in (1, 2, 3)] == [
        (by_key.id, "external_id"),
        (by_email.id, "email"),
        (by_phone.id, "phone"),
    ]
    assert found[4].outcome.value == "create" and found[4].record_id is None
    assert f"#{named.id}" in " ".join(found[4].notes["name"])
    commit(imp, world.director_a, now)
    assert by_key.name == "Renamed" and by_key.email == "new@x.cn"


@pytest.mark.parametrize(
    ("mode", "title", "outcome"),
    [("fill", "CIO", "update"), ("overwrite", "CTO", "update"), ("create", "CIO", "skip")],
)
def test_modes(world, now, huadong, mode, title, outcome):
    contact = f.make_contact(account=huadong, name="Zhou", title="CIO")
    contact.email = "zhou@hd.cn"
    db.session.flush()
    data = csv_bytes(
        ["account", "name", "email", "title", "department"],
        ["华东电力", "Zhou", "zhou@hd.cn", "CTO", "IT"],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts", mode=mode)
    assert outcomes(imp) == {1: outcome}
    commit(imp, world.director_a, now)
    assert contact.title == title
    assert contact.department == (None if mode == "create" else "IT")


def test_a_row_that_changes_nothing_is_unchanged_and_blank_cells_never_clear(world, now, huadong):
    contact = f.make_contact(account=huadong, name="Zhou", title="CIO")
    contact.email = "zhou@hd.cn"
    db.session.flush()
    data = csv_bytes(["account", "name", "email", "title"], ["华东电力", "Zhou", "zhou@hd.cn", ""])
    imp = dry_run(data, world.director_a, now, kind="contacts", mode="overwrite")
    assert outcomes(imp) == {1: "unchanged"}
    assert contact.title == "CIO"


def test_rows_naming_each_other_in_a_loop_are_errors(world, now, huadong):
    data = csv_bytes(
        HEADER,
        ["华东电力", "A", "", "a@x.cn", "", "B"],
        ["华东电力", "B", "", "b@x.cn", "", "a@x.cn"],
        ["华东电力", "C", "", "", "", "A"],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts")
    assert outcomes(imp) == {1: "error", 2: "error", 3: "error"}
    assert "loop" in messages(rows(imp)[1]) and "Row 1" in messages(rows(imp)[3])


def test_the_same_person_twice_in_a_file_is_an_error_on_the_second(world, now, huadong):
    data = csv_bytes(
        HEADER,
        ["华东电力", "A", "", "a@x.cn", "", ""],
        ["华东电力", "A again", "", "A@X.CN", "", ""],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts")
    assert outcomes(imp) == {1: "create", 2: "error"} and "Row 1" in messages(rows(imp)[2])


def test_one_refused_row_fails_alone_at_the_commit(world, now, huadong):
    """Between the dry run and the commit one account is deleted: its rows fail (their chunk is
    written again row by row), the others are imported."""
    other = f.make_account(team=world.team_a, name="江南钢铁")
    data = csv_bytes(
        HEADER,
        ["华东电力", "A", "", "", "", ""],
        ["江南钢铁", "B", "", "", "", ""],
        ["华东电力", "C", "", "", "", ""],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts")
    assert outcomes(imp) == {1: "create", 2: "create", 3: "create"}
    other.deleted_at = now
    db.session.flush()
    commit(imp, world.director_a, now)
    assert outcomes(imp)[1] == "create" and outcomes(imp)[3] == "create"
    assert outcomes(imp)[2] == "error"
    assert set(_contacts(huadong)) == {"A", "C"}
    assert imp.counts["error"] == 1


def test_a_contacts_import_never_creates_accounts(world, now):
    data = csv_bytes(HEADER, ["Brand New Co", "A", "", "", "", ""])
    imp = dry_run(data, world.director_a, now, kind="contacts")
    commit(imp, world.director_a, now)
    assert outcomes(imp) == {1: "error"}
    assert "import the accounts first" in messages(rows(imp)[1])


def test_every_created_record_is_audited_with_the_import_as_its_cause(world, now, huadong):
    imp = dry_run(
        csv_bytes(HEADER, ["华东电力", "A", "CIO", "", "", ""]),
        world.director_a,
        now,
        kind="contacts",
        filename="名单.csv",
    )
    commit(imp, world.director_a, now)
    contact = _contacts(huadong)["A"]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity_type == "contacts", AuditEntry.entity_id == contact.id
        )
    )
    assert entry.action == "create" and entry.actor_id == world.director_a.id
    assert entry.cause == {"import": imp.id, "file": "名单.csv"}
    assert entry.changes["title"] == [None, "CIO"] and entry.account_id == huadong.id


def test_known_by_records_the_tie_and_the_counts_equal_a_rebuild(world, now, huadong):
    data = csv_bytes(
        ["客户名称", "姓名", "邮箱", "对接人"],
        ["华东电力", "刘总", "liu@hd.cn", world.rep_a.email.upper()],
        ["华东电力", "周工", "zhou@hd.cn", f"{world.rep_a.email}; {world.rep_a2.email}"],
    )
    imp = dry_run(data, world.director_a, now, kind="contacts")
    assert "Recorded as known by" in " ".join(rows(imp)[1].notes["known_by"])
    commit(imp, world.director_a, now)
    people = _contacts(huadong)
    pairs = {
        (c, u)
        for c, u in db.session.execute(
            sa.select(TieTouch.contact_id, TieTouch.user_id).where(
                TieTouch.account_id == huadong.id
            )
        )
    }
    assert pairs == {
        (people["刘总"].id, world.rep_a.id),
        (people["周工"].id, world.rep_a.id),
        (people["周工"].id, world.rep_a2.id),
    }
    kept = {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))}
    touches.rebuild()
    assert {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))} == kept
    again = dry_run(data, world.director_a, now, kind="contacts")  # known already: no new tie
    assert outcomes(again) == {1: "unchanged", 2: "unchanged"}


def test_known_by_an_unknown_address_is_an_error(world, now, huadong):
    data = csv_bytes(["客户名称", "姓名", "对接人"], ["华东电力", "刘总", "nobody@example.com"])
    imp = dry_run(data, world.director_a, now, kind="contacts")
    assert "nobody@example.com" in messages(rows(imp)[1])


def test_a_crm_export_with_its_own_column_names(world, now):
    account = world.account_a  # "Huadong Power": the same company as "Huadong Power Co., Ltd."
    account.website = "https://www.hdpower.cn"
    db.session.flush()
    imp = dry_run(
        file("crm_export_contacts.csv"), world.director_a, now, kind="contacts", source="Old CRM"
    )
    assert imp.mapping == {
        "Contact ID": "external_id",
        "Account Name": "account",
        "Full Name": "name",
        "Job Title": "title",
        "Department": "department",
        "Email Address": "email",
        "Mobile Phone": "phone",
        "Reports To": "reports_to",
    }
    commit(imp, world.director_a, now)
    assert imp.counts["create"] == 3
    people = {
        c.email: c
        for c in db.session.scalars(
            sa.select(Contact).where(Contact.account_id == account.id, Contact.email.is_not(None))
        )
    }
    assert people["guo.tao@hdpower.cn"].account_id == account.id  # by its website domain
    zhang = people["zhang.wei@hdpower.cn"]
    assert zhang.id != world.contact_a.id  # the same name only suggested
    assert people["li.na@hdpower.cn"].reports_to_id == zhang.id
    assert people["guo.tao@hdpower.cn"].reports_to_id == people["li.na@hdpower.cn"].id
    assert zhang.phone == "+86 138 0000 1111"
    again = dry_run(
        file("crm_export_contacts.csv"), world.director_a, now, kind="contacts", source="Old CRM"
    )
    assert {r.matched_by for r in rows(again).values()} == {"external_id"}
    assert imp.counts != again.counts and again.counts["unchanged"] == 3


def _refuse_in_the_database(name: str) -> None:
    """A trigger that makes the database itself refuse one contact (as a constraint would)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "CREATE FUNCTION refuse_contact() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
        )
        db.session.execute(
            sa.text(
                "CREATE TRIGGER refuse BEFORE INSERT ON contacts FOR EACH ROW "
                "EXECUTE FUNCTION refuse_contact()"
            )
        )
    else:
        db.session.execute(
            sa.text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON contacts WHEN NEW.name = '{name}' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )


def test_a_row_the_database_refuses_fails_alone_in_its_savepoint(world, now, huadong):
    data = csv_bytes(HEADER, *[["华东电力", f"P{i}", "", "", "", ""] for i in range(5)])
    imp = dry_run(data, world.director_a, now, kind="contacts")
    _refuse_in_the_database("P2")
    commit(imp, world.director_a, now)
    assert outcomes(imp) == {1: "create", 2: "create", 3: "error", 4: "create", 5: "create"}
    assert set(_contacts(huadong)) == {"P0", "P1", "P3", "P4"}
    entries = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity_type == "contacts", AuditEntry.account_id == huadong.id)
    )
    assert entries == 4  # nothing of the refused row is left, not even its audit entry
