"""Engineers' tools that are not part of the app: the benchmark (`make bench`)."""
