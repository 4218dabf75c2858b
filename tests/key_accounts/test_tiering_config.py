"""Tiering's settings from the environment (TIERING, a JSON object over the defaults)."""

import pytest

from config import json_object
from salesflow.key_accounts import tiering


def test_a_json_object_is_read_and_empty_is_nothing():
    assert json_object("TIERING", '{"thresholds": {"A": 0.7, "B": 0.4}}') == {
        "thresholds": {"A": 0.7, "B": 0.4}
    }
    assert json_object("TIERING", "  ") == {}


@pytest.mark.parametrize("spec", ["{thresholds", "[1, 2]", '"A"'])
def test_anything_else_stops_the_start_naming_the_setting(spec):
    with pytest.raises(ValueError, match="TIERING"):
        json_object("TIERING", spec)


def test_the_configured_keys_replace_the_defaults_one_by_one(app, ctx):
    before = app.config["TIERING"]
    app.config["TIERING"] = json_object("TIERING", '{"thresholds": {"A": 0.9, "B": 0.5}}')
    try:
        settings = tiering.settings()
        assert settings["thresholds"] == {"A": 0.9, "B": 0.5}
        assert settings["weights"] == tiering.DEFAULTS["weights"]
    finally:
        app.config["TIERING"] = before
