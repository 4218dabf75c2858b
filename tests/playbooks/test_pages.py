"""The playbook pages: every playbook and version as the reps meet it, in the reader's language,
gates in words, for everyone logged in."""

import re

import pytest

from salesflow.auth.models import User
from salesflow.extensions import db
from salesflow.playbooks import registry
from salesflow.playbooks.loader import load_text
from tests import factories as f
from tests.conftest import login


def _visible(html: str) -> str:
    """The page's text as a reader sees it: no tags, no attributes."""
    body = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _read_in(client, user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
    login(client, user)


def _stored_older_transactional(now) -> None:
    """Version 1 of the transactional playbook, loaded before the folder's version 2."""
    source = (
        (registry.file_playbooks()["transactional"].source_text)
        .replace("version: 2", "version: 1")
        .replace("sla_days: 7", "sla_days: 5")
    )
    playbook, problems = load_text(source, "transactional.yaml")
    assert problems == []
    registry.stored_version(playbook, now=now)


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_everyone_sees_every_playbook(client, world, who):
    login(client, getattr(world, who))
    response = client.get("/playbooks")
    assert response.status_code == 200
    text = _visible(response.text)
    assert "Enterprise deal" in text and "Transactional deal" in text
    assert "1. Qualify" in text and "Get the order" in text


def test_a_playbook_shows_its_stages_as_a_rep_meets_them(client, world):
    login(client, world.rep_a)
    text = _visible(client.get("/playbooks/transactional").text)
    assert "Transactional deal" in text and "Version 2" in text
    assert "1. Qualify" in text and "20%" in text and "7 days" in text
    assert "find out what they need" in text  # the guidance
    assert "Written quote sent (attach it)" in text  # the checklist
    # the gates, in words
    assert "Someone active in each of these roles on the deal: AR · account responsible" in text
    assert "Filled in: Amount (above 0), Expected close" in text
    assert "A Decision maker of the account met in the last 14 days" in text
    assert "Ticked on the checklist: Written quote sent (attach it)" in text
    assert "Before the deal is won" in text  # the last stage's gates


def test_decisions_are_named_with_who_decides(client, world):
    login(client, world.rep_a)
    text = _visible(client.get("/playbooks/enterprise").text)
    assert "Approve to bid — decided by: Director" in text
    assert "Approve to bid approved by a director" in text
    assert "Price" in text and "Lost to a competitor" in text  # loss reasons


def test_the_page_speaks_chinese_to_a_chinese_reader(client, world):
    _read_in(client, world.rep_a, "zh")
    text = _visible(client.get("/playbooks/enterprise").text)
    assert "大客户项目" in text and "投标决策" in text and "标前引导" in text
    assert "Enterprise deal" not in text and "Approve to bid" not in text


KEYS = ("enterprise", "transactional", "qualify", "quote_sent", "decision_maker", "atb", "sla_days")


def test_no_key_of_the_file_is_shown(client, world):
    login(client, world.rep_a)
    for path in ("/playbooks", "/playbooks/enterprise", "/playbooks/transactional"):
        text = _visible(client.get(path).text)
        for key in KEYS:
            assert not re.search(rf"\b{key}\b", text), (path, key)


def test_an_older_version_is_shown_when_asked_and_says_so(client, world, now):
    _stored_older_transactional(now)
    f.make_opportunity(account=world.account_a, playbook="transactional")
    login(client, world.rep_a)
    newest = client.get("/playbooks/transactional")
    assert "This is an older version" not in newest.text
    assert 'href="/playbooks/transactional?version=1"' in newest.text
    older = client.get("/playbooks/transactional?version=1")
    assert older.status_code == 200
    text = _visible(older.text)
    assert "Version 1" in text and "5 days" in text and "This is an older version" in text


def test_the_versions_table_counts_the_open_deals_on_each(client, world):
    f.make_opportunity(account=world.account_a, playbook="transactional")
    f.make_opportunity(account=world.account_b, playbook="transactional")
    f.make_opportunity(account=world.account_b, playbook="transactional", status="lost")
    login(client, world.rep_a)
    html = client.get("/playbooks/transactional").text
    row = html.split('class="table-active"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td>2</td>\s*$", row)


@pytest.mark.parametrize("version", ["7", "abc", "-1", "1.0", "２", "9" * 40])
def test_an_unknown_version_is_404_with_the_versions_it_has(client, world, version):
    login(client, world.rep_a)
    response = client.get(f"/playbooks/transactional?version={version}")
    assert response.status_code == 404
    assert "This playbook has no version" in response.text and "its versions: 2" in response.text


@pytest.mark.parametrize("key", ["nope", "Enterprise", "ENTERPRISE", "enterprise.yaml"])
def test_an_unknown_playbook_is_404(client, world, key):
    login(client, world.rep_a)
    response = client.get(f"/playbooks/{key}")
    assert response.status_code == 404
    assert "There is no such playbook." in response.text


def test_the_playbook_pages_need_a_login(client):
    for path in ("/playbooks", "/playbooks/enterprise"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["rep_a", "director_a", "leader", "admin"])
def test_the_menu_links_the_playbooks_and_help_for_everyone(client, world, who):
    login(client, getattr(world, who))
    html = client.get("/").text
    assert 'id="nav-playbooks"' in html and 'href="/playbooks"' in html
    assert 'href="/help/figures"' in html and 'href="/help"' in html
