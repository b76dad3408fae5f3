"""Synthetic Paris mobility data in the real exports' formats, one module per source.

Recipes and the formats they reproduce are in ``docs/city-formats.md``; every
generator is deterministic given its seed.
"""
