"""The keys by which two records are recognised as the same customer or person."""

import pytest

from salesflow import matching as m


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (" Li.Ming@Example.COM ", "li.ming@example.com"),
        ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "li@example.com"),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_email_keys(raw, key):
    assert m.email_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("138 1234 5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("(010) 6552 9988", "+861065529988"),
        ("tel:+86-10-65529988", "+861065529988"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("010-65529988 转 12", "+861065529988;ext=12"),
        ("01065529988分机12", "+861065529988;ext=12"),
        ("010 6552 9988 ext. 12", "+861065529988;ext=12"),
        ("12", None),
        ("call me", None),
        ("", None),
    ],
)
def test_phone_keys_are_e164_with_china_as_the_default_region(raw, key):
    assert m.phone_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("https://www.Huadong-Power.cn/about", "huadong-power.cn"),
        ("huadong.cn", "huadong.cn"),
        ("li@mail.huadong.cn", "mail.huadong.cn"),
        ("localhost", None),
        ("", None),
    ],
)
def test_domain_keys(raw, key):
    assert m.domain_key(raw) == key


@pytest.mark.parametrize(
    "name",
    [
        "华东电力有限公司",
        "华东电力股份有限公司",
        "华东电力（上海）有限公司",
        "华东电力公司",
        " 华东 电力 ",
    ],
)
def test_one_company_under_its_legal_forms_and_places_has_one_key(name):
    assert m.company_key(name) == "华东电力"


@pytest.mark.parametrize(
    "name",
    [
        "Huadong Power Co., Ltd.",
        "HUADONG POWER CO.,LTD",
        "Huadong Power Ltd",
        "Huadong Power",
        "Ｈｕａｄｏｎｇ　Ｐｏｗｅｒ Limited",
        "Huadong Power Co. Ltd. (Shanghai)",
    ],
)
def test_english_legal_forms_and_full_width_letters_fold_away(name):
    assert m.company_key(name) == "huadongpower"


def test_a_name_that_is_only_a_legal_form_keeps_a_key():
    assert m.company_key("有限公司") and m.company_key("Ltd") == "ltd"
    assert m.company_key("") is None and m.company_key("()") is None


def test_person_keys_and_similarity_suggest_only():
    assert m.person_key("Zhang  Wei") == m.person_key("zhang wei") == "zhangwei"
    assert m.person_key("张 伟") == "张伟"
    assert m.similarity("zhangwei", "zhangwei") == 1.0
    assert 0.5 < m.similarity("zhangwei", "zhangwen") < 1.0
    assert m.similarity(None, "x") == 0.0
