"""DuckDB failing with an internal error on a readable counts export (ADR 0121). While it
partitions the export: once, the export is partitioned again on one thread, to the same
rows; twice, it is left whole, read whole by the runs as before, and nothing of it is
half-written. While it scans the export: once, the scan runs again on one thread, to the
same aggregate; twice, the error says DuckDB failed, not the file, in the user's
language."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from entrepot.city import layout
from entrepot.city.bigcsv import aggregate_counts
from entrepot.city.counts_partition import is_partitioned, partition_counts
from entrepot.city.errors import CityError
from entrepot.city.lake import Lake
from entrepot.city.limits import DEFAULT_SCAN_THREADS
from entrepot.city.pipeline import DayProcessor
from entrepot.city.synth.arcs import make_arcs
from entrepot.city.synth.counts import day_lines, header
from entrepot.i18n.messages import speaker
from entrepot.storage.memory import MemoryStore

FIRST = date(2025, 5, 12)
DAYS = [FIRST, FIRST + timedelta(1)]
#: What DuckDB 2.0.0 raised once while partitioning a generated export of 14 days.
SEEN = "INTERNAL Error: Attempting to dereference an optional pointer that is not set"


class _Connection:
    """A DuckDB connection whose ``COPY`` (a partitioning) or first read of the CSV (a
    scan) fails as DuckDB's own fault when told to."""

    def __init__(self, con: Any, fail: bool) -> None:
        self._con, self._fail = con, fail

    def __enter__(self) -> _Connection:
        self._con.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._con.__exit__(*exc)

    def execute(self, query: str, *args: Any) -> Any:
        if self._fail and (query.lstrip().startswith("COPY") or "read_csv(" in query):
            raise duckdb.InternalException(SEEN)
        return self._con.execute(query, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _failing(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """``duckdb.connect`` whose first ``failures`` connections fail; each connection's
    threads, in order."""
    connect = duckdb.connect
    threads: list[int] = []

    def connected(database: str, config: dict[str, Any]) -> _Connection:
        threads.append(int(config["threads"]))
        return _Connection(connect(database, config=config), len(threads) <= failures)

    monkeypatch.setattr(duckdb, "connect", connected)
    return threads


def _export(store: MemoryStore, tmp: Path) -> tuple[Path, str, str]:
    arcs = make_arcs(12, seed=4)
    lines = [line for day in DAYS for line in day_lines(arcs, day, 7, "raw")]
    path = tmp / "comptages.csv"
    path.write_text(header("raw") + "\n" + "\n".join(lines) + "\n", "utf-8")
    key = layout.batch_key(layout.COUNTS_CSV)
    store.put(key, path.read_bytes())
    return path, key, hashlib.sha256(path.read_bytes()).hexdigest()


def _documents(store: MemoryStore) -> dict[date, str]:
    found = DayProcessor(Lake(store)).traffic_days(DAYS)
    return {day: json.dumps(doc, sort_keys=True) for day, doc in found.items()}


def test_an_internal_error_once_partitions_again_on_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = MemoryStore("clean")
    path, key, sha256 = _export(clean, tmp_path)
    expected = partition_counts(clean, path, sha256, key)
    store = MemoryStore("retried")
    _export(store, tmp_path)
    threads = _failing(monkeypatch, failures=1)
    parted = partition_counts(store, path, sha256, key)
    assert threads == [DEFAULT_SCAN_THREADS, 1]
    assert parted is not None and expected is not None
    assert (parted.days, parted.skipped_rows, parted.duplicates) == (
        expected.days,
        expected.skipped_rows,
        expected.duplicates,
    )
    assert is_partitioned(store, sha256)
    monkeypatch.undo()
    assert _documents(store) == _documents(clean)


def test_an_internal_error_twice_leaves_the_export_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryStore("whole")
    path, key, sha256 = _export(store, tmp_path)
    before = {info.key for info in store.list("")}
    threads = _failing(monkeypatch, failures=2)
    assert partition_counts(store, path, sha256, key) is None
    assert threads == [DEFAULT_SCAN_THREADS, 1]
    assert {info.key for info in store.list("")} == before  # nothing half-written
    assert not is_partitioned(store, sha256)
    monkeypatch.undo()
    whole = _documents(store)
    reference = MemoryStore("reference")
    _export(reference, tmp_path)
    assert whole == _documents(reference)


def test_a_scan_failing_once_runs_again_on_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, _ = _export(MemoryStore("scan"), tmp_path)
    expected = aggregate_counts(path)
    threads = _failing(monkeypatch, failures=1)
    got = aggregate_counts(path)
    assert threads == [DEFAULT_SCAN_THREADS, 1]
    pd.testing.assert_frame_equal(got.arcs, expected.arcs, check_exact=True)
    pd.testing.assert_frame_equal(got.hours, expected.hours, check_exact=True)
    assert (got.rows, got.skipped_rows, got.notes) == (
        expected.rows,
        expected.skipped_rows,
        expected.notes,
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_scan_failing_twice_blames_duckdb_not_the_file(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, _ = _export(MemoryStore("scan"), tmp_path)
    _failing(monkeypatch, failures=2)
    with pytest.raises(CityError) as raised:
        aggregate_counts(path, key="comptages.csv")
    said = raised.value.said
    assert said is not None and said.key == "error.city.duckdb_internal"
    text = speaker(language)(said)
    assert "comptages.csv" in text and "DuckDB" in text
    assert ("relancez" if language == "fr" else "run the command again") in text
