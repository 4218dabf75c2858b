"""The chart pages load plotly.js's small vendored bundle (static/vendor/plotly), at an address
that names its version, kept by the browser for a year and sent compressed."""

import gzip
import re
from pathlib import Path

import pytest

from tests.conftest import login
from tools.vendor import plotly as tools_plotly

BUNDLE = "/vendor/plotly-basic-4.1.1.min.js"
FULL_BUNDLE = 4_800_000  # the plotly package's own plotly.min.js
YEAR = 365 * 24 * 3600


@pytest.mark.parametrize("path", ["/pipeline/review", "/dependency", "/dependency/accounts/{id}"])
def test_the_chart_pages_load_the_small_bundle(client, world, path):
    login(client, world.leader)
    page = client.get(path.format(id=world.account_a.id))
    assert page.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert [src for src in scripts if "plotly" in src] == [BUNDLE]


def test_the_bundle_is_small_and_kept_for_a_year(client, world):
    login(client, world.leader)
    script = client.get(BUNDLE)
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert len(script.data) < FULL_BUNDLE / 3
    assert script.cache_control.max_age == YEAR and not script.cache_control.no_store


def test_the_bundle_goes_gzipped_to_a_browser_that_accepts_it(client, world):
    login(client, world.leader)
    plain = client.get(BUNDLE)
    packed = client.get(BUNDLE, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data) == plain.data
    assert packed.cache_control.max_age == YEAR


def test_the_old_full_bundle_address_is_gone(client, world):
    login(client, world.leader)
    assert client.get("/vendor/plotly.min.js").status_code == 404


BUNDLE_FILE = Path(__file__).parents[1] / "salesflow/static/vendor/plotly/plotly-basic.min.js"
NAMESPACES = re.compile(r"^http://www\.w3\.org/")


def test_the_served_bundle_names_no_address_on_the_internet():
    """Offline: the served file can fetch nothing and send nothing anywhere — only XML namespace
    names (identifiers, never fetched) look like addresses."""
    text = BUNDLE_FILE.read_text(encoding="utf-8")
    addresses = set(re.findall(r"(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s\"'`)]*", text))
    assert {a for a in addresses if not NAMESPACES.match(a)} == set()


def test_the_vendoring_step_replaces_every_address_and_refuses_a_moved_one():
    upstream = (
        'topojsonURL:{valType:"string",noBlank:!0,dflt:"https://cdn.plot.ly/un/"},'
        'plotlyServerURL:{valType:"string",dflt:"https://cloud.plotly.com/newchart"},'
        'r.href="https://plotly.com/",'
        '"https://github.com/d3/d3-format/tree/v1.4.5#d3-format",'
        '"https://github.com/d3/d3-time-format/tree/v2.2.3#locale_format",'
        "see https://plotly.com/javascript/animations/ see https://plotly.com/javascript/animations/"
        " http://getify.mit-license.org http://syntheti.cc https://github.com/voidqk/polybooljs"
    )
    served = tools_plotly.offline(upstream)
    assert "http" not in served and "/static/vendor/plotly/topojson/" in served
    with pytest.raises(ValueError, match="cdn.plot.ly"):
        tools_plotly.offline(upstream.replace("https://cdn.plot.ly/un/", "https://cdn.plot.ly/v2/"))
