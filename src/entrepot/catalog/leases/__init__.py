"""Leases: a named piece of work held by one process at a time, on every machine that shares
the catalog (ADR 0092)."""
