from babel.messages.pofile import read_po

from tests.factories import PASSWORD

CATALOG = "salesflow/translations/zh_Hans/LC_MESSAGES/messages.po"


def translate(text: str, locale: str) -> str:
    """What the UI shows for `text` in the browser's language (from the catalog, not hard-coded)."""
    if not locale.startswith("zh"):
        return text
    with open(CATALOG, "rb") as file:
        message = read_po(file).get(text)
    if message and isinstance(message.string, tuple):  # plural forms: Chinese has one
        return message.string[0] or text
    return message.string if message and message.string else text


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def assert_accessible(page) -> None:
    """axe-core (from the pinned axe-playwright-python package, run inside the page) finds no
    serious or critical accessibility failure on the page as it is now."""
    from axe_playwright_python.base import AXE_SCRIPT

    # The page at rest: no hover left by the last click, and every transition finished (axe
    # measuring a button's colours halfway through Bootstrap's fade is a false failure).
    page.mouse.move(0, 0)
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    failures = [
        f"{rule['id']} ({rule['impact']}): {rule['help']} — "
        + "; ".join(node["target"][0] for node in rule["nodes"][:5])
        for rule in results["violations"]
        if rule["impact"] in {"serious", "critical"}
    ]
    assert not failures, f"axe-core on {page.url}:\n" + "\n".join(failures)
