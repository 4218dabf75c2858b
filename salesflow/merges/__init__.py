"""Duplicate merging: candidates by the import's matching keys, the side-by-side chooser, merging
accounts and contacts with everything related, and undoing a merge within 30 days."""
