"""The counts read from their day partitions give the documents the whole exports give
(issue 40 item 2, ADR 0083): duplicates within and across exports, bad values, rows
without a place, the hour the spring skips, text a cast reads after trimming."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from entrepot.city import layout
from entrepot.city import pipeline as pipeline_module
from entrepot.city.counts_partition import is_partitioned, partition_counts
from entrepot.city.errors import CityError
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.city.synth.arcs import make_arcs
from entrepot.city.synth.counts import day_lines, header
from entrepot.storage.counting import CountingStore
from entrepot.storage.memory import MemoryStore

SPRING = date(2025, 3, 30)


def _lines(first: date, days: int, seed: int) -> list[str]:
    arcs = make_arcs(12, seed=4)
    return [
        line for d in range(days) for line in day_lines(arcs, first + timedelta(d), seed, "raw")
    ]


def _with(line: str, **fields: str) -> str:
    """``line`` with some of its fields replaced (raw style: arc 0, time 6, q 7, k 8,
    state 9)."""
    at = {"arc": 0, "t": 6, "q": 7, "k": 8, "state": 9}
    parts = line.split(",")
    for name, value in fields.items():
        parts[at[name]] = value
    return ",".join(parts)


def _quirky(lines: list[str]) -> list[str]:
    """Rows the scan drops or counts: repeated hours (higher and lower flow, an identical
    row, a tie broken by the state's text), a bad value, rows without a valid arc or time,
    a row at the hour the spring skips, an arc and a time with spaces around them."""
    a, b, c, d, e, f = lines[:6]
    q = float(a.split(",")[7])
    return [
        *lines[:4],
        _with(e, q="abc"),  # in the row's place: no other row of its hour
        *lines[5:],
        _with(a, q=str(q + 7)),
        _with(a, q=str(max(q - 7, 0))),
        b,
        _with(c, state="4"),
        _with(d, arc="x"),
        _with(d, t="not a time"),
        _with(d, t=f"{SPRING} 02:00:00"),
        _with(f, arc=f" {f.split(',')[0]} ", t=f" {f.split(',')[6]} ", q='"12,5"'),
    ]


def _store_export(store: MemoryStore, tmp: Path, key: str, lines: list[str]) -> Path:
    path = tmp / key.rsplit("/", 1)[-1]
    path.write_text(header("raw") + "\n" + "\n".join(lines) + "\n", "utf-8")
    store.put(key, path.read_bytes())
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def _never(*_args: Any, **_kwargs: Any) -> Iterator[None]:
    yield None


def _whole(store: MemoryStore, days: list[date], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Today's reading, kept as the reference: every export read whole."""
    with monkeypatch.context() as patch:
        patch.setattr(pipeline_module, "read_partitioned", _never)
        return DayProcessor(Lake(store)).traffic_days(days)


def _partitioned(store: MemoryStore, days: list[date], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The partitions' reading; the whole exports are never downloaded."""

    def refused(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the whole export was read")

    with monkeypatch.context() as patch:
        patch.setattr(Lake, "batch_paths", refused)
        return DayProcessor(Lake(store)).traffic_days(days)


def _canonical(result: dict[date, Any]) -> dict[date, str]:
    return {
        day: repr(doc) if isinstance(doc, CityError) else json.dumps(doc, sort_keys=True)
        for day, doc in result.items()
    }


@pytest.fixture
def two_exports(tmp_path: Path) -> tuple[MemoryStore, list[Path]]:
    """An older export (the legacy name) and a newer one (a version) overlapping it by two
    days, with other values: the newer wins each repeated (arc, hour)."""
    store = MemoryStore("parts")
    old = _store_export(
        store,
        tmp_path,
        layout.batch_key(layout.COUNTS_CSV),
        _quirky(_lines(SPRING - timedelta(1), 3, 4)),
    )
    as_of = datetime(2025, 4, 2, tzinfo=UTC)
    new_key = layout.version_key(layout.COUNTS_CSV, as_of, "0" * 64, "csv")
    new = _store_export(store, tmp_path, new_key, _quirky(_lines(SPRING, 3, 9)))
    return store, [old, new]


def test_the_partitions_give_the_whole_exports_documents(
    two_exports: tuple[MemoryStore, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, paths = two_exports
    keys = [
        layout.batch_key(layout.COUNTS_CSV),
        next(iter(store.list(layout.versions_prefix(layout.COUNTS_CSV)))).key,
    ]
    days = [SPRING - timedelta(1) + timedelta(d) for d in range(5)]
    reference = _whole(store, days, monkeypatch)
    for path, key in zip(paths, keys, strict=True):
        assert partition_counts(store, path, _sha256(path), key) is not None
        assert is_partitioned(store, _sha256(path))
    got = _partitioned(store, days, monkeypatch)
    assert _canonical(got) == _canonical(reference)
    # the drops were there to be counted, within an export and across the two
    said = " ".join(w for doc in got.values() if isinstance(doc, dict) for w in doc["warnings"])
    for drop in ("duplicate row(s)", "spring-forward", "not numbers", "without a valid arc"):
        assert drop in said, (drop, said)
    # a unit of one day reads the same as a unit of many
    for day in (SPRING, SPRING + timedelta(1)):
        one = _partitioned(store, [day], monkeypatch)
        assert _canonical(one) == _canonical(_whole(store, [day], monkeypatch))


def test_a_repeated_row_is_stored_once_and_counted(tmp_path: Path) -> None:
    store = MemoryStore("once")
    lines = _lines(SPRING + timedelta(2), 1, 4)
    key = layout.batch_key(layout.COUNTS_CSV)
    path = _store_export(store, tmp_path, key, [*lines, lines[0], lines[0], lines[5]])
    parted = partition_counts(store, path, _sha256(path), key)
    assert parted is not None
    assert (parted.days, parted.duplicates, parted.skipped_rows) == (1, 3, 0)
    manifest = json.loads(store.get(layout.counts_manifest_key(_sha256(path))))
    assert manifest["duplicates"] == {str(SPRING + timedelta(2)): 3}
    import duckdb

    part = tmp_path / "day.parquet"
    part.write_bytes(store.get(layout.counts_part_key(SPRING + timedelta(2), _sha256(path))))
    ((rows,),) = duckdb.execute(f"SELECT count(*) FROM read_parquet('{part}')").fetchall()
    assert rows == len(lines)


def test_an_export_stored_before_partitioning_is_read_whole(
    two_exports: tuple[MemoryStore, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, paths = two_exports
    days = [SPRING, SPRING + timedelta(1)]
    # only the older export partitioned: the newer one has no manifest, both read whole
    partition_counts(store, paths[0], _sha256(paths[0]), layout.batch_key(layout.COUNTS_CSV))
    counting = CountingStore(store)
    got = DayProcessor(Lake(counting)).traffic_days(days)
    assert _canonical(got) == _canonical(_whole(store, days, monkeypatch))
    assert counting.bytes_read >= sum(p.stat().st_size for p in paths)


def test_a_day_failing_for_its_values_names_the_line_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryStore("bad")
    day = SPRING + timedelta(3)
    lines = _lines(day, 1, 4)
    lines = [_with(line, q="abc") if i % 5 == 0 else line for i, line in enumerate(lines)]
    key = layout.batch_key(layout.COUNTS_CSV)
    path = _store_export(store, tmp_path, key, lines)
    partition_counts(store, path, _sha256(path), key)
    got = DayProcessor(Lake(store)).traffic_days([day])
    assert isinstance(got[day], CityError) and "line" in str(got[day])
    assert _canonical(got) == _canonical(_whole(store, [day], monkeypatch))


def test_an_export_with_a_cut_last_line_is_not_partitioned(tmp_path: Path) -> None:
    store = MemoryStore("cut")
    key = layout.batch_key(layout.COUNTS_CSV)
    path = _store_export(store, tmp_path, key, _lines(SPRING, 1, 4))
    path.write_bytes(path.read_bytes()[:-10])
    assert partition_counts(store, path, _sha256(path), key) is None
    assert not is_partitioned(store, _sha256(path))


def test_city_import_partitions_an_export_and_one_stored_before(tmp_path: Path) -> None:
    store = MemoryStore("import")
    path = tmp_path / "comptages.csv"
    arcs = make_arcs(12, seed=4)
    lines = day_lines(arcs, SPRING, 4)
    path.write_text("\ufeff" + header("labels") + "\n" + "\n".join(lines) + "\n", "utf-8")
    as_of = datetime(2025, 4, 1, tzinfo=UTC)
    first = import_file(store, path, as_of=as_of)
    sha256 = str(store.head(first.keys[0]).sha256)
    assert is_partitioned(store, sha256)
    assert store.exists(layout.counts_part_key(SPRING, sha256))
    # an export stored before partitioning existed: importing it again partitions it
    store.delete_prefix(f"{layout.COUNTS_ROOT}/")
    again = import_file(store, path, as_of=as_of)
    assert again.already_present == 1
    assert is_partitioned(store, sha256)
