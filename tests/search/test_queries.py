"""Global search: Chinese and English, case-insensitive, only within the caller's scope."""

from datetime import date

import pytest

from salesflow.search.queries import MAX_QUERY_LENGTH, clean_query, search
from tests.factories import make_account, make_contact


def _account_names(results):
    return [hit.name for hit in results.accounts]


def _contact_names(results):
    return [hit.name for hit in results.contacts]


def test_finds_account_by_chinese_name_fragment(world):
    make_account(team=world.team_a, name="华东电力集团有限公司")
    assert _account_names(search(world.rep_a, "电力")) == ["华东电力集团有限公司"]


def test_finds_contact_by_chinese_name_fragment(world):
    make_contact(account=world.account_a, name="张建国", title="总经理")
    results = search(world.rep_a, "建国")
    assert _contact_names(results) == ["张建国"]
    assert results.contacts[0].account_name == "Huadong Power"


def test_english_match_ignores_case(world):
    assert _account_names(search(world.rep_a, "HUADONG power")) == ["Huadong Power"]
    assert _contact_names(search(world.rep_a, "zhang WEI")) == ["Zhang Wei"]


def test_contacts_are_found_by_title_phone_and_email(world):
    contact = make_contact(account=world.account_a, name="Qian Hua", title="Chief Engineer")
    contact.phone, contact.email = "+86 138-1234 5678", "qian.hua@huadong.example.cn"
    for query in ("chief eng", "13812345678", "138-1234", "QIAN.HUA@"):
        assert _contact_names(search(world.rep_a, query)) == ["Qian Hua"], query


def test_rep_never_finds_another_teams_records(world):
    results = search(world.rep_a, "Nanfang")
    assert results.empty
    assert _contact_names(search(world.rep_a, "Liu Yang")) == []
    # rep_b is on the shared account's team, so sees it, but not team A's own account.
    assert _account_names(search(world.rep_b, "Steel")) == ["Shared Steel"]
    assert search(world.rep_b, "Huadong").empty


def test_director_finds_own_team_only_and_leadership_everything(world):
    assert search(world.director_b, "Huadong").empty
    assert _account_names(search(world.director_b, "Nanfang")) == ["Nanfang Grid"]
    assert _account_names(search(world.leader, "n")) == ["Huadong Power", "Nanfang Grid"]


def test_deleted_and_left_records_are_not_found(world):
    make_account(team=world.team_a, name="Huadong Old Works", deleted=True)
    make_contact(account=world.account_a, name="Zhang Left", left_on=date(2026, 1, 5))
    make_contact(account=world.account_a, name="Zhang Deleted", deleted=True)
    assert _account_names(search(world.admin, "Huadong")) == ["Huadong Power"]
    assert _contact_names(search(world.admin, "Zhang")) == ["Zhang Wei"]


def test_contacts_of_a_deleted_account_are_not_found(world):
    gone = make_account(team=world.team_a, name="Gone Ltd", deleted=True)
    make_contact(account=gone, name="Zhang Gone")
    assert _contact_names(search(world.admin, "Zhang")) == ["Zhang Wei"]


def test_results_are_capped_and_say_there_are_more(world):
    for n in range(5):
        make_account(team=world.team_a, name=f"Capped Co {n}")
    results = search(world.rep_a, "capped", limit=3)
    assert _account_names(results) == ["Capped Co 0", "Capped Co 1", "Capped Co 2"]
    assert results.more_accounts is True
    assert search(world.rep_a, "capped", limit=5).more_accounts is False


def test_next_page_continues_after_the_last_hit(world):
    for n in range(5):
        make_account(team=world.team_a, name=f"Paged Co {n}")
    results = search(world.rep_a, "paged", kinds=("accounts",), limit=2, after=("Paged Co 1", 0))
    assert _account_names(results) == ["Paged Co 1", "Paged Co 2"]
    assert results.contacts == []


@pytest.mark.parametrize("query", ["%", "_", "\\", "100%"])
def test_wildcards_in_the_query_match_literally(world, query):
    make_account(team=world.team_a, name="Plain Name")
    assert search(world.admin, query).empty


def test_empty_query_searches_nothing(world):
    assert search(world.admin, "   ").empty
    assert search(world.admin, None).query == ""


def test_query_is_trimmed_to_a_sane_length():
    assert len(clean_query("长" * 2000)) == MAX_QUERY_LENGTH
    assert clean_query("  Huadong \n  Power ") == "Huadong Power"
