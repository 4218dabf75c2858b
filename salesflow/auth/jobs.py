"""The login's scheduled job (scheduler/registry.py names it): forgetting quiet login counters.
It takes the moment it runs for and returns a one-line summary."""

from datetime import datetime

from flask_babel import ngettext

from salesflow.auth import throttle


def prune_login_throttles(now: datetime) -> str:
    n = throttle.prune(now=now)
    return ngettext("%(num)d login counter forgotten", "%(num)d login counters forgotten", n)
