"""Synthetic transactions: 13 domains, fraud scenarios, schema variety."""
