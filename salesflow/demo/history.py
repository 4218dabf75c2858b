"""The contact history of a demo account: interactions over the last 12 months, who took part
on both sides, outcomes, next steps (most done, some overdue, some coming up) and costs."""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from salesflow.demo import words
from salesflow.demo.customers import Customer, present_on
from salesflow.demo.people import Ids

# Interactions per account by tier, before a ±40% spread: ~1,000,000 for 10,000 accounts.
PER_TIER = {"A": 220, "B": 105, "C": 50}
KINDS = (
    ("visit", 25),
    ("call", 20),
    ("meeting", 15),
    ("email", 12),
    ("meal", 8),
    ("tech_exchange", 8),
    ("site_visit", 4),
    ("exec_visit", 3),
    ("event", 3),
    ("other", 2),
)
_KIND_NAMES = [k for k, _ in KINDS]
_KIND_WEIGHTS = [w for _, w in KINDS]
COST = {
    "meal": (300, 5000),
    "exec_visit": (2000, 20000),
    "event": (1000, 10000),
    "site_visit": (0, 3000),
}
# Of the interactions while deals of the account were running, the share about one of them.
LINK_SHARE = 0.7


class History:
    """Rows of interactions and their two association tables, for bulk insert."""

    def __init__(self) -> None:
        self.interactions: list[dict] = []
        self.participants: list[dict] = []
        self.attendees: list[dict] = []


def _occurred(rng: random.Random, now: datetime, days_ago: float) -> datetime:
    """A time in China's working day (09:00–18:00 = 01:00–10:00 UTC), never in the future."""
    day = (now - timedelta(days=days_ago)).date()
    at = datetime.combine(day, time(1), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))
    return min(at, now - timedelta(minutes=rng.randint(30, 600)))


def _next_step(rng: random.Random, occurred: datetime, now: datetime, today: date) -> tuple:
    """(next_step_due, done_at): recent ones often still open, old ones mostly done."""
    recent = (now - occurred).days < 30
    if rng.random() > (0.7 if recent else 0.4):
        return None, None
    due = occurred.date() + timedelta(days=rng.randint(2, 20))
    if due >= today or rng.random() < (0.5 if recent else 0.05):
        return due, None  # coming up, or overdue and still open
    done = datetime.combine(due, time(2), tzinfo=UTC) + timedelta(hours=rng.randint(-72, 24))
    return due, min(done, now)


def _who(
    rng: random.Random, customer: Customer, kind: str, p_ar: float, owner: int | None
) -> list[int]:
    """Our participants, the owner (who logged it) first."""
    team = customer.team
    others = [uid for role, uid in team.items() if role != "AR"]
    if owner is None:
        owner = team["AR"] if not others or rng.random() < p_ar else rng.choice(others)
    people = [owner]
    if kind == "exec_visit" and "sponsor" in team:
        people.append(team["sponsor"])
    elif rng.random() < 0.35 and len(team) > 1:
        people.append(rng.choice(list(team.values())))
    return list(dict.fromkeys(people))


def _theirs(
    rng: random.Random, customer: Customer, kind: str, day: date, quiet: bool
) -> list[dict]:
    """The customer's people who took part: present that day; no decision maker when `quiet`."""
    present = [
        c
        for c in customer.contacts
        if present_on(c, day) and not (quiet and c["decision_role"] == "decision_maker")
    ]
    if not present:
        return []
    count = {"tech_exchange": 3, "meeting": 3, "event": 4}.get(kind, 2)
    chosen = rng.sample(present, min(len(present), rng.randint(1, count)))
    if kind == "exec_visit" and present[0] not in chosen:
        chosen.insert(0, present[0])  # our executives meet their top person
    return chosen


def add_interaction(
    history: History,
    rng: random.Random,
    customer: Customer,
    ids: Ids,
    now: datetime,
    *,
    days_ago: float,
    today: date,
    p_ar: float = 0.6,
    owner: int | None = None,
    quiet: bool = False,
    kind: str | None = None,
    theirs: list[dict] | None = None,
) -> dict:
    """One interaction of the customer's account with its participants and attendees (`kind`
    and `theirs` drawn unless given)."""
    kind = kind or rng.choices(_KIND_NAMES, _KIND_WEIGHTS)[0]
    occurred = _occurred(rng, now, days_ago)
    ours = _who(rng, customer, kind, p_ar, owner)
    if theirs is None:
        theirs = _theirs(rng, customer, kind, occurred.date(), quiet)
    lang = "en" if customer.english else "zh"
    topic = rng.choice(words.TOPICS)[lang == "en"]
    who = theirs[0]["name"] if theirs else ("the customer" if lang == "en" else "客户")
    due, done = _next_step(rng, occurred, now, today)
    low_high = COST.get(kind)
    row = {
        "id": ids.take("interactions"),
        "account_id": customer.account["id"],
        "opportunity_id": None,
        "occurred_at": occurred,
        "kind": kind,
        "owner_id": ours[0],
        "summary": rng.choice(words.SUMMARIES[lang]).format(who=who, topic=topic),
        "outcome": rng.choice(words.OUTCOMES[lang]) if rng.random() < 0.7 else None,
        "next_step": rng.choice(words.NEXT_STEPS[lang]) if due else None,
        "next_step_due": due,
        "next_step_done_at": done,
        "cost": Decimal(rng.randint(*low_high)) if low_high else None,
        "created_at": occurred,
        "updated_at": occurred,
        "deleted_at": None,
        "version": 1,
    }
    history.interactions.append(row)
    history.participants += [{"interaction_id": row["id"], "user_id": uid} for uid in ours]
    history.attendees += [{"interaction_id": row["id"], "contact_id": c["id"]} for c in theirs]
    return row


def build_history(
    history: History,
    rng: random.Random,
    customer: Customer,
    ids: Ids,
    now: datetime,
    today: date,
    *,
    deals: Sequence[dict] = (),
    quiet_days: float = 0,
) -> None:
    """The account's year of contact history. How much one person carries varies by account
    (some are single-threaded on their AR, some well spread), as the dependency report needs.
    Many interactions work on one of the account's `deals` (opportunity rows) running at the
    time; no decision maker takes part in the last `quiet_days`."""
    count = round(PER_TIER[customer.account["tier"]] * rng.uniform(0.6, 1.4))
    p_ar = rng.choice((0.9, 0.6, 0.4))
    spans = [(d["id"], d["created_at"], d["closed_at"] or now) for d in deals]
    for _ in range(count):
        days_ago = rng.uniform(0, 365)
        row = add_interaction(
            history,
            rng,
            customer,
            ids,
            now,
            days_ago=days_ago,
            today=today,
            p_ar=p_ar,
            quiet=days_ago < quiet_days,
        )
        row["opportunity_id"] = _deal_for(rng, spans, row["occurred_at"])


def _deal_for(
    rng: random.Random, spans: list[tuple[int, datetime, datetime]], occurred: datetime
) -> int | None:
    """A deal the interaction worked on: one running when it happened (created, not yet
    closed), or none."""
    if not spans or rng.random() >= LINK_SHARE:
        return None
    running = [deal_id for deal_id, start, end in spans if start <= occurred <= end]
    return rng.choice(running) if running else None


def add_my_day(
    history: History,
    rng: random.Random,
    customer: Customer,
    ids: Ids,
    now: datetime,
    *,
    today: date,
    owner: int,
) -> None:
    """Next steps of `owner` due today, soon, and overdue, so their "My day" has something."""
    for days_ago, due_in in ((1, 0), (2, 1), (3, 4), (9, -2)):
        row = add_interaction(
            history, rng, customer, ids, now, days_ago=days_ago, today=today, owner=owner
        )
        lang = "en" if customer.english else "zh"
        row["next_step"] = rng.choice(words.NEXT_STEPS[lang])
        row["next_step_due"], row["next_step_done_at"] = today + timedelta(days=due_in), None
