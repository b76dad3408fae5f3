"""A city backfill over a local Dask cluster of two processes whose first unit kills its
own worker (SIGKILL) before it writes anything (issue 40 item 5): Dask runs the unit again
on the other worker (the reports waiting on their day's units, as in any spread run), and
every metric document is the same bytes as one process's."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.bootstrap.cluster import dask_pool
from entrepot.city_service.records import RunRequest
from entrepot.pools import Pool
from tests.support.cli import ENTRY_POINT
from tests.support.dask import KillingOnce

pytestmark = [pytest.mark.dask, pytest.mark.slow]

SMALL = ["--arcs", "20", "--stations", "8", "--counters", "3", "--roadworks", "15"]
SINCE, UNTIL = "2025-11-03", "2025-11-05"


def _instance(folder: Path) -> dict[str, str]:
    """A fresh instance in ``folder`` holding three generated days: its settings."""
    env = {
        "ENTREPOT_STORE_URL": str(folder / "store"),
        "ENTREPOT_DATABASE_URL": f"sqlite:///{folder / 'catalog.db'}",
    }
    for args in (
        ["db", "upgrade"],
        ["city", "generate", "--start", SINCE, "--days", "3", *SMALL],
    ):
        done = subprocess.run(
            [*ENTRY_POINT, *args],
            cwd=folder,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return env


def _metric_digests(summary: object) -> dict[tuple[str, str], str | None]:
    return {
        (o.source, o.day.isoformat()): o.sha256
        for o in summary.outcomes  # type: ignore[attr-defined]
        if o.source != "report"
    }


def test_a_worker_killed_in_a_unit_changes_no_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = RunRequest(since=SINCE, until=UNTIL)
    (tmp_path / "one").mkdir()
    for name, value in _instance(tmp_path / "one").items():
        monkeypatch.setenv(name, value)
    one = bootstrap().city.run(request)
    (tmp_path / "spread").mkdir()
    for name, value in _instance(tmp_path / "spread").items():
        monkeypatch.setenv(name, value)  # the workers read their instance from here
    marker = tmp_path / "killed"

    @contextmanager
    def killing(workers: int) -> Iterator[Pool]:
        with dask_pool(None, workers) as pool:
            assert pool is not None
            yield KillingOnce(pool, marker)

    city = bootstrap().city
    assert city._spread is not None  # the test's own hand on the run's pools
    city._spread = replace(city._spread, pools=killing)
    spread = city.run_spread(request, 2)
    assert marker.exists()  # a worker died at the start of a unit
    found = _metric_digests(spread)
    assert len(found) == 15 and all(found.values())
    assert found == _metric_digests(one)
