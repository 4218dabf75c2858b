"""API: contacts (see API.md)."""
