"""Resolving rows: what each row of a file does to the records (engine.py), per kind of row."""

from salesflow.imports.resolving import (  # noqa: F401  (each registers its kind)
    accounts,
    contacts,
    interactions,
    opportunities,
)
from salesflow.imports.resolving.base import KINDS, Context
from salesflow.imports.resolving.engine import run

__all__ = ["KINDS", "Context", "run"]
