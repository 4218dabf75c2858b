from babel.messages.pofile import read_po

from tests.factories import PASSWORD

CATALOG = "salesflow/translations/zh_Hans/LC_MESSAGES/messages.po"


def translate(text: str, locale: str) -> str:
    """What the UI shows for `text` in the browser's language (from the catalog, not hard-coded)."""
    if not locale.startswith("zh"):
        return text
    with open(CATALOG, "rb") as file:
        message = read_po(file).get(text)
    return message.string if message and message.string else text


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
