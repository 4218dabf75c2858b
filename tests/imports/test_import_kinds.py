"""Account, interaction and opportunity imports: accounts with their parent and team by name
from an XLSX with a title row; contact history with both sides' people and the tie counts kept in
step; deals entering at their stage with the earlier gates not verified by salesflow."""

import sqlalchemy as sa

from salesflow.accounts.models import Account, Tier
from salesflow.extensions import db
from salesflow.interactions.models import Interaction
from salesflow.opportunities import detail
from salesflow.opportunities.models import Move, Opportunity, StageChange
from salesflow.ties import touches
from salesflow.ties.models import TieTouch
from tests import factories as f
from tests.imports.import_helpers import commit, csv_bytes, dry_run, file, messages, outcomes, rows

# Accounts ----------------------------------------------------------------------------------------


def test_accounts_from_an_xlsx_with_a_title_row_and_the_parent_named_later(world, now):
    imp = dry_run(
        file("accounts_title_row.xlsx"),
        world.director_a,
        now,
        kind="accounts",
        filename="客户名单.xlsx",
    )
    assert imp.header_row == 3 and imp.sheet == "客户名单"
    assert imp.mapping["客户编号"] == "external_id" and imp.mapping["上级单位"] == "parent"
    assert outcomes(imp) == {1: "create", 2: "create", 3: "create"}
    commit(imp, world.director_a, now)
    made = {
        a.name: a
        for a in db.session.scalars(
            sa.select(Account).where(Account.id.in_([r.record_id for r in rows(imp).values()]))
        )
    }
    group, shanghai = made["华东电力集团有限公司"], made["华东电力（上海）有限公司"]
    assert shanghai.parent_id == group.id and shanghai.team_id == world.team_a.id
    assert shanghai.tier == Tier.A and group.tier == Tier.A
    assert made["江南钢铁股份有限公司"].website == "https://jnsteel.com"
    again = dry_run(file("accounts_title_row.xlsx"), world.director_a, now, kind="accounts")
    assert {r.matched_by for r in rows(again).values()} == {"external_id"}


def test_accounts_match_by_website_then_name_and_teams_by_name(world, now):
    world.account_a.website = "https://www.huadong.cn"
    db.session.flush()
    data = csv_bytes(
        ["公司名称", "官网", "行业", "团队"],
        ["华东电力（集团）", "http://huadong.cn/about", "电力", ""],
        ["Shared Steel Co., Ltd.", "", "钢铁", ""],
        ["新客户", "", "", "South"],
        ["另一个客户", "", "", "Nowhere"],
    )
    imp = dry_run(data, world.director_a, now, kind="accounts")
    found = rows(imp)
    assert (found[1].record_id, found[1].matched_by) == (world.account_a.id, "domain")
    assert (found[2].record_id, found[2].matched_by) == (world.shared.id, "name")
    assert found[3].outcome.value == "error" and "team" in found[3].errors  # not theirs
    assert "Nowhere" in messages(found[4])
    commit(imp, world.director_a, now)
    assert world.account_a.industry == "Manufacturing"  # fill: only blank fields
    assert world.shared.industry == "Manufacturing"


# Interactions ------------------------------------------------------------------------------------


def _pairs(account_id: int) -> set[tuple[int, int, int]]:
    return {
        (c, u, n)
        for c, u, n in db.session.execute(
            sa.select(TieTouch.contact_id, TieTouch.user_id, TieTouch.touches).where(
                TieTouch.account_id == account_id
            )
        )
    }


def test_contact_history_with_both_sides_people_feeds_the_tie_counts(world, now):
    boss = f.make_contact(account=world.account_a, name="刘建国")
    boss.email = "liu@hd.cn"
    db.session.flush()
    data = csv_bytes(
        [
            "客户名称",
            "拜访日期",
            "方式",
            "内容",
            "客户参与人",
            "我方人员",
            "费用",
            "下一步",
            "下一步日期",
        ],
        [
            "Huadong Power",
            "2026/11/02 10:00",
            "宴请",
            "晚宴",
            "刘建国; Zhang Wei",
            f"{world.rep_a.email}, {world.rep_a2.email}",
            "¥1,200",
            "发方案",
            "2026-11-25",
        ],
        ["Huadong Power", "2026-11-03", "", "电话跟进", "liu@hd.cn", world.rep_a.email, "", "", ""],
        ["Huadong Power", "2026-11-04", "拜访", "无人", "王五", world.rep_a.email, "", "", ""],
        ["Huadong Power", "2026-11-05", "拜访", "他人", "", "nobody@x.cn", "", "", ""],
    )
    imp = dry_run(data, world.director_a, now, kind="interactions")
    assert outcomes(imp) == {1: "create", 2: "create", 3: "error", 4: "error"}
    assert "王五" in messages(rows(imp)[3]) and "nobody@x.cn" in messages(rows(imp)[4])
    before = _pairs(world.account_a.id)
    commit(imp, world.director_a, now)
    meal = db.session.get(Interaction, rows(imp)[1].record_id)
    assert meal.kind.value == "meal" and str(meal.cost) == "1200.00"
    assert meal.owner_id == world.rep_a.id  # one of ours who was there, not the importer
    assert {c.id for c in meal.attendees} == {boss.id, world.contact_a.id}
    assert _pairs(world.account_a.id) != before
    kept = {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))}
    touches.rebuild()
    assert {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))} == kept
    again = dry_run(data, world.director_a, now, kind="interactions")
    assert outcomes(again)[1] == "unchanged" and outcomes(again)[2] == "unchanged"


def test_a_rep_imports_only_history_they_took_part_in(world, now):
    data = csv_bytes(
        ["account", "occurred_at", "summary", "participants"],
        ["Huadong Power", "2026-11-02", "mine", ""],
        ["Huadong Power", "2026-11-02", "theirs", world.rep_a2.email],
    )
    imp = dry_run(data, world.rep_a, now, kind="interactions")
    assert outcomes(imp) == {1: "create", 2: "error"}
    assert "your e-mail" in messages(rows(imp)[2])
    director = dry_run(data, world.director_a, now, kind="interactions")
    assert outcomes(director) == {1: "error", 2: "create"}  # someone of ours must be named


# Opportunities -----------------------------------------------------------------------------------


def test_a_deal_enters_at_its_stage_with_earlier_gates_not_verified(world, now):
    data = csv_bytes(
        ["客户", "商机名称", "金额", "流程", "阶段", "客户经理", "解决方案经理", "编号"],
        [
            "Huadong Power",
            "变电站改造",
            "120万",
            "大客户项目",
            "Negotiate",
            world.rep_a.email,
            world.rep_a2.email,
            "D-1",
        ],
    )
    imp = dry_run(data, world.director_a, now, kind="opportunities", source="旧CRM")
    assert outcomes(imp) == {1: "create"}, rows(imp)[1].errors
    commit(imp, world.director_a, now)
    deal = db.session.get(Opportunity, rows(imp)[1].record_id)
    playbook = f.registry.playbook(deal.playbook_version)
    stage = playbook.stage(deal.stage_key)
    assert deal.stage_key != playbook.first_stage.key and stage.name["en"] == "Negotiate"
    assert str(deal.amount) == "1200000.00" and "旧CRM" in deal.source
    assert {(r.role.value, r.user_id) for r in deal.roles} == {
        ("AR", world.rep_a.id),
        ("SR", world.rep_a2.id),
    }
    change = db.session.scalar(sa.select(StageChange).where(StageChange.opportunity_id == deal.id))
    assert change.move == Move.imported and change.gates_met is False
    page = detail.build(deal, world.director_a, now)
    keys = [s.key for s in playbook.stages]
    assert page.imported_at == deal.stage_key
    assert page.unverified == set(keys[: keys.index(deal.stage_key)])


def test_a_stage_named_in_chinese_and_an_existing_deal_is_never_moved(world, now):
    deal = f.make_opportunity(account=world.account_a, name="Old deal")
    playbook = f.registry.playbook(deal.playbook_version)
    later = playbook.stages[2]
    from salesflow.imports.models import ImportKey

    db.session.add(
        ImportKey(source="crm", kind="opportunities", external_id="D-9", record_id=deal.id)
    )
    db.session.flush()
    data = csv_bytes(
        ["account", "name", "stage", "amount", "external_id"],
        ["Huadong Power", "Old deal", later.name["zh"], "5000", "D-9"],
        ["Huadong Power", "New deal", later.name["zh"], "", ""],
        ["Huadong Power", "Bad stage", "谈判桌上", "", ""],
    )
    imp = dry_run(data, world.director_a, now, kind="opportunities", source="crm", mode="overwrite")
    assert outcomes(imp) == {1: "update", 2: "create", 3: "error"}
    assert "gates" in " ".join(rows(imp)[1].notes["stage"])
    commit(imp, world.director_a, now)
    assert deal.stage_key == playbook.first_stage.key and str(deal.amount) == "5000.00"
    new = db.session.get(Opportunity, rows(imp)[2].record_id)
    assert new.stage_key == later.key


def test_reps_do_not_import_deals(world, now):
    import pytest

    from salesflow.errors import Forbidden

    with pytest.raises(Forbidden):
        dry_run(
            csv_bytes(["account", "name"], ["Huadong Power", "x"]),
            world.rep_a,
            now,
            kind="opportunities",
        )


def test_interactions_logged_at_once_are_audited_and_counted_as_one_by_one(world, now):
    from datetime import timedelta

    from salesflow.audit.models import AuditEntry
    from salesflow.interactions import services

    data = {
        "account_id": world.account_a.id,
        "occurred_at": now - timedelta(days=2),
        "kind": "meal",
        "summary": "晚宴",
        "cost": "88.50",
        "next_step": "发方案",
        "participant_ids": [world.rep_a.id, world.rep_a2.id],
        "contact_ids": [world.contact_a.id],
    }
    one = services.log_interaction(dict(data), actor=world.director_a, now=now, owner=world.rep_a)
    (many,) = services.log_interactions(
        [(dict(data), world.rep_a)], actor=world.director_a, now=now
    )
    entries = {
        e.entity_id: e.changes
        for e in db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.entity_type == "interactions", AuditEntry.entity_id.in_([one.id, many])
            )
        )
    }
    assert entries[one.id] == entries[many]
    logged = db.session.get(Interaction, many)
    assert logged.owner_id == world.rep_a.id and logged.version == one.version == 1
    assert {u.id for u in logged.participants} == {world.rep_a.id, world.rep_a2.id}
    kept = {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))}
    touches.rebuild()
    assert {tuple(r) for r in db.session.execute(sa.select(TieTouch.__table__))} == kept
    problems: dict = {}
    bad = {**data, "participant_ids": [world.rep_a2.id]}
    assert services.log_interactions(
        [(bad, world.rep_a)], actor=world.director_a, now=now, refused=problems
    ) == [None]
    assert "participant_ids" in problems[0]
