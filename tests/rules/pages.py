"""Reading one deal's, one step's or one handover's part of a page, for the tests that check a
rule on every surface."""

import re


def section(page: str, section_id: str) -> str:
    """The element with id="section_id" up to the end of its section or table."""
    rest = page.split(f'id="{section_id}"', 1)[1]
    return re.split(r"</section>|</table>", rest, maxsplit=1)[0]


def classes(page: str, element_id: str) -> str:
    """The class attribute of the element with id="element_id" (written before the id)."""
    match = re.search(rf'class="([^"]*)" id="{element_id}"', page)
    assert match, f"no element {element_id}"
    return match.group(1)


def card(page: str, deal_id: int) -> str:
    """A board card, its opening tag included."""
    match = re.search(
        rf'<article class="[^"]*" data-id="{deal_id}">.*?</article>', page, flags=re.DOTALL
    )
    assert match, f"no card for deal {deal_id}"
    return match.group(0)


def row(page: str, href: str) -> str:
    """The table row linking to `href` (a deal, a handover)."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.DOTALL) if f'"{href}"' in r]
    assert len(rows) == 1, f"{len(rows)} rows link to {href}"
    return rows[0]


def stage_row(page: str, stage: str) -> str:
    """The review funnel's row of the enterprise playbook's stage `stage`."""
    funnel = section(page, "funnel-table")
    rows = [
        r
        for r in re.findall(r"<tr>.*?</tr>", funnel, flags=re.DOTALL)
        if f"enterprise%3A{stage}" in r or f"enterprise:{stage}" in r
    ]
    assert len(rows) == 1, f"{len(rows)} funnel rows for {stage}"
    return rows[0]
