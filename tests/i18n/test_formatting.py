"""Dates, times and money as the reader reads them: the reader's locale, the company's clock
(Asia/Shanghai in the tests), never UTC or microseconds; an amount always with its currency."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from salesflow import formatting
from tests import factories as f
from tests.conftest import login

EVENING_UTC = datetime(2026, 11, 20, 16, 30, 12, 345678, tzinfo=UTC)  # 00:30 next day Shanghai


def _as(app, lang):
    return app.test_request_context(headers={"Accept-Language": lang})


@pytest.mark.parametrize(
    "lang, expected",
    [("en", "Nov 21, 2026, 12:30\u202fAM"), ("zh-CN", "2026年11月21日 00:30")],
)
def test_a_moment_is_shown_on_the_company_clock_to_the_minute(app, lang, expected):
    with _as(app, lang):
        assert formatting.format_datetime(EVENING_UTC) == expected
        # the ISO text an audit entry keeps reads the same
        assert formatting.format_datetime(EVENING_UTC.isoformat()) == expected


@pytest.mark.parametrize("lang, expected", [("en", "Nov 21, 2026"), ("zh-CN", "2026年11月21日")])
def test_a_moment_as_a_date_is_its_company_calendar_day(app, lang, expected):
    with _as(app, lang):
        assert formatting.format_date(EVENING_UTC) == expected
        assert formatting.format_date(date(2026, 11, 21)) == expected
        assert formatting.format_date("2026-11-21") == expected


@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        (Decimal("1200000.50"), "CNY", "1,200,000.5 CNY"),
        (Decimal("30000"), "USD", "30,000 USD"),
        ("8095.00", None, "8,095 CNY"),  # no currency given: the company's (an interaction's cost)
        (0, "CNY", "0 CNY"),
    ],
)
def test_an_amount_is_shown_with_its_currency(app, amount, currency, expected):
    with _as(app, "zh-CN"):
        assert formatting.format_money(amount, currency) == expected


def test_nothing_is_a_dash_and_never_raises(app):
    with _as(app, "en"):
        assert formatting.format_money(None, "CNY") == "—"
        assert formatting.format_date(None) == "—"
        assert formatting.format_datetime("") == "—"
        # an unreadable stored value is shown as it is rather than failing the page
        assert formatting.format_money("n/a") == "n/a"


def test_outside_a_request_the_reader_is_english(app):
    with app.app_context():
        assert formatting.format_datetime(EVENING_UTC) == "Nov 21, 2026, 12:30\u202fAM"


def test_templates_use_the_same_filters(app):
    with _as(app, "zh-CN"):
        rendered = app.jinja_env.from_string(
            "{{ at|datetime }} · {{ day|date }} · {{ cost|money }} · {{ n|number('#,##0.0') }}"
        ).render(at=EVENING_UTC, day=date(2026, 11, 21), cost=Decimal("8095.00"), n=1234.56)
    assert rendered == "2026年11月21日 00:30 · 2026年11月21日 · 8,095 CNY · 1,234.6"


def test_a_contact_logs_cost_shows_the_companys_currency(client, world, now):
    """The timeline said "Cost: 8095.00" with no currency."""
    log = f.make_interaction(account=world.account_a, owner=world.rep_a, cost=Decimal("8095.00"))
    login(client, world.rep_a)
    page = client.get(f"/interactions/{log.id}").text
    assert "Cost: 8,095 CNY" in page and "8095.00" not in page


@pytest.mark.parametrize(
    "lang, key, expected",
    [("en", "2027-03", "Mar 2027"), ("zh-CN", "2027-03", "2027年3月"), ("en", "soon", "soon")],
)
def test_a_month_key_is_named_as_the_reader_names_the_month(app, lang, key, expected):
    with _as(app, lang):
        assert formatting.format_month(key) == expected
