"""API: accounts (see API.md)."""
