"""Entrepôt: one verified object store, a SQL catalog and a model registry."""

__version__ = "0.1.0"
