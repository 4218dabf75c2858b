"""The one parser of each kind of input (salesflow.validation): its ranges and its refusals."""

from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from werkzeug.exceptions import NotFound

from salesflow import validation as v
from salesflow.accounts.models import Account
from salesflow.auth.models import User
from salesflow.contacts.models import Contact
from salesflow.errors import Conflict, ValidationFailed
from salesflow.teams.models import Team

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1", 1),
        ("0042", 42),
        (str(2**31 - 1), 2**31 - 1),
        (7, 7),
        (str(2**31), None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("²", None),
        ("١٢", None),
        ("1e3", None),
        ("9" * 40, None),
        ("", None),
        (None, None),
        (True, None),
        (2**31, None),
        (1.0, None),
    ],
)
def test_an_id_is_ascii_digits_or_a_number_within_the_columns_range(raw, parsed):
    assert v.parse_id(raw) == parsed


def test_a_select_value_out_of_range_is_the_fields_error_not_none():
    assert v.coerce_id("") is None and v.coerce_id("12") == 12
    with pytest.raises(ValueError):
        v.coerce_id(str(2**40))
    with pytest.raises(ValueError):
        v.coerce_ids("")  # in a list of ticked ids a blank is no id


def test_id_lists_keep_order_and_drop_repeats():
    errors: v.Errors = {}
    assert v.ids([3, 1, 3], "contact_ids", errors) == [3, 1] and errors == {}
    assert v.ids([1, 2**40], "contact_ids", errors) is None and "contact_ids" in errors


def test_the_route_converter_answers_404_out_of_range():
    converter = v.IdConverter(None)
    assert converter.to_python("12") == 12 and converter.to_url(12) == "12"
    with pytest.raises(NotFound):
        converter.to_python(str(2**31))


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2199-12-31", date(2199, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_dates_within_range_parse(raw, parsed):
    assert v.parse_day(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0001-01-01", "from 1900 to 2199"),
        ("9999-12-31", "from 1900 to 2199"),
        ("1899-12-31", "from 1900 to 2199"),
        ("2200-01-01", "from 1900 to 2199"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("20261120", "YYYY-MM-DD"),
        ("2026-11-20T10:00", "YYYY-MM-DD"),
        ("٢٠٢٦-١١-٢٠", "YYYY-MM-DD"),
    ],
)
def test_dates_out_of_range_or_shape_say_why(raw, message):
    with pytest.raises(ValueError, match=message):
        v.parse_day(raw)


def test_months_parse_to_their_first_day_within_range():
    assert v.parse_month("2027-03") == date(2027, 3, 1)
    for bad in ("9999-12", "0001-01", "2027-13", "2027-3", "March"):
        with pytest.raises(ValueError):
            v.parse_month(bad)


def test_a_service_date_must_be_a_date_within_range():
    errors: v.Errors = {}
    assert v.day(date(2027, 1, 1), "due", errors) == date(2027, 1, 1)
    assert v.day(None, "due", errors) is None and errors == {}
    v.day(datetime(2027, 1, 1, tzinfo=UTC), "a", errors)
    v.day(date(1, 1, 1), "b", errors)
    v.day(None, "c", errors, required="Enter a due date.")
    assert set(errors) == {"a", "b", "c"}


def test_moments_need_an_offset_and_are_checked_before_any_conversion():
    errors: v.Errors = {}
    at = datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)
    assert v.moment(at, "at", errors) == datetime(2026, 11, 20, 2, tzinfo=UTC)
    # year 1 in +08:00 cannot even be turned into UTC; it is refused, not an OverflowError
    v.moment(datetime(1, 1, 1, tzinfo=SHANGHAI), "early", errors)
    v.moment(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-8))), "late", errors)
    v.moment(datetime(2026, 11, 20, 10), "naive", errors)
    v.moment("2026-11-20", "text", errors)
    assert set(errors) == {"early", "late", "naive", "text"}


def test_lengths_come_from_the_columns():
    assert v.max_length(User.name) == 120 and v.max_length(Team.name) == 120
    assert v.max_length(Account.name) == 200 and v.max_length(Account.notes) == 20_000
    with pytest.raises(LookupError):
        v.max_length(Account.created_at)


@pytest.mark.parametrize(
    ("value", "multiline", "clean", "problem"),
    [
        ("  Zhang Wei ", False, "Zhang Wei", None),
        ("", False, None, None),
        (None, False, None, None),
        ("x" * 120, False, "x" * 120, None),
        ("x" * 121, False, None, "at most 120"),
        ("a\x01b", False, None, "control"),
        ("a\nb", False, None, "control"),
        ("a\nb", True, "a\nb", None),
        ("a\tb\r\nc", True, "a\tb\r\nc", None),
        ("a\x00b", True, None, "control"),
        ("\ud800", True, None, "control"),
        ("\x7f", True, None, "control"),
        (12, False, None, "Enter text"),
    ],
)
def test_text_is_cleaned_for_its_column(value, multiline, clean, problem):
    errors: v.Errors = {}
    assert v.text(value, "name", errors, column=Contact.name, multiline=multiline) == clean
    assert (problem is None) == (errors == {})
    if problem:
        assert problem in errors["name"][0]


def test_required_text_says_so_when_blank():
    errors: v.Errors = {}
    v.text("   ", "name", errors, column=Contact.name, required="Enter a name.")
    assert errors == {"name": ["Enter a name."]}


def test_an_update_names_the_version_it_read():
    record = SimpleNamespace(version=3)
    v.require_version(record, {"version": 3})
    for missing in ({}, {"version": None}, {"version": "3"}, {"version": 0}, {"version": True}):
        with pytest.raises(ValidationFailed) as refused:
            v.require_version(record, missing)
        assert set(refused.value.fields) == {"version"}
    with pytest.raises(Conflict):
        v.require_version(record, {"version": 2})
