"""A customer entered twice, with everything a merge has to move: the fixture of the merge tests.

| record        | survivor "Huadong Power"     | duplicate "华东电力(上海)有限公司"          |
|---------------|------------------------------|---------------------------------------------|
| website       | https://huadong.com          | www.huadong.com/about                       |
| account team  | rep AR, rep2 SR              | rep AR (the same seat), rep3 FR             |
| contacts      | boss, zhang (zw@huadong.com) | boss2, zhang2 (ZW@…, reports to boss2)      |
| interactions  | meeting (boss, zhang);       | meeting2 (zhang2, boss2), gone (deleted)    |
|               | shared (zhang and zhang2)    |                                             |
| deals         | -                            | deal, with rep3 as AR                       |
| child account | -                            | child "Huadong Grid Services"               |
| handovers     | h1 (both accounts)           | h1, h2 (the duplicate only)                 |

All in team North, whose director is `director`; `admin` sees everything.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from salesflow import clock
from salesflow.auth.models import Role
from salesflow.extensions import db
from salesflow.handovers.models import Handover, HandoverAccount
from tests import factories as f

# Every table a merge may change; the columns a merge and its undo move forward anyway
# (the version counter, the time of the last change) are left out of the comparison.
DUMPED = [
    "accounts",
    "contacts",
    "interactions",
    "interaction_attendees",
    "interaction_participants",
    "opportunities",
    "opportunity_roles",
    "account_members",
    "handover_accounts",
    "tie_touches",
]
MOVING = {"version", "updated_at"}


def dump() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a merge touches, sorted, without version and updated_at."""
    found = {}
    for name in DUMPED:
        table = db.metadata.tables[name]
        columns = [c for c in table.c if c.name not in MOVING]
        rows = db.session.execute(sa.select(*columns)).all()
        found[name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return found


def touch_rows() -> list[tuple[int, ...]]:
    from salesflow.ties.models import TieTouch

    return sorted(
        db.session.execute(
            sa.select(
                TieTouch.account_id,
                TieTouch.contact_id,
                TieTouch.user_id,
                TieTouch.day,
                TieTouch.touches,
            )
        ).all()
    )


def equals_rebuild() -> bool:
    """The running tie counts are what `flask ties rebuild` computes from the interactions."""
    from salesflow.ties import touches

    kept = touch_rows()
    touches.rebuild()
    return kept == touch_rows()


@dataclass
class Twins:
    team: Any
    director: Any
    admin: Any
    rep: Any
    rep2: Any
    rep3: Any
    survivor: Any
    duplicate: Any
    child: Any
    boss: Any
    zhang: Any
    boss2: Any
    zhang2: Any
    deal: Any
    meeting: Any
    meeting2: Any
    gone: Any
    shared: Any
    h1: Any
    h2: Any


def make_twins() -> Twins:
    team = f.make_team(name="North")
    director = f.make_user(role=Role.director, team=team, name="Director North")
    team.director_id = director.id
    admin = f.make_user(role=Role.admin, name="Admin")
    rep = f.make_user(team=team, name="Li Ming")
    rep2 = f.make_user(team=team, name="Zhao Lei")
    rep3 = f.make_user(team=team, name="Sun Hao")
    survivor = f.make_account(team=team, name="Huadong Power", members={rep: "AR", rep2: "SR"})
    survivor.website = "https://huadong.com"
    duplicate = f.make_account(
        team=team,
        name="华东电力(上海)有限公司",
        tier="A",
        industry=None,
        members={rep: "AR", rep3: "FR"},
    )
    duplicate.website = "www.huadong.com/about"
    duplicate.region = "East"
    child = f.make_account(team=team, name="Huadong Grid Services")
    child.parent_id = duplicate.id
    boss = f.make_contact(account=survivor, name="Wang Qiang", decision_role="decision_maker")
    zhang = f.make_contact(account=survivor, name="Zhang Wei", influence="high")
    zhang.email = "zw@huadong.com"
    boss2 = f.make_contact(account=duplicate, name="Liu Bo", decision_role="decision_maker")
    zhang2 = f.make_contact(account=duplicate, name="Zhang  Wei", reports_to=boss2)
    zhang2.email, zhang2.phone, zhang2.hometown = "ZW@huadong.com", "138 1234 5678", "Suzhou"
    deal = f.make_opportunity(account=duplicate, roles={rep3: "AR"})
    meeting = f.make_interaction(account=survivor, owner=rep, contacts=[boss, zhang], days_ago=3)
    meeting2 = f.make_interaction(
        account=duplicate,
        owner=rep3,
        participants=[rep3, rep],
        contacts=[zhang2, boss2],
        days_ago=10,
    )
    gone = f.make_interaction(account=duplicate, owner=rep3, contacts=[zhang2], deleted=True)
    # someone logged the same person twice on one meeting (both cards existed)
    shared = f.make_interaction(account=survivor, owner=rep2, contacts=[zhang, zhang2], days_ago=1)
    now = clock.now()
    due = (now + timedelta(days=9)).date()
    h1 = Handover(from_user_id=rep.id, to_user_id=rep2.id, due_date=due, created_by_id=director.id)
    h1.accounts = [
        HandoverAccount(
            account_id=survivor.id,
            roles={"team": ["AR"], "opportunities": []},
            key_contact_ids=[boss.id, zhang.id],
            risk_before="high",
        ),
        HandoverAccount(
            account_id=duplicate.id,
            roles={"team": ["AR"], "opportunities": []},
            key_contact_ids=[boss2.id],
            risk_before="medium",
        ),
    ]
    h2 = Handover(from_user_id=rep3.id, to_user_id=rep.id, due_date=due, created_by_id=director.id)
    h2.accounts = [
        HandoverAccount(
            account_id=duplicate.id,
            roles={"team": ["FR"], "opportunities": [[deal.id, "AR"]]},
            key_contact_ids=[boss2.id, zhang2.id],
            risk_before="high",
        ),
    ]
    db.session.add_all([h1, h2])
    db.session.flush()
    return Twins(
        team,
        director,
        admin,
        rep,
        rep2,
        rep3,
        survivor,
        duplicate,
        child,
        boss,
        zhang,
        boss2,
        zhang2,
        deal,
        meeting,
        meeting2,
        gone,
        shared,
        h1,
        h2,
    )


@pytest.fixture
def twins(ctx, now) -> Twins:
    return make_twins()
