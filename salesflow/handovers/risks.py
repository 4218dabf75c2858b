"""The dependency risk of a handover's accounts: kept when it is planned (risk before) and shown
beside it now (PRODUCT.md, "Handovers").

Risk is the dependency report's figure (dependency.queries.risks); handovers are company memory,
and the memory never imports the reports (tests/test_layering.py). So the app factory hands the
report's function to handovers when it builds the app (create_app → register_reports), and
handovers ask through `of()`; an app built without it fails loudly on the first handover."""

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum

from flask import current_app

EXTENSION = "salesflow.account_risks"
AccountRisks = Callable[..., Mapping[int, Enum]]  # (account_ids, *, now) -> {account_id: risk}


def of(account_ids: set[int], *, now: datetime) -> Mapping[int, Enum]:
    """Each account's dependency risk at `now` (low, medium or high: its `.name`)."""
    answer: AccountRisks = current_app.extensions[EXTENSION]
    return answer(account_ids, now=now)
