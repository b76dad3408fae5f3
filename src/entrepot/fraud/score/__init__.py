"""Ensembles and scoring: members, mappings, the linear opinion pool, explanations,
and the numpy fast path that gives the same numbers."""
