"""The read-through cache of a remote store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from entrepot.settings import setting


@dataclass(frozen=True)
class CacheSettings:
    """Where the cache is and how big it may grow."""

    dir: Path = field(
        default=Path("./var/cache"),
        metadata={"name": "cache_dir", "on_platform": Path("/tmp/entrepot-cache")},
    )
    max_bytes: int = setting(2 * 1024**3, name="cache_max_bytes", ge=0, before="size")
