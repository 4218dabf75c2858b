"""Playbook versions in the database (PLAYBOOKS.md, Versions): stored once with their content,
a changed file under the same version is refused, running deals keep their version."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesflow.extensions import db
from salesflow.opportunities import moves
from salesflow.opportunities.models import StageChange
from salesflow.playbooks import check_playbooks_or_die, registry
from salesflow.playbooks.loader import load_text
from salesflow.playbooks.models import PlaybookVersion
from tests import factories as f

SHIPPED = Path(__file__).resolve().parents[2] / "playbooks"


def _transactional(version: int = 2, sla: str = "sla_days: 7") -> object:
    source = (SHIPPED / "transactional.yaml").read_text(encoding="utf-8")
    source = source.replace("version: 2", f"version: {version}").replace("sla_days: 7", sla)
    playbook, problems = load_text(source, "transactional.yaml")
    assert problems == []
    return playbook


def _rows(key: str) -> list[PlaybookVersion]:
    query = sa.select(PlaybookVersion).where(PlaybookVersion.key == key)
    return list(db.session.scalars(query.order_by(PlaybookVersion.version)))


def test_a_version_is_stored_once_with_its_text(ctx, now):
    first = registry.stored_version(_transactional(), now=now)
    again = registry.stored_version(_transactional(), now=now)
    assert first is again and [r.version for r in _rows("transactional")] == [2]
    assert registry.playbook(first).stage("qualify").sla_days == 7


def test_the_same_version_with_other_content_is_refused(ctx, now):
    registry.stored_version(_transactional(), now=now)
    with pytest.raises(registry.PlaybookError) as refused:
        registry.stored_version(_transactional(sla="sla_days: 9"), now=now)
    assert "transactional.yaml:3: playbook transactional version 2 was loaded before" in str(
        refused.value
    )
    assert [r.version for r in _rows("transactional")] == [2]


def test_the_app_refuses_to_start_when_a_stored_version_changed(app, ctx, now):
    registry.stored_version(_transactional(sla="sla_days: 9"), now=now)  # "loaded before"
    db.session.flush()
    with pytest.raises(SystemExit) as refused:
        check_playbooks_or_die(app)
    assert "raise its version" in str(refused.value.code)


def test_a_new_version_does_not_move_running_deals(world, now):
    deal = f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}
    )
    newer = registry.stored_version(_transactional(version=3, sla="sla_days: 30"), now=now)
    assert deal.playbook_version_id != newer.id
    assert registry.playbook(deal.playbook_version).stage("qualify").sla_days == 7
    moves.advance(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    assert deal.playbook_version.version == 2 and deal.stage_key == "quote"


def test_sync_command_stores_every_playbook_of_the_folder(app, ctx):
    result = app.test_cli_runner().invoke(args=["playbooks", "sync"])
    assert result.exit_code == 0, result.output
    assert "enterprise version 2 loaded" in result.output
    assert [r.key for r in db.session.scalars(sa.select(PlaybookVersion))] == [
        "enterprise",
        "transactional",
    ]


def test_a_director_moves_a_running_deal_to_the_newest_version(world, now):
    from salesflow.errors import Forbidden
    from salesflow.opportunities.models import Move

    deal = f.make_opportunity(account=world.account_a, playbook="transactional", stage="quote")
    newer = registry.stored_version(_transactional(version=3, sla="sla_days: 30"), now=now)
    assert moves.newer_version(deal) is newer
    with pytest.raises(Forbidden):
        moves.migrate(deal, {"version": deal.version}, actor=world.rep_a, now=now)
    moves.migrate(deal, {"version": deal.version}, actor=world.director_a, now=now)
    assert deal.playbook_version_id == newer.id and deal.stage_key == "quote"
    assert moves.newer_version(deal) is None
    history = db.session.scalars(
        sa.select(StageChange).where(StageChange.opportunity_id == deal.id)
    ).all()
    assert [(c.move, c.reason) for c in history] == [(Move.migrated, "v2 → v3")]
