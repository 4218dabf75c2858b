"""Plotly figures (graph_objects, serialised to JSON) for the dependency pages; each page also
shows the table behind every chart."""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go
from flask_babel import gettext as _

from salesflow.dependency.metrics import Risk

RISK_COLOURS = {Risk.high: "#dc3545", Risk.medium: "#fd7e14", Risk.low: "#198754"}
LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
    "height": 320,
    "legend": {"orientation": "h"},
}


def risk_by_team(rows: Iterable[Any], team_names: dict[int, str]) -> str:
    """Stacked bars: accounts per team by risk."""
    counts: dict[Risk, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[row.metrics.risk][team_names.get(row.account.team_id, "?")] += 1
    teams = sorted({t for c in counts.values() for t in c})
    labels = {Risk.high: _("High"), Risk.medium: _("Medium"), Risk.low: _("Low")}
    figure = go.Figure(
        [
            go.Bar(
                name=labels[r],
                x=teams,
                y=[counts[r][t] for t in teams],
                marker_color=RISK_COLOURS[r],
            )
            for r in (Risk.high, Risk.medium, Risk.low)
        ],
        layout={**LAYOUT, "barmode": "stack", "title": _("Accounts by risk per team")},
    )
    return figure.to_json()


def holders(held: list[Any], currency: str) -> str:
    """Per person (HolderRow, by id; labelled so that two people of the same name stay apart):
    accounts where they are the holder, and the open pipeline (in the installation's currency)
    resting on them as AR; side by side on two axes."""
    names = [row.person.label for row in held]
    pipeline = [float(row.pipeline.get(currency, 0)) for row in held]
    figure = go.Figure(
        [
            go.Bar(name=_("Accounts held"), x=names, y=[row.held for row in held], offsetgroup=1),
            go.Bar(
                name=_("Open pipeline as AR (%(currency)s)", currency=currency),
                x=names,
                y=pipeline,
                yaxis="y2",
                offsetgroup=2,
            ),
        ],
        layout={
            **LAYOUT,
            "barmode": "group",
            "title": _("Who holds the accounts"),
            "yaxis": {"title": {"text": _("Accounts held")}, **whole(row.held for row in held)},
            "yaxis2": {
                "title": {"text": currency},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
            },
        },
    )
    return figure.to_json()


def whole(counts: Iterable[int]) -> dict[str, Any]:
    """An axis of whole counts: integer ticks from zero, about five of them."""
    top = max(counts, default=0)
    return {"rangemode": "tozero", "tickformat": "d", "dtick": max(1, math.ceil(top / 5))}


def trend(points: list[Any], team_names: dict[int, str]) -> str:
    """Per team over time: average effective holders (left axis) and high-risk accounts (right
    axis, whole counts), each axis titled."""
    by_team: dict[int, list[Any]] = defaultdict(list)
    for point in points:
        by_team[point.team_id].append(point)
    traces = []
    for team_id, series in sorted(by_team.items()):
        name = team_names.get(team_id, "?")
        days = [p.day.isoformat() for p in series]
        traces.append(
            go.Scatter(
                x=days,
                y=[p.effective_holders for p in series],
                name=_("%(team)s: effective holders", team=name),
            )
        )
        traces.append(
            go.Scatter(
                x=days,
                y=[p.high_risk for p in series],
                yaxis="y2",
                line={"dash": "dot"},
                name=_("%(team)s: high-risk accounts", team=name),
            )
        )
    figure = go.Figure(
        traces,
        layout={
            **LAYOUT,
            "margin": {**LAYOUT["margin"], "l": 60, "r": 60, "b": 60},
            "title": _("Dependency over time"),
            "xaxis": {"title": {"text": _("Day")}, "type": "date"},
            "yaxis": {"title": {"text": _("Average effective holders")}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": _("High-risk accounts")},
                "overlaying": "y",
                "side": "right",
                **whole(p.high_risk for p in points),
            },
        },
    )
    return figure.to_json()


def shares(people: list[tuple[str, float]]) -> str:
    """One horizontal bar: each person's share of the account's relationships."""
    figure = go.Figure(
        [
            go.Bar(name=name, x=[round(share * 100, 1)], y=[""], orientation="h")
            for name, share in people
        ],
        layout={
            **LAYOUT,
            "barmode": "stack",
            "height": 180,
            "title": _("Who holds what (%)"),
            "xaxis": {"range": [0, 100]},
        },
    )
    return figure.to_json()
