"""`flask --app wsgi backup create PATH` and `backup restore PATH`: a consistent copy of the
database while the app runs (SQLite's online backup API; pg_dump on PostgreSQL), and a restore
into an empty database only, with the schema revision checked against the code's migrations."""
