"""The demo generator without a database: deterministic, realistic proportions."""

import random
from collections import Counter
from datetime import date

from config import BASE_DIR
from salesflow.demo.deals import Line
from salesflow.demo.loader import _Batch, _Generator
from salesflow.demo.people import Ids, build_staff, sizes
from salesflow.playbooks.loader import load_playbooks
from tests.conftest import FROZEN_NOW

TODAY = date(2026, 11, 20)


def shipped_lines() -> dict[str, Line]:
    """The shipped playbooks as if stored with version ids 1 and 2."""
    playbooks, problems = load_playbooks(BASE_DIR / "playbooks")
    assert not problems
    by_key = {p.key: p for p in playbooks}
    return {key: Line(n, by_key[key]) for n, key in enumerate(("enterprise", "transactional"), 1)}


LINES = shipped_lines()


def _generate(accounts: int, seed: int = 7) -> tuple:
    rng = random.Random(seed)
    ids = Ids({})
    hashes = {role: f"hash-{role}" for role in ("admin", "leadership", "director", "rep")}
    staff = build_staff(rng, accounts, ids, hashes, FROZEN_NOW)
    generator = _Generator(rng, staff, ids, FROZEN_NOW, TODAY, LINES)
    batch = _Batch()
    for _ in range(accounts):
        generator.next_customer(batch)
    return staff, batch


def test_same_seed_gives_the_same_data():
    first, second = _generate(20), _generate(20)
    assert first[0].users == second[0].users
    assert first[1].accounts == second[1].accounts
    assert first[1].history.interactions == second[1].history.interactions
    assert first[1].deals.opportunities == second[1].deals.opportunities
    assert first[1].deals.changes == second[1].deals.changes
    assert _generate(20, seed=8)[1].accounts != first[1].accounts


def test_a_fifth_of_accounts_are_key_accounts():
    _, batch = _generate(400)
    tiers = Counter(a["tier"] for a in batch.accounts)
    assert 0.15 <= tiers["A"] / 400 <= 0.25
    assert len({a["name"] for a in batch.accounts}) == 400  # names are unique


def test_key_accounts_have_the_iron_triangle_and_a_sponsor():
    _, batch = _generate(100)
    roles: dict[int, set[str]] = {}
    for member in batch.members:
        roles.setdefault(member["account_id"], set()).add(member["role"])
    for account in batch.accounts:
        expected = {"AR", "SR", "FR", "sponsor"} if account["tier"] == "A" else {"AR"}
        assert expected <= roles[account["id"]]


def test_every_account_has_a_coach_when_it_has_four_contacts():
    _, batch = _generate(50)
    coached = {c["account_id"] for c in batch.contacts if c["decision_role"] == "coach"}
    assert coached == {a["id"] for a in batch.accounts}


def test_large_set_sizes_match_the_scale_we_build_for():
    assert sizes(10_000) == (10, 48)  # 10 regions, 3 + 10 + 480 people ≈ 500 users
    assert sizes(60) == (3, 4)


def test_ids_are_unique_and_references_point_backwards():
    _, batch = _generate(30)
    contact_ids = [c["id"] for c in batch.contacts]
    assert len(contact_ids) == len(set(contact_ids))
    seen: set[int] = set()
    for contact in batch.contacts:  # a manager is inserted before their reports
        assert contact["reports_to_id"] is None or contact["reports_to_id"] in seen
        seen.add(contact["id"])


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_accounts_and_contacts_are_bilingual():
    _, batch = _generate(60)
    accounts = [a["name"] for a in batch.accounts]
    assert any(_chinese(n) for n in accounts) and any(n.isascii() for n in accounts)
    english = {a["id"] for a in batch.accounts if a["name"].isascii()}
    for contact in batch.contacts:
        # English-named companies have English titles; Chinese ones Chinese titles.
        assert _chinese(contact["title"]) != (contact["account_id"] in english)
