"""The issue's flow on a phone, in English and in Chinese: a director imports the contact sheet
Chinese Excel saved (GBK), sees the dry run and the error rows, commits, downloads the error file,
fixes it and uploads it again (it continues the import), sees the decision chain built on the
account page, then undoes the import. axe-core finds nothing serious on the import pages."""

import itertools
import re
from pathlib import Path

from playwright.sync_api import expect

from salesflow.auth.models import Role
from tests import factories as f
from tests.e2e.helpers import assert_accessible, log_in, translate
from tests.imports.import_helpers import FILES

_n = itertools.count()


def _world(locale: str) -> dict:
    n = next(_n)
    team = f.make_team(name=f"Import {locale} {n}")
    director = f.make_user(
        role=Role.director,
        team=team,
        name=f"Director {n}",
        email=f"import-director{n}-{locale}@example.com",
    )
    team.director_id = director.id
    account = f.make_account(team=team, name="华东电力")
    return {"account": account, "email": director.email}


def _chain(page) -> str:
    return page.locator("#decision-chain .org-chart").inner_text()


def test_director_imports_a_gbk_sheet_fixes_the_errors_and_undoes_it(
    live_server, phone, locale, tmp_path
):
    seeded = live_server.seed(lambda: _world(locale))
    url = live_server.url
    log_in(phone, url, seeded["email"])
    phone.goto(f"{url}/imports/new")
    assert_accessible(phone)
    phone.set_input_files("input[name=file]", str(FILES / "contacts_gbk.csv"))
    phone.select_option("select[name=kind]", "contacts")
    phone.click("#upload")
    phone.wait_for_url(re.compile(r".*/imports/\d+$"))
    first = phone.url
    assert phone.locator("#mapping-form .mapping-column select").count() == 12
    assert phone.locator("#counts .count-create .badge").inner_text() == "4"
    assert phone.locator("#counts .count-error .badge").inner_text() == "3"
    assert_accessible(phone)

    phone.click("#commit")
    phone.wait_for_url(first)
    assert translate("Imported", locale) in phone.locator("#status").inner_text()
    phone.click("#counts .count-error")
    phone.wait_for_url(re.compile(r".*outcome=error.*"))
    errors = phone.locator(".import-row.outcome-error")
    expect(errors).to_have_count(3)  # waits for the filtered list, not the page before it
    assert "华北能源集团" in errors.first.inner_text()
    assert_accessible(phone)

    with phone.expect_download() as download:
        phone.click("#errors-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    fixed = (
        text.replace("华北能源集团", "华东电力有限公司")
        .replace("sunli@hdpower,", "sunli@hdpower.cn,")
        .replace("张三", "刘建国")
    )
    fixed_file = tmp_path / "联系人-fixed.csv"
    fixed_file.write_text(fixed, encoding="utf-8-sig")

    phone.click("#upload-fixed")
    phone.wait_for_url(re.compile(r".*/imports/new\?.*continues=\d+.*"))
    assert phone.locator("#continuing").is_visible()
    phone.set_input_files("input[name=file]", str(fixed_file))
    phone.click("#upload")
    phone.wait_for_url(re.compile(r".*/imports/\d+$"))
    assert phone.locator("#continues-link").is_visible()
    assert phone.locator("#counts .count-create .badge").inner_text() == "3"
    assert phone.locator("#counts .count-error .badge").inner_text() == "0"
    phone.click("#commit")
    phone.wait_for_url(re.compile(r".*/imports/\d+$"))

    phone.goto(f"{url}/accounts/{seeded['account']}")
    boss = phone.locator("#decision-chain .org-chart > ul > li", has_text="刘建国").first
    assert "周敏" in boss.inner_text() and "王磊" in boss.inner_text()
    zhou = boss.locator("li", has_text="周敏").first
    assert "王磊" in zhou.inner_text() and "陈静" in zhou.inner_text()
    assert "孙丽" in boss.inner_text() and "赵强" in _chain(phone)
    history = phone.locator(".audit-cause").first.inner_text()
    assert translate("Imported from %(file)s", locale).split("%")[0].strip() in history

    phone.goto(first)
    phone.check("input[name=confirm]")
    phone.click("#undo-button")
    phone.wait_for_url(first)
    assert translate("Undone", locale) in phone.locator("#status").inner_text()
    assert phone.locator("#undo-report").is_visible()
    assert_accessible(phone)
    phone.goto(f"{url}/accounts/{seeded['account']}")
    chain = phone.locator("#decision-chain").inner_text()
    assert "刘建国" not in chain and "赵强" not in chain  # the fixed rows were undone with it
