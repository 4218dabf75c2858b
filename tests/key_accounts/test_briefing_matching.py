"""The briefing's shared background: hometowns match with and without 省/市/自治区/县 and in
Latin letters whatever the case and spaces; schools match whole, one of several listed."""

import pytest

from salesflow.key_accounts.briefing_matching import (
    place_parts,
    same_place,
    shared_school,
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("湖南省长沙市", "湖南长沙", True),  # the same place, without 省/市
        ("湖南省长沙市", "长沙", True),  # the city alone
        ("湖南省长沙市", "长沙市", True),
        ("湖南", "湖南省长沙市", True),  # the same province
        ("广西壮族自治区南宁市", "南宁", True),  # 壮族自治区 taken off whole
        ("内蒙古自治区呼和浩特市", "内蒙古", True),
        ("浙江省绍兴市上虞区", "绍兴上虞", True),
        ("湖北省武汉市", "湖南省长沙市", False),  # two provinces
        ("湖北", "湖南长沙", False),
        ("长沙市", "湖南", False),  # nothing written says Changsha is in Hunan
        ("Changsha City, Hunan Province", "hunan  changsha", True),  # case, spaces, words
        ("CHANGSHA", "changsha", True),
        ("Changsha", "Wuhan", False),
        ("Hunan", "Hunan Changsha", True),
        ("an", "Hunan", False),  # a part of a word is no place
        ("", "长沙", False),
        (None, "长沙", False),
    ],
)
def test_same_place(a, b, same):
    assert same_place(a, b) is same
    assert same_place(b, a) is same


def test_place_parts_take_off_the_administrative_words():
    assert place_parts("新疆维吾尔自治区乌鲁木齐市") == ("新疆", "乌鲁木齐")
    assert place_parts("香港特别行政区") == ("香港",)
    assert place_parts("Shaoxing City, Zhejiang Province") == ("shaoxing", "zhejiang")
    assert place_parts("  ") == ()


@pytest.mark.parametrize(
    ("a", "b", "school"),
    [
        ("清华大学；北京大学", "北京大学，MIT", "北京大学"),
        ("Tsinghua  University", "tsinghua university", "Tsinghua  University"),
        ("ＭＩＴ", "MIT", "ＭＩＴ"),  # full-width letters are the same letters
        ("清华大学", "北京大学", None),
        ("Fudan University", None, None),
        ("", "", None),
    ],
)
def test_shared_school(a, b, school):
    assert shared_school(a, b) == school
