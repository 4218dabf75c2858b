"""The pipeline figures of PRODUCT.md ("Pipeline figures"), set-wise: a few grouped queries over
the deals a director or leadership may see, whatever their number. Amounts are summed per
currency, never across currencies. A module per figure; here, the names the review page, the
API, the exports and the jobs call:

- filters: the review's filters, the deals they select, the period, the playbook versions
- funnel, aging: per stage, the open deals and their time against the stage's limit; the deals
  over it
- forecast: the weighted amount per expected close month, the overdue deals apart
- moves: the period's moves out of a stage, which compliance and conversion read
- compliance, conversion, outcomes: gate compliance, conversion per stage, won and lost
- gaps, triangle, chain: the iron-triangle and decision-chain gap lists
- movement: the week's movement
- drills: the deals behind each number (DRILLS)
"""

from salesflow.pipeline.figures.aging import breaches
from salesflow.pipeline.figures.chain import chain_gaps
from salesflow.pipeline.figures.compliance import gate_compliance
from salesflow.pipeline.figures.conversion import conversion
from salesflow.pipeline.figures.drills import drill
from salesflow.pipeline.figures.filters import Filters, period, versions
from salesflow.pipeline.figures.forecast import OVERDUE, forecast
from salesflow.pipeline.figures.funnel import funnel
from salesflow.pipeline.figures.movement import movement, week_start
from salesflow.pipeline.figures.moves import period_moves
from salesflow.pipeline.figures.outcomes import outcomes
from salesflow.pipeline.figures.triangle import triangle_gaps

__all__ = [
    "OVERDUE",
    "Filters",
    "breaches",
    "chain_gaps",
    "conversion",
    "drill",
    "forecast",
    "funnel",
    "gate_compliance",
    "movement",
    "outcomes",
    "period",
    "period_moves",
    "triangle_gaps",
    "versions",
    "week_start",
]
