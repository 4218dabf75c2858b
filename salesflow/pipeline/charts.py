"""Plotly figures of the pipeline review (graph_objects as JSON); the page shows the table behind
each."""

from typing import Any

import plotly.graph_objects as go
from flask_babel import get_locale
from flask_babel import gettext as _

from salesflow.formatting import format_month
from salesflow.playbooks import registry
from salesflow.playbooks.schema import text

LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 40, "b": 60},
    "height": 320,
    "legend": {"orientation": "h"},
}


def forecast(months: list[tuple[str, dict[str, Any]]]) -> str:
    """The weighted amount per expected close month, a bar trace per currency."""
    currencies = sorted({c for _month, amounts in months for c in amounts})
    shown = {"overdue": _("Overdue"), "": _("no date")}  # figures.OVERDUE, undated
    labels = [shown.get(month) or format_month(month) for month, _amounts in months]
    figure = go.Figure(
        [go.Bar(name=c, x=labels, y=[float(a.get(c, 0)) for _m, a in months]) for c in currencies],
        layout={**LAYOUT, "title": _("Weighted forecast by close month")},
    )
    return figure.to_json()


def funnel(stages: list[Any]) -> str:
    """Open deals per stage (bars), one trace per playbook."""
    names = {
        (key, s.key): text(s.name, get_locale())
        for key, p in registry.file_playbooks().items()
        for s in p.stages
    }
    playbooks = sorted({s.playbook for s in stages})
    titles = {key: text(p.name, get_locale()) for key, p in registry.file_playbooks().items()}
    figure = go.Figure(
        [
            go.Bar(
                name=titles.get(key, key),  # the playbook's name in the legend, not its key
                x=[names.get((key, s.stage), s.stage) for s in stages if s.playbook == key],
                y=[s.count for s in stages if s.playbook == key],
            )
            for key in playbooks
        ],
        layout={**LAYOUT, "title": _("Open deals per stage")},
    )
    return figure.to_json()
