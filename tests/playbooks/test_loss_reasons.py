"""Loss reasons in the playbook file: the list, "other" always there, and matching a closing's
words to a reason by key or by name in either language."""

import pytest

from salesflow.playbooks import registry
from salesflow.playbooks.loader import load_text
from salesflow.playbooks.schema import DEFAULT_LOSS_REASONS

FILE = """\
key: renewal
version: 1
name: {en: "Renewal"}
stages:
  - key: review
    name: {en: "Review"}
    probability: 30
    sla_days: 14
"""
REASONS = """\
loss_reasons:
  - key: price
    name: {en: "Price", zh: "价格"}
  - key: other
    name: {en: "Other", zh: "其他"}
"""


def test_a_playbook_without_a_list_offers_only_other():
    playbook, problems = load_text(FILE, "renewal.yaml")
    assert problems == []
    assert playbook.loss_reasons == DEFAULT_LOSS_REASONS
    assert [r.key for r in playbook.loss_reasons] == ["other"]


def test_the_listed_reasons_keep_their_order_names_and_lines():
    playbook, problems = load_text(FILE + REASONS, "renewal.yaml")
    assert problems == []
    assert [(r.key, r.name["zh"], r.line) for r in playbook.loss_reasons] == [
        ("price", "价格", 10),
        ("other", "其他", 12),
    ]
    assert playbook.loss_reason("other").needs_note
    assert not playbook.loss_reason("price").needs_note
    assert playbook.loss_reason("timing") is None


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("price", "price"),
        ("Price", "price"),
        (" PRICE ", "price"),
        ("价格", "price"),
        ("其他", "other"),
        ("Too expensive", None),
        ("", None),
    ],
)
def test_words_match_a_reason_by_key_or_name_in_either_language(words, key):
    playbook, _problems = load_text(FILE + REASONS, "renewal.yaml")
    found = playbook.match_loss_reason(words)
    assert (found.key if found else None) == key


def test_a_list_change_changes_the_content_hash():
    plain, _problems = load_text(FILE, "renewal.yaml")
    listed, _problems = load_text(FILE + REASONS, "renewal.yaml")
    assert plain.content_hash != listed.content_hash  # so the version must be raised


def test_every_problem_of_a_list_is_reported_with_its_line():
    broken = FILE + (
        "loss_reasons:\n"
        "  - key: price\n"
        "    name: {en: Price}\n"
        "  - key: Price!\n"
        "    name: {en: Cost}\n"
        "  - key: cost\n"
        "    name: {en: price}\n"
    )
    playbook, problems = load_text(broken, "renewal.yaml")
    assert playbook is None
    assert problems == [
        "renewal.yaml:12: key 'Price!' must be 1 to 50 lowercase letters, digits, dashes and "
        "underscores",
        "renewal.yaml:15: loss reason name 'price' is also used on line 11; each reason needs "
        "names of its own",
    ]


def test_the_shipped_playbooks_list_the_same_keys_with_other_last(app):
    with app.app_context():
        shipped = registry.file_playbooks()
        names = registry.loss_reason_names()
    for playbook in shipped.values():
        keys = [r.key for r in playbook.loss_reasons]
        assert keys[-1] == "other" and {"price", "competitor", "no_budget"} <= set(keys)
        assert all(set(r.name) == {"en", "zh"} for r in playbook.loss_reasons)
    assert names["price"]["zh"] == "价格" and names["other"]["en"] == "Other"


def test_the_api_lists_a_playbooks_loss_reasons(app, world):
    from tests.conftest import api_as

    body = api_as(app, world.rep_a).get("/playbooks/transactional").get_json()
    assert body["loss_reasons"][0] == {"key": "price", "name": {"en": "Price", "zh": "价格"}}
    assert body["loss_reasons"][-1]["key"] == "other"
