"""Deals that show the process at work, on each team's two showcase accounts (the first two of
the team, worked by its printed demo reps), next to the deals drawn at random:

- on the first: an enterprise deal in "shape" with every criterion met, waiting for the director's
  approve-to-bid; a deal in "negotiate" over its SLA; a transactional deal just quoted;
- on the second, whose decision makers nobody has met for weeks: an enterprise deal in "validate"
  with one checklist item still open, and one in "bid" whose only unmet criterion is that the
  decision maker was last met too long ago.
"""

from datetime import date

from salesflow.demo import words
from salesflow.demo.customers import Customer
from salesflow.demo.deals import DealMaker, Deals, Spec
from salesflow.demo.history import History, add_interaction
from salesflow.demo.people import Ids

QUIET_DAYS = 40  # the second account's decision makers were last met before this
LAST_MET_DAYS = 44  # ... at a meeting this many days ago


def showcase_of(count: int, teams: int) -> int:
    """1 for a team's first account, 2 for its second, else 0 (accounts go round the teams)."""
    return (count - 1) // teams + 1 if count <= 2 * teams else 0


def _items(maker: DealMaker, key: str, stage: str) -> tuple[str, ...]:
    return tuple(item.key for item in maker.lines[key].playbook.stage(stage).checklist)


def _specs(maker: DealMaker, which: int) -> list[Spec]:
    enterprise, transactional = words.ENTERPRISE_DEALS, words.TRANSACTIONAL_DEALS
    if which == 1:
        return [
            Spec(
                "enterprise",
                "shape",
                days_in_stage=19,
                name=enterprise[0],
                roles=("SR",),
                ticked=_items(maker, "enterprise", "shape"),
                requested=True,
                filled=True,
            ),
            Spec(
                "enterprise",
                "negotiate",
                days_in_stage=38,
                name=enterprise[2],
                roles=("SR", "FR"),
                requested=False,
                filled=True,
            ),
            Spec("transactional", "quote", days_in_stage=3, name=transactional[0], ticked=()),
        ]
    return [
        Spec(
            "enterprise",
            "validate",
            days_in_stage=12,
            name=enterprise[3],
            roles=("SR",),
            ticked=_items(maker, "enterprise", "validate")[:2],
            filled=True,
        ),
        Spec(
            "enterprise",
            "bid",
            days_in_stage=16,
            name=enterprise[7],
            roles=("SR", "FR"),
            ticked=_items(maker, "enterprise", "bid"),
            filled=True,
        ),
    ]


def add_deals(maker: DealMaker, deals: Deals, customer: Customer, which: int) -> list[dict]:
    """The showcase deals of the account (none unless both shipped playbooks are there). The
    account keeps its coach, so the shape deal's coach criterion holds."""
    if not {"enterprise", "transactional"} <= set(maker.lines):
        return []
    for contact in customer.contacts:
        if contact["decision_role"] == "coach":
            contact["left_on"] = None
    return [maker.add(deals, customer, spec) for spec in _specs(maker, which)]


def add_meetings(
    history: History,
    maker: DealMaker,
    customer: Customer,
    ids: Ids,
    showcase: list[dict],
    today: date,
) -> None:
    """What the showcase deals' criteria look at: a technical exchange and a visit to the
    decision maker on the shape deal; the bid deal's last meeting with the decision maker."""
    if not showcase:
        return
    people = [c for c in customer.contacts if c["left_on"] is None]
    top = [c for c in people if c["decision_role"] == "decision_maker"][:1]
    team, rng, now = customer.team, maker.rng, maker.now

    def meet(deal_id: int, days_ago: float, kind: str, theirs: list[dict], owner: int) -> None:
        row = add_interaction(
            history,
            rng,
            customer,
            ids,
            now,
            days_ago=days_ago,
            today=today,
            owner=owner,
            kind=kind,
            theirs=theirs,
        )
        row["opportunity_id"] = deal_id

    by_stage = {row["stage_key"]: row["id"] for row in showcase}
    if "shape" in by_stage:
        evaluators = [c for c in people if c["decision_role"] in ("technical_evaluator", "coach")]
        meet(by_stage["shape"], 12, "tech_exchange", evaluators[:3], team["SR"])
        meet(by_stage["shape"], 6, "visit", top, team["AR"])
    if "bid" in by_stage:
        meet(by_stage["bid"], LAST_MET_DAYS, "meeting", top, team["AR"])
