"""The help pages: docs/*.md rendered in the app, an anchor per heading, the reader's language."""

import re

import pytest

from salesflow.help import pages
from tests.conftest import login


def _link(key: str) -> str:
    return f"/help/{key}"


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Bus factor", "bus-factor"),
        ("Multi-threaded coverage", "multi-threaded-coverage"),
        ("HHI", "hhi"),
        (
            "Versions and conflicts (optimistic concurrency)",
            "versions-and-conflicts-optimistic-concurrency",
        ),
    ],
)
def test_a_heading_anchor_is_its_lowercase_hyphenated_name(heading, anchor):
    assert pages.slug(heading) == anchor


def test_every_figure_has_its_anchor():
    page = pages.render("figures", "en", _link)
    expected = {
        "key-contact",
        "importance",
        "tie",
        "tie-strength",
        "share",
        "top-share",
        "hhi",
        "effective-holders",
        "uncovered-key-contacts",
        "single-threaded-key-contacts",
        "multi-threaded-coverage",
        "bus-factor",
        "risk",
        "departure-simulation",
        "weighted-amount",
        "days-in-stage",
        "over-the-limit",
        "gate-compliance",
        "conversion",
        "win-rate",
        "cycle-time",
        "slipped",
        "forecast",
        "requests-between-our-people",
        "on-time-rate",
        "turnaround",
        "lead-time",
        "rushes",
        "average-rating",
        "time-to-decide",
        "by-month",
    }
    assert expected <= set(page.anchors)
    assert '<h3 id="bus-factor">Bus factor</h3>' in page.html


def test_an_explicit_anchor_keeps_the_english_one_and_is_not_shown(tmp_path, monkeypatch):
    (tmp_path / "zh").mkdir()
    (tmp_path / "figures.md").write_text("## Bus factor\n", encoding="utf-8")
    (tmp_path / "zh" / "figures.md").write_text("## 关键人依赖度 {#bus-factor}\n", encoding="utf-8")
    monkeypatch.setattr(pages, "DOCS", tmp_path)
    page = pages.render("figures", "zh", _link)
    assert '<h2 id="bus-factor">关键人依赖度</h2>' in page.html
    assert pages.render("figures", "en", _link).html == '<h2 id="bus-factor">Bus factor</h2>\n'


def test_raw_html_in_a_doc_is_shown_as_text_and_links_between_docs_lead_to_help(
    tmp_path, monkeypatch
):
    (tmp_path / "api.md").write_text(
        "<script>alert(1)</script>\n\nSee [risk](figures.md#risk) and [x](other.md).\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(pages, "DOCS", tmp_path)
    html = pages.render("api", "en", _link).html
    assert "<script>" not in html
    assert '<a href="/help/figures#risk">risk</a>' in html
    assert '<a href="other.md">x</a>' in html


def test_an_unknown_page_is_none():
    assert pages.render("../README", "en", _link) is None


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
@pytest.mark.parametrize("page", ["figures", "playbooks", "api"])
def test_everyone_logged_in_reads_every_page(client, world, who, page):
    login(client, getattr(world, who))
    response = client.get(f"/help/{page}")
    assert response.status_code == 200
    assert 'id="' in response.text


def test_the_help_index_lists_the_pages(client, world):
    login(client, world.rep_a)
    text = client.get("/help").text
    assert 'href="/help/figures"' in text and "What the figures mean" in text


@pytest.mark.parametrize("path", ["/help/nope", "/help/README", "/help/..%2Fconfig"])
def test_an_unknown_page_is_404(client, world, path):
    login(client, world.rep_a)
    assert client.get(path).status_code == 404


def test_help_needs_a_login(client):
    response = client.get("/help/figures")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_chinese_figures_page_has_every_anchor_of_the_english_one():
    english = pages.render("figures", "en", _link)
    chinese = pages.render("figures", "zh", _link)
    assert chinese.anchors == english.anchors
    assert '<h3 id="bus-factor">关键人依赖度</h3>' in chinese.html
    assert "{#" not in chinese.html


def test_a_chinese_reader_gets_the_chinese_page_and_english_where_none(client, world):
    world.rep_a.locale = "zh"
    login(client, world.rep_a)
    assert "关键人依赖度" in client.get("/help/figures").text
    assert "Writing playbooks" in client.get("/help/playbooks").text  # not translated yet


def test_the_help_link_macro_points_at_a_figures_anchor(app):
    with app.test_request_context():
        macros = app.jinja_env.get_template("macros/help.html").module
        link = str(macros.help_link("bus-factor", "Bus factor"))
        assert 'href="/help/figures#bus-factor"' in link
        assert 'aria-label="Bus factor: What this means"' in link
        heading = str(macros.figures_link("pipeline"))
        assert 'href="/help/figures#pipeline"' in heading and "What the figures mean" in heading


def test_the_review_links_its_figures_to_their_definitions(client, world):
    login(client, world.director_a)
    html = client.get("/pipeline/review").text
    for anchor in (
        "pipeline",
        "forecast",
        "gate-compliance",
        "win-rate",
        "cycle-time",
        "conversion",
        "weighted-amount",
    ):
        assert f'href="/help/figures#{anchor}"' in html, anchor
    anchors = set(pages.render("figures", "en", _link).anchors)
    linked = set(re.findall(r'href="/help/figures#([a-z-]+)"', html))
    assert linked <= anchors  # every link lands on a definition


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_figure_the_dependency_pages_explain_links_to_a_definition(language):
    from salesflow.dependency.pages import FIGURES

    anchors = set(pages.render("figures", language, _link).anchors)
    missing = {key: f.anchor for key, f in FIGURES.items() if f.anchor not in anchors}
    assert not missing


def test_tables_are_styled_as_the_apps_tables():
    html = pages.render("figures", "en", _link).html
    assert '<table class="table table-sm table-bordered w-auto" tabindex="0">' in html
    code = pages.render("playbooks", "en", _link).html
    assert '<pre tabindex="0"><code class="language-yaml">' in code
