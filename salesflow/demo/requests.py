"""The demo's requests between our people: on some open deals the AR has asked the deal's SR (or
FR, for a delivery plan) for a service — some still open or being worked, some overdue, most of
the older ones delivered and rated, a few declined, some asked as a rush (issue 16).

Drawn from a generator of their own, seeded by the deal's id, so adding them changes nothing
else the demo draws. Rows are plain dicts for bulk insert, like the deals'.
"""

import random
from datetime import date, datetime, timedelta

from salesflow import clock
from salesflow.requests.kinds import DEFAULT_KINDS

SHARE = 0.15  # open deals whose AR asked for a service
SEED = 1616
KINDS = ("solution_workshop", "demo", "poc", "quote", "reference_call", "legal", "delivery_plan")
LEADS = (1, 2, 3, 5, 5, 8, 10, 15)  # working days given
# (zh, en) per kind: the title asked with
TITLES = {
    "solution_workshop": ("方案交流会", "Solution workshop with the customer's engineers"),
    "demo": ("产品演示", "Product demo for the project team"),
    "poc": ("概念验证测试环境", "Proof of concept environment"),
    "quote": ("报价单", "Quote for the proposed scope"),
    "reference_call": ("样板客户交流", "Reference call with a customer like them"),
    "legal": ("合同条款审核", "Review of the contract terms"),
    "delivery_plan": ("交付计划", "Delivery plan and timeline"),
}
RUSH = ("客户提前了评审会", "The customer moved the review meeting forward")
DELIVERED = ("已完成，材料已发送", "Done; the material is sent")
DECLINED = ("本周资源已排满", "No one is free this week")
RATING_WEIGHTS = (1, 2, 6, 14, 12)  # 1…5 stars
# What a request's outcome sets; every row carries every column (a bulk insert takes its
# columns from the first row).
OUTCOME = ["accepted_at", "done_at", "reason", "delivered", "rating", "rating_comment", "rating_at"]
EMPTY = dict.fromkeys(["details", "stage_key", "gate_key", "rush_reason", *OUTCOME])


def add_requests(
    deals, row: dict, seats: dict[str, int], ids, when: tuple[datetime, date], lang: int
) -> None:
    """Perhaps a request on this open deal (and its history), appended to `deals`; `when` is
    the demo's moment and its company day."""
    rng = random.Random(SEED * 1_000_003 + row["id"])
    if row["status"] != "open" or rng.random() >= SHARE:
        return
    kind = rng.choice(KINDS)
    assignee = seats.get("FR" if kind == "delivery_plan" else "SR")
    if assignee is None or assignee == seats["AR"]:
        return
    request = _request(rng, kind, row, seats["AR"], assignee, ids, when, lang)
    deals.requests.append(request)
    deals.request_changes += _history(request, ids, seats["AR"], assignee)


def _request(rng, kind, row, asker, assignee, ids, when, lang) -> dict:
    now, today = when
    at = (now - timedelta(days=rng.uniform(1, 45))).replace(microsecond=0)
    asked_on = today - timedelta(days=(now - at).days)
    lead = rng.choice(LEADS)
    needed_by = clock.add_working_days(asked_on, lead, holidays=())
    rush = lead < DEFAULT_KINDS[kind]
    request = {
        **EMPTY,
        "id": ids.take("internal_requests"),
        "kind": kind,
        "title": TITLES[kind][lang],
        "account_id": row["account_id"],
        "opportunity_id": row["id"],
        "requester_id": asker,
        "assignee_id": assignee,
        "needed_by": needed_by,
        "rush": rush,
        "rush_reason": RUSH[lang] if rush else None,
        "created_at": at,
        "rating_dismissed": False,
        "version": 1,
    }
    request.update(_outcome(rng, at, needed_by, today, now, lang))
    return request


def _outcome(rng, at: datetime, needed_by: date, today: date, now: datetime, lang: int) -> dict:
    """Where it stands now: older ones mostly delivered (a few late) and often rated, a few
    declined; recent ones open, accepted or being worked."""
    nothing = dict.fromkeys(OUTCOME)
    roll = rng.random()
    if needed_by >= today or roll < 0.15:
        status = rng.choice(("open", "accepted", "in_progress"))
        accepted = None if status == "open" else at + timedelta(hours=rng.uniform(1, 20))
        return {**nothing, "status": status, "accepted_at": accepted}
    accepted = at + timedelta(hours=rng.uniform(1, 20))
    days = (needed_by - at.date()).days + rng.choice((-2, -1, 0, 0, 0, 1, 3))
    done = min(max(accepted + timedelta(hours=2), at + timedelta(days=days)), now)
    if roll < 0.25:
        return {**nothing, "status": "declined", "done_at": done, "reason": DECLINED[lang]}
    rated = rng.random() < 0.6
    return {
        **nothing,
        "status": "done",
        "accepted_at": accepted,
        "done_at": done,
        "delivered": DELIVERED[lang],
        "rating": rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0] if rated else None,
        "rating_at": min(done + timedelta(hours=5), now) if rated else None,
    }


def _history(request: dict, ids, asker: int, assignee: int) -> list[dict]:
    """The request's status changes as the service would have recorded them."""
    steps = [(None, "open", asker, request["created_at"], None)]
    if request["accepted_at"] is not None:
        steps.append(("open", "accepted", assignee, request["accepted_at"], None))
    if request["status"] == "in_progress":
        steps.append(("accepted", "in_progress", assignee, request["accepted_at"], None))
    if request["status"] in ("done", "declined"):
        before = steps[-1][1]
        words = request["delivered"] or request["reason"]
        steps.append((before, request["status"], assignee, request["done_at"], words))
    return [
        {
            "id": ids.take("internal_request_changes"),
            "request_id": request["id"],
            "from_status": before,
            "to_status": after,
            "comment": comment,
            "actor_id": actor,
            "at": at,
        }
        for before, after, actor, at, comment in steps
    ]
