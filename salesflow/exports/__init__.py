"""Exports of every list (accounts, contacts, contact history, opportunities, the review's
drill-downs) as CSV and Excel: one engine (files.py), a column spec per list (lists.py), the
download routes (views.py). Each export reads what its page reads: the same scope, filters and
order, streamed in batches from one query."""
