"""Customer accounts for the demo: bilingual companies, their account teams, and a decision
chain of contacts per account (a reports_to tree with a decision maker, evaluators and a coach).

Everything is drawn from one seeded random.Random, so the same seed gives the same data.
"""

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from salesflow.demo import words
from salesflow.demo.people import Ids, Staff, person_name

# Key accounts first: 20% are tier A (PRODUCT.md, capability 1).
TIERS = (("A", 0.2), ("B", 0.3), ("C", 0.5))
CONTACTS_PER_TIER = {"A": (14, 22), "B": (9, 13), "C": (4, 8)}
LEFT_SHARE = 0.03  # contacts who have since left the customer
CROSS_TEAM_SHARE = 0.03  # accounts with a member from another team


@dataclass
class Customer:
    """One account and what hangs off it, ready for bulk insert."""

    account: dict
    members: list[dict]
    contacts: list[dict]
    english: bool
    # Our people on the account team, by role (AR, SR, FR, sponsor, member).
    team: dict[str, int] = field(default_factory=dict)


def _tier(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for tier, share in TIERS:
        total += share
        if roll < total:
            return tier
    return "C"


def company_name(rng: random.Random, city: tuple[str, str], english: bool) -> tuple:
    """(name, industry, website) of a company in `city`, Chinese or English."""
    industry, zh_word, en_word = rng.choice(words.INDUSTRIES)
    if english:
        brand = rng.choice(words.EN_BRANDS)
        name = f"{brand} {en_word} {rng.choice(words.EN_SUFFIXES)}"
        site = brand.lower().replace(" ", "") + ".example.com"
    else:
        brand, pinyin = rng.choice(words.BRANDS)
        name = f"{city[0]}{brand}{zh_word}{rng.choice(words.CN_SUFFIXES)}"
        site = f"{pinyin}-{zlib.crc32(name.encode()) % 997}.example.cn"
    return name, industry, site


def _unique(name: str, taken: set[str], city: tuple[str, str], english: bool) -> str:
    """Company names stay unique: a clash becomes a branch ("Suzhou branch" / "苏州分公司")."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({city[1]} {n})" if english else f"{name}{city[0]}第{n}分公司"
    taken.add(candidate)
    return candidate


def build_customer(
    rng: random.Random,
    staff: Staff,
    team_id: int,
    ids: Ids,
    now: datetime,
    taken: set[str],
    *,
    showcase: bool = False,
) -> Customer:
    """One account of `team_id` with its account team and decision chain. A `showcase` account
    (a team's first two) has the team's printed demo reps as its whole iron triangle."""
    _slug, _zh, _en, cities = staff.region_of[team_id]
    city = rng.choice(cities)
    english = rng.random() < 0.35
    name, industry, site = company_name(rng, city, english)
    created = now - timedelta(days=rng.randint(380, 1500))
    tier = _tier(rng)
    account = {
        "id": ids.take("accounts"),
        "name": _unique(name, taken, city, english),
        "industry": industry,
        "region": f"{city[0]} {city[1]}",
        "team_id": team_id,
        "tier": tier,
        "parent_id": None,
        "address": f"{city[1]}, {rng.randint(1, 999)} {'Century Avenue' if english else '人民路'}",
        "website": f"https://www.{site}",
        "notes": None,
        "created_by_id": staff.director_of[team_id],
        "created_at": created,
        "updated_at": created,
        "deleted_at": None,
        "version": 1,
    }
    customer = Customer(account=account, members=[], contacts=[], english=english)
    _account_team(rng, staff, customer, team_id, ids, showcase)
    customer.contacts = _decision_chain(rng, customer, ids, created, now)
    return customer


def _account_team(
    rng: random.Random, staff: Staff, customer: Customer, team_id: int, ids: Ids, showcase: bool
) -> None:
    """Every account has an AR; A and B accounts the whole iron triangle; A accounts an
    executive sponsor from leadership; a few have a member from another team."""
    reps, tier = staff.reps[team_id], customer.account["tier"]
    pick = (lambda pool: pool[0]) if showcase else rng.choice
    team = {"AR": pick(reps["AR"])}
    if tier in ("A", "B") or showcase or rng.random() < 0.3:
        team["SR"] = pick(reps["SR"])
    if tier in ("A", "B") or showcase:
        team["FR"] = pick(reps["FR"])
    if tier == "A":
        team["sponsor"] = rng.choice(staff.leaders + [staff.director_of[team_id]])
    others = [t for t in staff.reps if t != team_id]
    if others and rng.random() < CROSS_TEAM_SHARE:
        team["member"] = rng.choice(staff.reps[rng.choice(others)]["AR"])
    customer.team = team
    customer.members = [
        {
            "id": ids.take("account_members"),
            "account_id": customer.account["id"],
            "user_id": user_id,
            "role": role,
        }
        for role, user_id in team.items()
    ]


# (position, level, decision role, influence, attitudes to draw from)
_TOP = [("ceo", "executive", "decision_maker", "high", ("supporter", "neutral", "skeptic"))]
_MANAGEMENT = [
    ("cto", "management", "technical_evaluator", "high", ("supporter", "neutral", "skeptic")),
    ("cfo", "management", "influencer", "medium", ("neutral", "skeptic", "unknown")),
    ("procurement", "management", "procurement", "medium", ("neutral", "unknown")),
    ("cio", "management", "technical_evaluator", "high", ("champion", "supporter", "neutral")),
    ("operations", "management", "user", "medium", ("supporter", "neutral", "opponent")),
]
_STAFF = [
    ("pm", "operational", "coach", "medium", ("champion", "supporter")),
    ("office", "operational", "gatekeeper", "low", ("neutral", "supporter")),
    ("engineer", "operational", "technical_evaluator", "medium", ("supporter", "neutral")),
    ("analyst", "operational", "user", "low", ("neutral", "unknown", "supporter")),
    ("buyer", "operational", "procurement", "low", ("neutral", "unknown")),
    ("engineer", "operational", "user", "low", ("unknown", "neutral", "skeptic")),
]


def _decision_chain(
    rng: random.Random, customer: Customer, ids: Ids, created: datetime, now: datetime
) -> list[dict]:
    """The top person (a decision maker; a chairman above them on A accounts), a management
    layer reporting to them, and staff reporting to a manager. Managers come first in the list,
    so each contact's manager is inserted before them."""
    low, high = CONTACTS_PER_TIER[customer.account["tier"]]
    count = rng.randint(low, high)
    plan = list(_TOP)
    if customer.account["tier"] == "A":
        plan.insert(
            0, ("chairman", "executive", "decision_maker", "high", ("neutral", "supporter"))
        )
    plan += _MANAGEMENT[: max(2, min(len(_MANAGEMENT), count // 3))]
    leaders = len(plan)
    # One coach (our guide inside), then a gatekeeper, then evaluators, users and buyers.
    plan += _STAFF[:2] + [rng.choice(_STAFF[2:]) for _ in range(count)]
    contacts: list[dict] = []
    top_id = None
    for position, level, role, influence, attitudes in plan[: max(count, leaders + 1)]:
        if level == "operational":
            boss = rng.choice([c["id"] for c in contacts if c["level"] == "management"])
        else:
            boss = top_id
        contact = _contact(rng, customer, ids, position, boss, created)
        contact.update(
            level=level, decision_role=role, influence=influence, attitude=rng.choice(attitudes)
        )
        if level == "operational" and rng.random() < LEFT_SHARE:
            contact["left_on"] = (now - timedelta(days=rng.randint(5, 300))).date()
        contacts.append(contact)
        if level == "executive":
            top_id = contact["id"]
    return contacts


def _contact(
    rng: random.Random, customer: Customer, ids: Ids, position: str, boss, created: datetime
) -> dict:
    zh_title, en_title, zh_dept, en_dept = words.POSITIONS[position]
    zh_name, py_name, local = person_name(rng)
    english, detailed = customer.english, position not in ("analyst", "buyer")
    lang = 1 if english else 0
    name = f"{rng.choice(words.EN_GIVEN)} {py_name.split()[1]}" if english else zh_name
    domain = customer.account["website"].removeprefix("https://www.")
    pick = lambda pool: rng.choice(pool)[lang]  # noqa: E731
    return {
        "id": ids.take("contacts"),
        "account_id": customer.account["id"],
        "name": name,
        "title": en_title if english else zh_title,
        "department": en_dept if english else zh_dept,
        "reports_to_id": boss,
        "email": f"{local}{rng.randint(1, 99)}@{domain}",
        "phone": f"+86 1{rng.randint(30, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "background": pick(words.BACKGROUNDS) if detailed else None,
        "education": pick(words.EDUCATION) if detailed else None,
        "hometown": pick(words.HOMETOWNS),
        "interests": pick(words.INTERESTS),
        "preferences": pick(words.PREFERENCES) if detailed else None,
        "notes": pick(words.DO_DONT) if detailed and rng.random() < 0.6 else None,
        "left_on": None,
        "created_at": created,
        "updated_at": created,
        "deleted_at": None,
        "version": 1,
    }


def present_on(contact: dict, day: date) -> bool:
    """Whether the contact still worked at the customer on `day`."""
    return contact["left_on"] is None or contact["left_on"] > day
