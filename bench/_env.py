"""The line of date, versions and machine that every benchmark result carries."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib import metadata


def environment(*packages: str) -> str:
    """``date · Python · package versions · machine`` for ``packages`` (distribution names)."""
    versions = ", ".join(f"{d} {metadata.version(d)}" for d in packages)
    cpu = platform.processor() or platform.machine()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python {platform.python_version()} · "
        f"{versions} · {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"
    )
