"""Resolving rows: what each row of a file does to the records (engine.py), per kind of row."""

from salesflow.imports.resolving import accounts, contacts  # noqa: F401  (register the kinds)
from salesflow.imports.resolving.base import KINDS, Context
from salesflow.imports.resolving.engine import run

__all__ = ["KINDS", "Context", "run"]
