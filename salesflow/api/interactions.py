"""API: interactions (see API.md)."""
