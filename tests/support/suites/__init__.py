"""Test suites run on several backends: tests/unit runs each on SQLite and in-memory
stores, tests/integration runs the same classes again on PostgreSQL (and S3)."""
