"""The imports' scheduled job (scheduler/registry.py names it): forgetting the files of imports
left at their dry run. It takes the moment it runs for and returns a one-line summary."""

from datetime import datetime

from flask_babel import ngettext

from salesflow.imports import services


def prune_import_files(now: datetime) -> str:
    n = services.forget_stale_files(now=now)
    return ngettext("%(num)d uploaded file forgotten", "%(num)d uploaded files forgotten", n)
