"""CSV export of the opportunity list: the same scope, filters and order as the page, streamed in
keyset batches (never the whole table in memory), UTF-8 with a BOM so Excel reads Chinese, and
cells that start like a formula escaped (STACK.md: formula injection)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _

from salesflow.labels import label
from salesflow.opportunities import queries
from salesflow.playbooks.schema import text

BATCH = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe. Numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _header() -> list[str]:
    return [_("Id"), _("Account"), _("Name"), _("Playbook"), _("Stage"), _("Status"),
            _("Amount"), _("Currency"), _("Weighted amount"), _("Expected close"),
            _("Days in stage"), _("SLA days"), "AR", "SR", "FR", _("Competitors"),
            _("Reason")]  # fmt: skip


def _row(o: Any, now: datetime, locale: Any) -> list[Any]:
    playbook = queries.registry.playbook(o.playbook_version)
    stage = playbook.stage(o.stage_key)
    people = [(queries.seat(o, role) or None) for role in ("AR", "SR", "FR")]
    return [
        o.id, o.account.name, o.name, text(playbook.name, locale), text(stage.name, locale),
        label(o.status), o.amount if o.amount is not None else "", o.currency,
        queries.weighted(o), o.expected_close.isoformat() if o.expected_close else "",
        queries.days_in_stage(o, now), stage.sla_days,
        *[p.name if p else "" for p in people], o.competitors or "", o.close_reason or "",
    ]  # fmt: skip


def rows(query: sa.Select[Any], *, sort: str, descending: bool, now: datetime) -> Iterator[str]:
    """The CSV text, a batch of rows at a time."""
    locale = get_locale()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    yield "\ufeff" + buffer.getvalue()
    cursor = None
    while True:
        page, cursor = queries.page(query, sort=sort, descending=descending, cursor=cursor,
                                    size=BATCH)  # fmt: skip
        buffer.seek(0)
        buffer.truncate()
        for opportunity in page:
            writer.writerow([safe_cell(v) for v in _row(opportunity, now, locale)])
        yield buffer.getvalue()
        if cursor is None:
            return


def csv_response(query: sa.Select[Any], *, sort: str, descending: bool, now: datetime):
    stamp = now.strftime("%Y%m%d")
    return Response(
        stream_with_context(rows(query, sort=sort, descending=descending, now=now)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="opportunities-{stamp}.csv"'},
    )
