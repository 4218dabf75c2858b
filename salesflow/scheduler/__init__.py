"""The scheduler: timed jobs (reminders, breaches, snapshots, digests), each run claimed once in
the database however many scheduler or web processes run."""
