"""The benchmark on the large data set (`make bench`, `python -m tools.bench`): main.py loads and
times, deals.py and dependency.py add the opportunity and dependency cases, sql.py and
sql_deals.py hold the hand-written SQL each page is compared with, imports.py the import case."""
