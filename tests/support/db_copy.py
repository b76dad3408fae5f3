"""What the ``entrepot db copy`` tests share: the installed command, the metrics table,
the environment a copy runs in and what it said, on one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, Table

from entrepot.catalog.city.tables import CityMetricRow

ENTREPOT = str(Path(sys.executable).parent / "entrepot")
METRICS = cast(Table, CityMetricRow.__table__)


def copy_env(source: Engine, folder: Path) -> dict[str, str]:
    """The environment of a copy from ``source``: no inherited ``ENTREPOT_*`` setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        ENTREPOT_DATABASE_URL=str(source.url),
        ENTREPOT_STORE_URL=str(folder / "store"),
        ENTREPOT_VAR_DIR=str(folder),
        COLUMNS="200",
    )
    return env


def printed(done: subprocess.CompletedProcess[str]) -> str:
    """Everything the command printed, on one line."""
    return " ".join((done.stdout + done.stderr).split())
