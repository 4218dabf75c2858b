"""Duplicate candidates (merges.candidates): pure grouping by the import's matching keys."""

import pytest

from salesflow.merges.candidates import (
    ACCOUNT_KEYS,
    CONTACT_KEYS,
    MAX_SHARED,
    Reason,
    find_groups,
)


def account(id, name, website=None):
    return (id, None, name, website)


def contact(id, account_id, name, email=None, phone=None):
    return (id, account_id, name, email, phone)


def groups(records, keys, **options):
    return [
        (g.ids, {r: sorted(v) for r, v in g.reasons.items()})
        for g in find_groups(records, keys, **options)
    ]


@pytest.mark.parametrize(
    "a, b, reason, key",
    [
        (("华东电力有限公司", None), ("华东电力(上海)股份有限公司", None), Reason.name, "华东电力"),
        (("Huadong Power Co., Ltd.", None), ("HUADONG POWER", None), Reason.name, "huadongpower"),
        (("ＡＢＣ科技", None), ("ABC科技有限公司", None), Reason.name, "abc科技"),
        (
            ("Acme", "https://www.acme.com/about"),
            ("Acme Trading", "acme.com"),
            Reason.domain,
            "acme.com",
        ),
    ],
)
def test_accounts_alike_by_company_name_or_website(a, b, reason, key):
    found = groups(
        [account(1, *a), account(2, *b), account(3, "Other Ltd", "other.cn")], ACCOUNT_KEYS
    )
    assert found == [([1, 2], {reason: [key]})]


def test_contacts_alike_by_email_phone_and_name_within_one_account_only():
    records = [
        contact(1, 10, "Zhang Wei", email="ZW@huadong.com"),
        contact(2, 10, "张伟", email="zw@huadong.com", phone="138 1234 5678"),
        contact(3, 10, "Wei Zhang", phone="+86-138-1234-5678"),
        contact(4, 11, "Zhang Wei", email="zw@huadong.com"),  # another account: never grouped
        contact(5, 10, "Li Na", phone="010 1234 5678"),
    ]
    assert groups(records, CONTACT_KEYS) == [
        ([1, 2, 3], {Reason.email: ["zw@huadong.com"], Reason.phone: ["+8613812345678"]}),
    ]


def test_the_same_name_groups_and_a_similar_one_only_suggests():
    records = [
        contact(1, 10, "Zhang Weiming"),
        contact(2, 10, "zhang  weiming"),
        contact(3, 10, "Zhang Weiming1"),
        contact(4, 10, "Li Na"),
    ]
    assert groups(records, CONTACT_KEYS) == [([1, 2], {Reason.name: ["zhangweiming"]})]
    suggested = find_groups(records, CONTACT_KEYS, suggest_similar=True)
    assert [g.ids for g in suggested] == [[1, 2, 3]]
    assert set(suggested[0].reasons) == {Reason.name, Reason.similar_name}
    only = find_groups(
        [contact(1, 10, "Wang Xiaoming"), contact(2, 10, "Wang Xiaomin")],
        CONTACT_KEYS,
        suggest_similar=True,
    )
    assert only[0].only_suggested


def test_a_key_shared_by_too_many_records_identifies_nobody():
    switchboard = [
        contact(i, 10, f"Person {i}", phone="010-8888 6666") for i in range(1, MAX_SHARED + 2)
    ]
    assert groups(switchboard, CONTACT_KEYS) == []
    assert [g.ids for g in find_groups(switchboard[:MAX_SHARED], CONTACT_KEYS)] == [
        list(range(1, MAX_SHARED + 1))
    ]


def test_groups_are_transitive_and_ordered_strongest_first():
    records = [
        account(1, "Alpha", "alpha.com"),
        account(2, "Alpha Group", "alpha.com"),
        account(3, "Alpha Group Ltd"),
        account(7, "Beta"),
        account(8, "Beta Co."),
    ]
    assert [g.ids for g in find_groups(records, ACCOUNT_KEYS)] == [[1, 2, 3], [7, 8]]


def test_phone_spellings_meet_and_extensions_tell_people_apart():
    records = [
        contact(1, 1, "A", phone="＋８６ １３８００１３８０００"),
        contact(2, 1, "B", phone="tel:+86-138-0013-8000"),
        contact(3, 1, "C", phone="010 6552 9988 ext. 12"),
        contact(4, 1, "D", phone="13800138001"),
        contact(5, 1, "E", phone="010-65529988 转 12"),
        contact(6, 1, "F", phone="010-65529988 转 13"),
    ]
    assert [g.ids for g in find_groups(records, CONTACT_KEYS)] == [[1, 2], [3, 5]]
