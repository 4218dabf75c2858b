"""What the deal page offers to meet each unmet exit gate: a label and a link, for every gate type
of PLAYBOOKS.md (each type names its own action, playbooks.gates)."""

from datetime import date

from salesflow.opportunities import detail
from tests import factories as f


def _offers(deal, user, now) -> list[tuple[str, str | None, str | None]]:
    """(gate type, button label, link) per exit gate of the deal's stage, in file order."""
    rows = detail.build(deal, user, now).gates
    return [
        (r.result.gate, str(r.action_label) if r.action_label else None, r.action_url) for r in rows
    ]


def _back(deal) -> str:
    return f"/opportunities/{deal.id}"


def test_each_unmet_gate_offers_its_action(world, now):
    account = f.make_account(team=world.team_a, members={world.rep_a: "AR"})
    deal = f.make_opportunity(account=account, stage="shape", roles={world.rep_a: "AR"})
    chain, page = f"/accounts/{account.id}#decision-chain", f"/opportunities/{deal.id}"
    log_it = (
        f"/interactions/new?kind=tech_exchange&account_id={account.id}"
        f"&opportunity_id={deal.id}&next={_back(deal)}"
    )
    assert _offers(deal, world.rep_a, now) == [
        ("fields", "Fill in the fields", f"{page}/edit"),
        ("contacts", "Open the decision chain", chain),
        ("contacts", "Open the decision chain", chain),
        ("interactions", "Log it", log_it),
        ("contacted", "Log a contact", chain),  # nobody to meet yet: map them first
        ("checklist", "Go to the checklist", f"{page}#checklist"),
        ("approval", "Go to the decision points", f"{page}#decisions"),
    ]


def test_contacted_gate_offers_the_quick_log_with_the_current_people_of_its_role(world, now):
    account = f.make_account(team=world.team_a, members={world.rep_a: "AR"})
    zhou = f.make_contact(account=account, name="Zhou Min", decision_role="decision_maker")
    an = f.make_contact(account=account, name="An Qi", decision_role="decision_maker")
    f.make_contact(
        account=account, name="Bai Lu", decision_role="decision_maker", left_on=date(2026, 1, 5)
    )
    f.make_contact(account=account, name="Cao Yu", decision_role="decision_maker", deleted=True)
    f.make_contact(account=account, name="Du Fei", decision_role="coach")
    deal = f.make_opportunity(
        account=account, playbook="transactional", stage="quote", roles={world.rep_a: "AR"}
    )
    quick_log = (
        f"/interactions/new?kind=meeting&contact_ids={an.id}&contact_ids={zhou.id}"
        f"&account_id={account.id}&opportunity_id={deal.id}&next={_back(deal)}"
    )
    assert _offers(deal, world.rep_a, now)[0] == ("contacted", "Log a contact", quick_log)


def test_staffing_the_triangle_is_offered_only_to_those_who_may_reseat_it(world, now):
    deal = f.make_opportunity(account=world.account_a, roles={world.rep_a: "AR"})
    roles = ("roles", "Staff the iron triangle", f"/opportunities/{deal.id}/roles")
    assert _offers(deal, world.rep_a, now)[0] == roles  # the deal's AR
    assert _offers(deal, world.rep_a2, now)[0] == ("roles", None, None)  # works it, may not


def test_met_gates_offer_nothing(world, now):
    deal = f.make_opportunity(
        account=world.account_a, playbook="transactional", roles={world.rep_a: "AR"}
    )
    assert _offers(deal, world.rep_a, now) == [("roles", None, None), ("fields", None, None)]


def test_the_technical_exchange_is_logged_with_the_evaluators_the_sr_and_the_reader(world, now):
    account = f.make_account(team=world.team_a, members={world.rep_a: "AR"})
    wu = f.make_contact(account=account, name="Wu Tao", decision_role="technical_evaluator")
    bo = f.make_contact(account=account, name="Bo Yi", decision_role="technical_evaluator")
    f.make_contact(
        account=account,
        name="Ai Li",
        decision_role="technical_evaluator",
        left_on=date(2026, 1, 5),
    )
    f.make_contact(account=account, name="Mo Ran", decision_role="decision_maker")
    deal = f.make_opportunity(
        account=account, stage="shape", roles={world.rep_a: "AR", world.rep_a2: "SR"}
    )
    log_it = (
        f"/interactions/new?kind=tech_exchange&contact_ids={bo.id}&contact_ids={wu.id}"
        f"&participant_ids={world.rep_a.id}&participant_ids={world.rep_a2.id}"
        f"&account_id={account.id}&opportunity_id={deal.id}&next={_back(deal)}"
    )
    (offer,) = [o for o in _offers(deal, world.rep_a, now) if o[0] == "interactions"]
    assert offer == ("interactions", "Log it", log_it)
    # the SR follows the link: they are listed once
    (offer,) = [o for o in _offers(deal, world.rep_a2, now) if o[0] == "interactions"]
    assert f"participant_ids={world.rep_a2.id}&account_id" in offer[2]
    assert f"participant_ids={world.rep_a.id}" not in offer[2]
