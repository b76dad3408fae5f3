"""The key ring's rows: the keys that sign model versions, each wrapped (encrypted) with the
instance secret (ADR 0035)."""
