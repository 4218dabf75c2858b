"""Make plotly.js's bundle offline before it is vendored (salesflow/static/vendor/plotly).

The npm bundle carries addresses it could fetch or send to at run time: the default topojson
source of map traces (cdn.plot.ly), the Chart Studio server charts are "sent to"
(cloud.plotly.com) and the modebar logo's link (plotly.com). The app turns those features off,
but the served file itself must name no address on the internet: each is replaced by an empty or
local value, and addresses in texts are named instead of linked. Every replacement must match as
often as it did, so a new plotly.js version that moved one fails here instead of shipping it.

    python -m tools.vendor.plotly path/to/plotly-basic.min.js   # rewrites the file in place
"""

import hashlib
import sys
from pathlib import Path

# (what the npm bundle says, what the served one says instead, how many times it stands there)
REPLACEMENTS = (
    (
        'topojsonURL:{valType:"string",noBlank:!0,dflt:"https://cdn.plot.ly/un/"}',
        'topojsonURL:{valType:"string",noBlank:!0,dflt:"/static/vendor/plotly/topojson/"}',
        1,
    ),
    (
        'plotlyServerURL:{valType:"string",dflt:"https://cloud.plotly.com/newchart"}',
        'plotlyServerURL:{valType:"string",dflt:""}',
        1,
    ),
    ('r.href="https://plotly.com/"', 'r.href="#"', 1),
    # addresses in texts (attribute descriptions, error messages): named, not linked
    (
        '"https://github.com/d3/d3-format/tree/v1.4.5#d3-format"',
        '"the README of d3-format 1.4.5"',
        1,
    ),
    (
        '"https://github.com/d3/d3-time-format/tree/v2.2.3#locale_format"',
        '"the README of d3-time-format 2.2.3"',
        1,
    ),
    ("see https://plotly.com/javascript/animations/", "see plotly.js's guide to animations", 2),
)
# The licence notices of bundled libraries keep their addresses as text, without the scheme that
# would make a tool (or a reader's click) treat them as something to fetch.
REPLACEMENTS += tuple(
    (address, address.split("://", 1)[1], 1)
    for address in (
        "http://getify.mit-license.org",
        "http://syntheti.cc",
        "https://github.com/voidqk/polybooljs",
    )
)
# What stays: the XML namespace names (http://www.w3.org/...), identifiers that are never fetched.


def offline(text: str) -> str:
    """The bundle with every address replaced; ValueError when one is not where it was."""
    for old, new, times in REPLACEMENTS:
        if text.count(old) != times:
            raise ValueError(f"expected {times} time(s) in the bundle: {old}")
        text = text.replace(old, new)
    return text


def main(path: str) -> None:
    file = Path(path)
    upstream = file.read_bytes()
    patched = offline(upstream.decode("utf-8")).encode("utf-8")
    file.write_bytes(patched)
    print(f"upstream sha256 {hashlib.sha256(upstream).hexdigest()}")
    print(f"served   sha256 {hashlib.sha256(patched).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv[1])
