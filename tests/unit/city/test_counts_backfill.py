"""A generated backfill reads its counts about once (issue 40 item 2): ``city run`` reads
each day partition once, however the days are cut into units, and writes the documents
today's whole-export reading writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from entrepot.city import layout
from entrepot.city import pipeline as pipeline_module
from entrepot.city.counts_partition import partition_counts
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.city.synth.arcs import make_arcs, referentiel_lines
from entrepot.city.synth.counts import day_lines, header
from entrepot.city_service.records import RunRequest
from entrepot.city_service.service import CityService
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine

START = date(2025, 2, 1)
DAYS = 60
#: The most a run may read of the partitions, against their total size.
MOST = 1.05


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    """A backfill's counts export and référentiel, as ``city generate`` writes them (the
    generator's own rows; its hourly API snapshots are not needed here)."""
    store = MemoryStore("backfill")
    arcs = make_arcs(40, seed=3)
    path = tmp_path_factory.mktemp("backfill") / layout.COUNTS_CSV
    with open(path, "w", encoding="utf-8") as out:
        out.write("\ufeff" + header("labels") + "\n")
        for d in range(DAYS):
            out.write("\n".join(day_lines(arcs, START + timedelta(d), 3)) + "\n")
    key = layout.batch_key(layout.COUNTS_CSV)
    info = store.put_file(key, path)
    assert partition_counts(store, path, str(info.sha256), key) is not None
    referentiel = "\n".join(referentiel_lines(arcs, 3)) + "\n"
    store.put(layout.batch_key(layout.REFERENTIEL_CSV), referentiel.encode("utf-8"))
    return store


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


@contextmanager
def _never(*_args: Any, **_kwargs: Any) -> Iterator[None]:
    yield None


def _sizes(store: MemoryStore) -> tuple[int, int]:
    """The counts partitions' bytes (their manifests with them), and the other inputs a
    traffic run reads (the référentiel)."""
    parts = sum(i.size for i in store.list(f"{layout.COUNTS_ROOT}/"))
    other = store.head(layout.batch_key(layout.REFERENTIEL_CSV)).size
    return parts, other


def _run(env: CityService, since: date, until: date) -> dict[str, Any]:
    request = RunRequest(
        since=since.isoformat(), until=until.isoformat(), types=["traffic"], report=False
    )
    return env.run(request).as_dict()


def test_a_backfill_reads_the_partitions_once_and_writes_todays_documents(
    lake: MemoryStore, catalog: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = [START + timedelta(d) for d in range(DAYS)]
    export = lake.head(layout.batch_key(layout.COUNTS_CSV)).size
    parts, other = _sizes(lake)
    env = CityService(lake, engine=catalog)
    summary = _run(env, days[0], days[-1])
    assert summary["computed"] == DAYS and summary["failed"] == 0
    # every partition read (none skipped), none twice; the whole export never
    assert parts <= summary["bytes_read"] <= MOST * parts + other
    assert summary["bytes_read"] < export
    with monkeypatch.context() as patch:
        patch.setattr(pipeline_module, "read_partitioned", _never)
        reference = DayProcessor(Lake(lake)).traffic_days(days)
    for day in days:
        stored = env.metrics.require("traffic", day).document
        assert json.dumps(stored, sort_keys=True) == json.dumps(reference[day], sort_keys=True)


def test_units_of_a_month_read_the_backfill_about_once(lake: MemoryStore, catalog: Engine) -> None:
    """``city run --jobs`` cuts a backfill into 31-day units: each reads its days and the
    day before."""
    env = CityService(lake, engine=catalog)
    parts, other = _sizes(lake)
    read = 0
    for first in range(0, DAYS, 31):
        since = START + timedelta(first)
        until = min(since + timedelta(30), START + timedelta(DAYS - 1))
        summary = _run(env, since, until)
        assert summary["failed"] == 0
        read += summary["bytes_read"] - other
    assert parts <= read <= MOST * parts
