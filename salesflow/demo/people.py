"""Our own people for the demo: teams (regions), directors, reps, leadership and an admin.

Rows are plain dicts for SQLAlchemy Core bulk inserts, ids assigned here. Every demo password is
hashed once (argon2 is slow on purpose) and shared by everyone of that role.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from salesflow.demo.words import GIVEN_NAMES, REGIONS, SURNAMES

PASSWORDS = {
    "admin": "demo-admin-1",
    "leadership": "demo-leader-1",
    "director": "demo-director-1",
    "rep": "demo-rep-1",
}
REP_KINDS = ("AR", "SR", "FR")  # the iron-triangle role a rep usually plays


class Ids:
    """The next free id per table, so rows can reference each other before they are inserted."""

    def __init__(self, start: dict[str, int]):
        self._next = dict(start)

    def take(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    name: str
    team: str


@dataclass
class Staff:
    teams: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    director_of: dict[int, int] = field(default_factory=dict)
    # team id -> rep kind (AR/SR/FR) -> user ids
    reps: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    leaders: list[int] = field(default_factory=list)
    region_of: dict[int, tuple] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def sizes(accounts: int) -> tuple[int, int]:
    """(teams, reps per team) for a data set of `accounts`: 3 regions and 4 reps each for the
    demo, growing to 10 regions and ~500 users at 10,000 accounts (PRODUCT.md, scale)."""
    teams = max(3, min(len(REGIONS), accounts // 1000))
    users = max(18, min(500, accounts // 20))
    return teams, max(4, (users - 3 - teams) // teams)


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """A Chinese name: (汉字, "Given Surname" in pinyin, e-mail local part)."""
    (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
    return sur + given, f"{given_py} {sur_py}", f"{given_py}.{sur_py}".lower()


def _user(ids: Ids, *, name: str, email: str, role: str, team_id, hashes, created) -> dict:
    return {
        "id": ids.take("users"),
        "name": name,
        "email": email,
        "password_hash": hashes[role],
        "role": role,
        "team_id": team_id,
        "active": True,
        "locale": None,
        "session_generation": 0,
        "created_at": created,
        "updated_at": created,
    }


def _add(staff: Staff, row: dict, *, team: str, show: bool) -> dict:
    staff.users.append(row)
    if show:
        password = PASSWORDS[row["role"]]
        staff.logins.append(DemoLogin(row["email"], password, row["role"], row["name"], team))
    return row


def build_staff(
    rng: random.Random, accounts: int, ids: Ids, hashes: dict[str, str], now: datetime
) -> Staff:
    """Teams with a director and reps of each iron-triangle kind, two leaders and an admin."""
    staff = Staff()
    created = now - timedelta(days=400)
    n_teams, reps_per_team = sizes(accounts)
    made = {"hashes": hashes, "created": created}
    admin = _user(
        ids, name="系统管理员 Admin", email="admin@example.com", role="admin", team_id=None, **made
    )
    _add(staff, admin, team="", show=True)
    for email, name in (("ceo@example.com", "陈杰 Chen Jie"), ("vp@example.com", "林慧 Lin Hui")):
        leader = _user(ids, name=name, email=email, role="leadership", team_id=None, **made)
        staff.leaders.append(_add(staff, leader, team="", show=True)["id"])
    for region in REGIONS[:n_teams]:
        slug, zh, en, _cities = region
        team_id = ids.take("teams")
        label = f"{zh} {en}"
        staff.teams.append(
            {
                "id": team_id,
                "name": label,
                "director_id": None,
                "created_at": created,
                "updated_at": created,
            }
        )
        staff.region_of[team_id] = region
        zh_name, py_name, _ = person_name(rng)
        director = _user(
            ids,
            name=f"{zh_name} {py_name}",
            email=f"director.{slug}@example.com",
            role="director",
            team_id=team_id,
            **made,
        )
        staff.director_of[team_id] = _add(staff, director, team=label, show=True)["id"]
        staff.reps[team_id] = {kind: [] for kind in REP_KINDS}
        for n in range(reps_per_team):
            # Half the reps are account managers (AR); the rest solution and fulfilment.
            kind = "AR" if n % 4 in (0, 2) else REP_KINDS[1 + (n % 4 == 3)]
            number = len(staff.reps[team_id][kind]) + 1
            zh_name, py_name, _ = person_name(rng)
            rep = _user(
                ids,
                name=f"{zh_name} {py_name}",
                role="rep",
                team_id=team_id,
                email=f"{kind.lower()}.{slug}.{number}@example.com",
                **made,
            )
            _add(staff, rep, team=label, show=number == 1)
            staff.reps[team_id][kind].append(rep["id"])
    return staff


def director_updates(staff: Staff) -> list[dict]:
    """Teams get their director after the users exist (the two tables refer to each other)."""
    return [
        {"team": team_id, "director": user_id} for team_id, user_id in staff.director_of.items()
    ]
