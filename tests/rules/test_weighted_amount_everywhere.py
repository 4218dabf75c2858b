"""One rounding policy for the weighted amount: each deal's amount × its stage's probability,
rounded to the cent half up; a total is the sum of the deals' rounded amounts. Four deals in the
10 % stage — 1.15 (0.115) and three of 0.05 (0.005 each) — make the old policies disagree: each
deal rounded half to even gave 0.12, the board's and the review's total rounded once 0.13; the
rule gives 0.12 + 3 × 0.01 = 0.15 on the board, the review, the forecast, the list and the API.
1.15 is no exact binary fraction, so SQLite's floating point amounts are tested too."""

from decimal import Decimal

import pytest

from salesflow.extensions import db
from salesflow.opportunities import rules
from tests import factories as f
from tests.conftest import api_as, login
from tests.rules.pages import row, section, stage_row


@pytest.fixture
def deals(world, now):
    made = [
        f.make_opportunity(account=world.account_a, stage="validate", amount=Decimal(amount))
        for amount in ("1.15", "0.05", "0.05", "0.05")
    ]
    db.session.commit()
    return made


@pytest.mark.parametrize(
    ("amount", "probability", "weighted"),
    [
        ("0.05", 10, "0.01"),  # 0.005: half up
        ("0.50", 25, "0.13"),  # 0.125
        ("1.15", 10, "0.12"),  # 0.115
        ("10.05", 15, "1.51"),  # 1.5075
        ("0.03", 15, "0.00"),  # 0.0045: below half
        (None, 40, "0.00"),  # no amount counts as 0
        ("999999999999999.99", 100, "999999999999999.99"),
    ],
)
def test_a_deals_weighted_amount_is_rounded_to_the_cent_half_up(amount, probability, weighted):
    value = Decimal(amount) if amount else None
    assert rules.weighted_amount(value, probability) == Decimal(weighted)


def test_the_board_column_sums_the_rounded_deals(client, world, deals):
    page = login(client, world.director_a).get("/pipeline?playbook=enterprise").text
    column = page.split('data-stage="validate"', 1)[1].split("</header>", 1)[0]
    assert "4 deals" in column and "1.3 CNY · <span" in column
    assert "weighted 0.15 CNY" in column


def test_the_review_funnel_and_forecast_sum_the_rounded_deals(client, world, deals):
    page = login(client, world.director_a).get("/pipeline/review").text
    assert "<div>0.15 CNY</div>" in stage_row(page, "validate")
    assert "<div>0.15 CNY</div>" in section(page, "forecast-table")


def test_the_list_shows_each_deals_rounded_weighted_amount(client, world, deals):
    page = login(client, world.director_a).get("/opportunities").text
    shown = [">0.12 CNY</td>", ">0.01 CNY</td>", ">0.01 CNY</td>", ">0.01 CNY</td>"]
    for deal, weighted in zip(deals, shown, strict=True):
        assert weighted in row(page, f"/opportunities/{deal.id}")


def test_the_api_gives_the_same_amounts(app, world, deals):
    api = api_as(app, world.director_a)
    each = [api.get(f"/opportunities/{d.id}").json["weighted_amount"] for d in deals]
    assert each == ["0.12", "0.01", "0.01", "0.01"]
    stages = api.get("/reports/pipeline").json["stages"]
    assert [s["weighted_amount"] for s in stages if s["stage"] == "validate"] == [{"CNY": "0.15"}]


def test_sql_and_python_agree_deal_by_deal(world, now):
    """Amounts whose tenths of a cent land on .5 in every stage's probability, read back through
    the database (on SQLite as floating point)."""
    import sqlalchemy as sa

    from salesflow.opportunities.models import Opportunity
    from salesflow.opportunities.queries import stage_of
    from salesflow.pipeline.figures import versions

    stages = ["validate", "shape", "bid", "negotiate", "contract"]
    amounts = ["0.05", "0.15", "1.15", "2.35", "10.05", "0.125", "1234567.89", "0.01", "0"]
    made = [
        f.make_opportunity(account=world.account_a, stage=stage, amount=Decimal(amount))
        for stage in stages
        for amount in amounts
    ]
    ids = [d.id for d in made]
    in_sql = dict(
        db.session.execute(
            sa.select(Opportunity.id, rules.weighted_cents_sql(versions())).where(
                Opportunity.id.in_(ids)
            )
        ).all()
    )
    for deal in made:
        db.session.refresh(deal)  # the amount as the database keeps it
        python = rules.weighted_amount(deal.amount, stage_of(deal).probability)
        assert rules.from_cents(in_sql[deal.id]) == python, (deal.amount, deal.stage_key)
