"""The iron-triangle gaps kept per deal (pipeline/triangle_gaps.py): the review's gap list read
from them equals the live test of every deal's seats — for each reader and filter, once built,
and after every kind of change in the same transaction: a seat filled, emptied, handed to
someone else or moved to another deal, a deal created, moved, closed, reopened, deleted or
removed, a person deactivated or reactivated, an account moved to another team, a bulk
statement."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.opportunities.models import Opportunity, OpportunityRole, Status, TriangleRole
from salesflow.pipeline import aggregate, figures, triangle_gaps
from salesflow.pipeline.figures import triangle
from salesflow.pipeline.models import PipelineTriangleBuild, PipelineTriangleGap
from tests import factories as f
from tests.conftest import sql_statements

FILTERS = [
    figures.Filters(),
    figures.Filters(playbook="enterprise"),
    figures.Filters(playbook="transactional"),
]


def _gaps(user, chosen, now):
    found = figures.triangle_gaps(user, chosen, now=now)
    return found.total, found.shown


def _assert_equal(world, now, monkeypatch):
    """The kept rows are exactly the deals, not deleted, the live rule finds, and every reader's
    list read from them equals the live one."""
    live_ids = set(
        db.session.scalars(
            sa.select(Opportunity.id).where(
                Opportunity.deleted_at.is_(None), triangle.triangle_gap(figures.versions())
            )
        )
    )
    assert set(db.session.scalars(sa.select(PipelineTriangleGap.opportunity_id))) == live_ids
    readers = (world.leader, world.admin, world.director_a, world.director_b)
    for user in readers:
        for chosen in (
            *FILTERS,
            figures.Filters(team_id=world.team_b.id),
            figures.Filters(user_id=world.rep_a2.id),
        ):
            kept = _gaps(user, chosen, now)
            with monkeypatch.context() as live:
                live.setattr(triangle, "kept_ids", lambda *_args: None)
                assert kept == _gaps(user, chosen, now), (user.name, chosen)


@pytest.fixture
def built(world, deals, now):
    """validate asks for AR and SR, bid for AR, SR and FR, transactional's qualify for AR."""
    deals["b_bid"] = f.make_opportunity(
        account=world.account_b,
        stage="bid",
        roles={world.rep_b: "AR", world.rep_a2: "SR", world.director_b: "FR"},
    )
    deals["a_qualify"] = f.make_opportunity(
        account=world.account_a, playbook="transactional", stage="qualify", amount=Decimal(5)
    )
    deals["a_validate_held"] = f.make_opportunity(
        account=world.account_a, stage="validate", roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )
    aggregate.rebuild(now=now)  # the morning's build tests the seats too
    return deals


def test_the_kept_gaps_equal_live_once_built(world, built, now, monkeypatch):
    assert db.session.scalar(sa.select(PipelineTriangleBuild)) is not None
    kept = set(db.session.scalars(sa.select(PipelineTriangleGap.opportunity_id)))
    assert built["a_qualify"].id in kept and built["a_validate_held"].id not in kept
    assert built["b_bid"].id not in kept
    _assert_equal(world, now, monkeypatch)


def test_the_review_reads_the_kept_gaps(world, built, now):
    """Proof that the stored rows are read: a change made behind their back (never done by the
    app) shows until the next build."""
    db.session.execute(sa.delete(PipelineTriangleGap.__table__))
    assert figures.triangle_gaps(world.leader, figures.Filters(), now=now).total == 0
    triangle_gaps.rebuild(now=now)
    assert figures.triangle_gaps(world.leader, figures.Filters(), now=now).total > 0


def test_every_change_of_a_seat_is_kept_in_its_transaction(world, built, now, monkeypatch):
    held = built["a_validate_held"]
    sr = next(r for r in held.roles if r.role == TriangleRole.SR)
    db.session.delete(sr)  # emptied
    built["a_qualify"].roles.append(OpportunityRole(user_id=world.rep_a.id, role=TriangleRole.AR))
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    fr = next(r for r in built["b_bid"].roles if r.role == TriangleRole.FR)
    fr.user_id = world.rep_a2.id  # handed to someone else
    ar = next(r for r in built["a_qualify"].roles if r.role == TriangleRole.AR)
    ar.opportunity_id = built["a_validate"].id  # moved to another deal
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_every_change_of_a_deal_is_kept_in_its_transaction(world, built, now, monkeypatch):
    built["a_validate_held"].stage_key = "bid"  # moved to a stage asking for the FR too
    built["a_qualify"].status = Status.lost
    f.make_opportunity(account=world.account_b, stage="negotiate")  # a new one
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    built["a_qualify"].status = Status.open  # reopened
    built["b_validate"].deleted_at = now
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    db.session.delete(built["a_qualify"])  # removed
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_a_person_deactivated_leaves_their_seats_empty(world, built, now, monkeypatch):
    world.rep_a2.active = False
    db.session.flush()
    assert built["b_bid"].id in set(
        db.session.scalars(sa.select(PipelineTriangleGap.opportunity_id))
    )
    _assert_equal(world, now, monkeypatch)
    db.session.expire_all()  # reactivated by someone whose old value was never loaded
    db.session.get(User, world.rep_a2.id).active = True
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_an_account_moving_team_or_deleted_moves_its_gaps(world, built, now, monkeypatch):
    world.account_a.team_id = world.team_b.id
    db.session.flush()
    _assert_equal(world, now, monkeypatch)
    world.account_b.deleted_at = now
    db.session.flush()
    _assert_equal(world, now, monkeypatch)


def test_a_bulk_statement_is_tested_again_at_the_commit(world, built, now, monkeypatch):
    db.session.execute(sa.update(User).where(User.id == world.rep_a.id).values(active=False))
    db.session.execute(
        sa.delete(OpportunityRole).where(OpportunityRole.opportunity_id == built["b_bid"].id)
    )
    db.session.commit()
    _assert_equal(world, now, monkeypatch)


def test_the_gap_list_reads_a_fixed_number_of_queries(world, built, now):
    with sql_statements() as few:
        figures.triangle_gaps(world.leader, figures.Filters(), now=now)
    for _ in range(30):
        f.make_opportunity(account=world.account_a, playbook="transactional", stage="qualify")
    db.session.flush()
    with sql_statements() as many:
        figures.triangle_gaps(world.leader, figures.Filters(), now=now)
    assert len(many) == len(few)
