"""The review's lists name each deal's AR and amount and who overrode; the lost drill-downs show
each deal's loss reason in the reader's language instead of a weighted amount."""

from datetime import timedelta

from salesflow.extensions import db
from salesflow.opportunities.models import Move, StageChange
from tests import factories as f
from tests.conftest import login


def _section(page: str, section: str) -> str:
    return page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]


def _item(html: str, href: str) -> str:
    return html.split(href, 1)[1].split("</li>", 1)[0]


def test_the_lists_show_the_ar_and_the_amount(client, world, deals):
    late = deals["a_shape_late"]  # Zhao Lei is its AR, 200,000 CNY
    gap = f.make_opportunity(account=world.account_a, stage="validate", amount=70_000)  # no AR
    db.session.commit()
    page = login(client, world.director_a).get("/pipeline/review").text
    breach = _item(_section(page, "breaches"), f"/opportunities/{late.id}")
    assert "Zhao Lei" in breach and "200,000" in breach
    triangle = _item(_section(page, "triangle-gaps"), f"/opportunities/{gap.id}")
    assert "nobody" in triangle and "70,000" in triangle


def test_the_overrides_say_who_overrode_with_the_ar_and_the_amount(client, world, deals, now):
    late = deals["a_shape_late"]
    db.session.add(
        StageChange(
            opportunity_id=late.id,
            at=now - timedelta(days=2),
            actor_id=world.director_a.id,
            move=Move.advanced,
            from_stage="validate",
            to_stage="shape",
            gates=[],
            gates_met=False,
            overridden=True,
            reason="Board approved",
        )
    )
    db.session.commit()
    page = login(client, world.director_a).get("/pipeline/review").text
    newest = _section(page, "compliance").split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Board approved" in newest and "Director North" in newest
    assert "Zhao Lei" in newest and "200,000" in newest


def test_the_lost_drill_down_shows_the_reason_and_no_weighted_amount(client, world, now):
    f.make_opportunity(account=world.account_a, stage="validate")  # open, for another list
    lost = f.make_opportunity(account=world.account_a, status="lost", name="Lost deal")
    lost.loss_reason, lost.close_reason = "competitor", "Acme"
    lost.closed_at = now - timedelta(days=3)
    db.session.commit()
    login(client, world.director_a)
    for figure in ("lost", "loss_reason&key=competitor"):
        page = client.get(f"/pipeline/review/deals?figure={figure}").text
        assert "Lost to a competitor: Acme" in page
        assert "Weighted" not in page and "Loss reason" in page
    world.director_a.locale = "zh"
    login(client, world.director_a)
    page = client.get("/pipeline/review/deals?figure=lost").text
    assert "输给竞争对手: Acme" in page and ">competitor<" not in page
    # the other drill-downs keep the weighted amount
    world.director_a.locale = "en"
    login(client, world.director_a)
    assert (
        "Weighted" in client.get("/pipeline/review/deals?figure=stage&key=enterprise:validate").text
    )


def test_the_review_names_loss_reasons_in_the_readers_language(client, world, now):
    for reason in ("price", "price", "other"):
        lost = f.make_opportunity(account=world.account_a, status="lost")
        lost.loss_reason, lost.closed_at = reason, now - timedelta(days=3)
    db.session.commit()
    page = login(client, world.director_a).get("/pipeline/review").text
    rows = _section(page, "outcomes").split('id="loss-reasons"', 1)[1]
    assert rows.index("Price") < rows.index("Other")
    assert "figure=loss_reason&amp;key=price" in rows
    world.director_a.locale = "zh"
    page = login(client, world.director_a).get("/pipeline/review").text
    assert "价格" in _section(page, "outcomes") and ">price<" not in page
