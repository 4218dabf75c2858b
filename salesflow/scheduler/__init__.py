"""The scheduler: the registry of timed jobs (registry.py; each job's body lives with its domain,
in `<domain>/jobs.py`) and the runner that claims each run once in the database however many
scheduler or web processes run (runner.py), with `flask scheduler`, `serve` and `jobs` (cli.py)."""
