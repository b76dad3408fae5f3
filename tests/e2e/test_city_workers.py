"""``entrepot city run --workers N`` (issue 40 item 1): a backfill's units over a local
Dask cluster of N worker processes on 127.0.0.1 (ports the system picks), the installed
command in a subprocess; every metric document the same bytes as one process's, every
report the same but for its run's id."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import Cli

SMALL = ["--arcs", "20", "--stations", "8", "--counters", "3", "--roadworks", "15"]
DAYS = ["--since", "2025-11-03", "--until", "2025-11-05"]


Digests = dict[tuple[str, str], str]


def _backfill(cli: Cli, folder: Path, workers: int) -> tuple[Digests, list[dict[str, object]], int]:
    """The run's (source, day) -> document sha256, its reports without their run id, and
    the bytes it read from the store, in a fresh instance (``folder``) of the same data."""
    env = {
        "ENTREPOT_STORE_URL": str(folder / "store"),
        "ENTREPOT_DATABASE_URL": f"sqlite:///{folder / 'catalog.db'}",
    }

    def here(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, extra_env=env)

    assert here("db", "upgrade").returncode == 0
    made = here("city", "generate", "--start", "2025-11-03", "--days", "3", *SMALL)
    assert made.returncode == 0, made.stderr
    run = here("city", "run", *DAYS, "--workers", str(workers), "--json")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    summary = json.loads(run.stdout)
    assert (summary["computed"], summary["failed"]) == (18, 0)  # 5 types x 3 days + 3 reports
    digests = {(r["source"], r["date"]): r["sha256"] for r in summary["results"]}
    reports = []
    for day in ("2025-11-03", "2025-11-04", "2025-11-05"):
        report = json.loads(here("city", "report", day).stdout)
        report.pop("run")
        reports.append(report)
    return digests, reports, summary["bytes_read"]


@pytest.mark.parametrize("workers", [2, 8])
def test_a_backfill_over_workers_writes_what_one_process_writes(
    cli: Cli, tmp_path: Path, workers: int
) -> None:
    one = _backfill(cli, tmp_path / "one", 1)
    spread = _backfill(cli, tmp_path / "spread", workers)
    metrics = {k: v for k, v in one[0].items() if k[0] != "report"}
    assert len(metrics) == 15
    assert {k: v for k, v in spread[0].items() if k[0] != "report"} == metrics
    assert spread[1] == one[1]
    # the lake's partitions read once however the days are cut; each unit reads again the
    # small batch files its type needs (the roadworks export, the referentiel)
    assert one[2] > 0 and one[2] <= spread[2] <= 1.05 * one[2]
