"""The kinds of request an installation configures (REQUEST_KINDS in the environment): lead
times in working days, in the form's order, and a kind of its own named in both languages."""

import pytest
from flask_babel import force_locale

from config import request_kinds
from salesflow.requests import kinds


def test_the_environment_gives_lead_times_in_order_and_names_of_new_kinds():
    lead, names = request_kinds("demo=1, site_survey=4:Site survey:现场勘查 ,decision=3")
    assert list(lead) == ["demo", "site_survey", "decision"]
    assert lead == {"demo": 1, "site_survey": 4, "decision": 3}
    assert names == {"site_survey": {"en": "Site survey", "zh": "现场勘查"}}


def test_empty_means_the_built_in_kinds():
    assert request_kinds("") == (None, {})


@pytest.mark.parametrize("spec", ["demo", "demo=soon", "de mo=2", "=3", "demo=-1"])
def test_a_malformed_entry_stops_the_start_with_its_text(spec):
    with pytest.raises(ValueError, match="REQUEST_KINDS"):
        request_kinds(spec)


@pytest.fixture
def configured(app):
    before = app.config["REQUEST_KINDS"], app.config["REQUEST_KIND_NAMES"]
    lead, names = request_kinds("site_survey=4:Site survey:现场勘查,demo=1,poc=8")
    app.config["REQUEST_KINDS"], app.config["REQUEST_KIND_NAMES"] = lead, names
    yield
    app.config["REQUEST_KINDS"], app.config["REQUEST_KIND_NAMES"] = before


def test_configured_kinds_are_the_ones_offered_with_their_lead_times(ctx, configured):
    assert kinds.service_kinds() == ["site_survey", "demo", "poc"]
    assert kinds.min_lead_days("poc") == 8
    assert not kinds.is_kind("legal")


def test_a_kind_of_our_own_is_named_in_the_readers_language(ctx, configured):
    with force_locale("zh"):
        assert kinds.label("site_survey") == "现场勘查"
    with force_locale("en"):
        assert kinds.label("site_survey") == "Site survey"
