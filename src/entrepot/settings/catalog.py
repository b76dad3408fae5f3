"""Where the catalog is."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.settings import setting


@dataclass(frozen=True)
class CatalogSettings:
    """The catalog's settings: one database URL (SQLite or PostgreSQL)."""

    url: str = setting("sqlite:///./var/entrepot.db", name="database_url")
