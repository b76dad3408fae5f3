"""The lake over any store: partitions, days, batch files, one code path, the fallback."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import pytest

from entrepot.city import layout
from entrepot.city.errors import MissingInput, PartitionError, RawFormatError
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.lake import Lake
from entrepot.city.partitions import Partition
from entrepot.city.pipeline import DayProcessor
from entrepot.city.processors.bikes import bikes_metrics
from entrepot.errors import ConfigError, StoreUnavailable
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.types import Listing, ObjectInfo, OpenedObject

DAY = date(2025, 11, 4)
OPTIONS = GenerateOptions(start=DAY, days=2, arcs=80, stations=30, counters=5, roadworks=30, seed=2)


@pytest.fixture(scope="module")
def memory() -> MemoryStore:
    store = MemoryStore("lake")
    generate(store, OPTIONS)
    return store


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(tmp_path_factory.mktemp("lake") / "store", fsync=False)
    generate(store, OPTIONS)
    return store


def test_a_day_is_read_across_its_hours_with_whole_keys(memory: MemoryStore) -> None:
    read = Lake(memory).read_day("weather", DAY)
    assert [f.partition.hour for f in read.files] == list(range(24))
    assert len({f.key for f in read.files}) == 24
    assert len({f.data for f in read.files}) == 24  # never the same hour read 24 times
    assert read.missing_hours == ()
    assert read.warnings == ()
    assert all(f.sha256 == memory.head(f.key).sha256 for f in read.files)
    assert read.origin == memory.url


def test_days_and_partitions_are_pruned_by_date(memory: MemoryStore) -> None:
    lake = Lake(memory)
    assert lake.days("bikes") == [DAY, date(2025, 11, 5)]
    assert lake.days("bikes", start=date(2025, 11, 5)) == [date(2025, 11, 5)]
    assert lake.days("bikes", end=date(2025, 11, 3)) == []
    parts = lake.partitions("traffic", DAY, DAY)
    assert parts == [Partition("traffic", DAY, h) for h in range(24)]


def test_listings_go_past_a_thousand_keys() -> None:
    store = MemoryStore()
    for hour in range(24):
        for i in range(50):
            key = layout.hour_prefix("traffic", DAY, hour) + f"part-{i:03d}.json"
            store.put(key, json.dumps({"disruptions": [{"id": f"{hour}-{i}"}]}).encode())
    read = Lake(store).read_day("traffic", DAY)
    assert len(read.files) == 1200
    assert len({json.loads(f.data)["disruptions"][0]["id"] for f in read.files}) == 1200


def test_missing_hours_are_recorded_not_hidden(memory: MemoryStore) -> None:
    store = MemoryStore()
    for info in memory.list(layout.day_prefix("weather", DAY)):
        if "/hour=05/" not in info.key and "/hour=17/" not in info.key:
            store.put(info.key, memory.get(info.key))
    read = Lake(store).read_day("weather", DAY)
    assert read.missing_hours == (5, 17)
    assert read.warnings == ("weather 2025-11-04: no data for hour(s) 05, 17",)
    doc = DayProcessor(Lake(store)).weather(DAY)
    assert doc["warnings"] == list(read.warnings)


def test_a_missing_day_is_an_error_naming_the_prefix(memory: MemoryStore) -> None:
    with pytest.raises(MissingInput, match="no bikes data for 2025-11-09") as info:
        Lake(memory).read_day("bikes", date(2025, 11, 9))
    assert info.value.key == "raw/api/bikes/dt=2025-11-09/"


@pytest.mark.parametrize(
    "bad_key",
    [
        "raw/api/bikes/dt=2025-11-04/hour=25/bikes_data.json",
        "raw/api/bikes/dt=2025-11-04/bikes_data.json",
    ],
)
def test_a_malformed_partition_in_a_day_is_named(memory: MemoryStore, bad_key: str) -> None:
    store = MemoryStore()
    store.put(layout.hour_prefix("bikes", DAY, 3) + "bikes_data.json", b"{}")
    store.put(bad_key, b"{}")
    with pytest.raises(PartitionError) as info:
        Lake(store).read_day("bikes", DAY)
    assert info.value.key == bad_key


@pytest.mark.parametrize(
    "bad_key", ["raw/api/bikes/2025-11-04/hour=01/a.json", "raw/api/bikes/loose.json"]
)
def test_a_malformed_day_folder_is_named_when_listing(bad_key: str) -> None:
    store = MemoryStore()
    store.put(layout.hour_prefix("bikes", DAY, 3) + "bikes_data.json", b"{}")
    store.put(bad_key, b"{}")
    with pytest.raises(PartitionError) as info:
        Lake(store).days("bikes")
    assert bad_key.startswith(str(info.value.key))


def test_local_folder_and_memory_give_identical_metrics(
    memory: MemoryStore, local: LocalStore
) -> None:
    from_memory = DayProcessor(Lake(memory)).run(DAY)
    from_folder = DayProcessor(Lake(local)).run(DAY)
    assert from_memory == from_folder
    assert set(from_memory) == {"bikes", "disruptions", "weather", "traffic", "roadworks"}


def test_the_same_metrics_from_a_scoped_prefix(memory: MemoryStore) -> None:
    outer = MemoryStore()
    generate(outer.scoped("city/paris"), OPTIONS)
    scoped = DayProcessor(Lake(outer.scoped("city/paris"))).run(DAY, ["weather", "traffic"])
    assert scoped == DayProcessor(Lake(memory)).run(DAY, ["weather", "traffic"])


def test_without_a_referentiel_traffic_is_computed_and_placement_warned(
    memory: MemoryStore,
) -> None:
    store = MemoryStore()
    for info in memory.list():
        if not info.key.endswith(layout.REFERENTIEL_CSV):
            store.put(info.key, memory.get(info.key))
    with_ref = DayProcessor(Lake(memory)).traffic(DAY)
    doc = DayProcessor(Lake(store)).traffic(DAY)
    metrics = doc["metrics"]
    assert metrics["total_flow"] == with_ref["metrics"]["total_flow"]
    assert metrics["arcs_without_referentiel"] == metrics["arcs"] > 0
    assert any("no référentiel" in w and "arcs not placed" in w for w in doc["warnings"])
    assert DayProcessor(Lake(store)).weather(DAY)["type"] == "weather"  # other work unaffected


def test_a_truncated_json_file_is_named(memory: MemoryStore) -> None:
    store = MemoryStore()
    for info in memory.list(layout.day_prefix("bikes", DAY)):
        store.put(info.key, memory.get(info.key))
    bad = layout.hour_prefix("bikes", DAY, 9) + "bikes_data.json"
    store.put(bad, memory.get(bad)[:5000])
    with pytest.raises(RawFormatError, match="truncated JSON") as raised:
        DayProcessor(Lake(store)).bikes(DAY)
    assert raised.value.key == bad


# -- formats --------------------------------------------------------------------


def _records(memory: MemoryStore, hour: int) -> list[dict[str, Any]]:
    doc = json.loads(memory.get(layout.hour_prefix("bikes", DAY, hour) + "bikes_data.json"))
    return list(doc["data"]["stations"])


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    types = record["num_bikes_available_types"]
    return {**record, "num_bikes_available_types": json.dumps(types)}


@pytest.mark.parametrize("extension", ["jsonl", "csv", "parquet"])
def test_jsonl_csv_and_parquet_partitions_are_read(memory: MemoryStore, extension: str) -> None:
    store = MemoryStore()
    for hour in range(24):
        records = _records(memory, hour)
        key = layout.hour_prefix("bikes", DAY, hour) + f"bikes_data.{extension}"
        if extension == "jsonl":
            data = "\n".join(json.dumps(r) for r in records).encode()
        elif extension == "csv":
            data = pd.DataFrame([_flat(r) for r in records]).to_csv(sep=";", index=False).encode()
        else:
            buffer = io.BytesIO()
            pd.DataFrame([_flat(r) for r in records]).to_parquet(buffer)
            data = buffer.getvalue()
        store.put(key, data)
        store.put(layout.hour_prefix("bikes", DAY, hour) + "bike_counters.json", b'{"results": []}')
    expected = bikes_metrics(Lake(memory).read_day("bikes", DAY))["stations"]
    got = bikes_metrics(Lake(store).read_day("bikes", DAY))["stations"]
    if extension != "jsonl":  # tables flatten the e-bike list into text
        expected = {k: v for k, v in expected.items() if k != "ebike_share"}
        got = {k: v for k, v in got.items() if k != "ebike_share"}
    assert got == expected


# -- fallback -------------------------------------------------------------------


class DownStore:
    """A store whose endpoint cannot be reached: every call fails like a dead S3."""

    url = "s3://city-raw/raw-mirror"

    def _down(self, *args: object, **kwargs: object) -> NoReturn:
        raise StoreUnavailable("connection refused", store=self.url)

    def head(self, key: str) -> ObjectInfo:
        self._down()

    def exists(self, key: str) -> bool:
        self._down()

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        self._down()

    def iter_bytes(
        self, key: str, *, chunk_size: int = 1, sha256: str | None = None
    ) -> Iterator[bytes]:
        self._down()

    def open_stream(
        self, key: str, *, chunk_size: int = 1, sha256: str | None = None
    ) -> OpenedObject:
        self._down()

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        self._down()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        self._down()

    def ls(self, prefix: str = "") -> Listing:
        self._down()


def test_fallback_fail_is_the_default_and_raises() -> None:
    with pytest.raises(StoreUnavailable, match="connection refused"):
        Lake(DownStore()).read_day("weather", DAY)


def test_fallback_local_reads_the_mirror_loudly(
    local: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    lake = Lake(DownStore(), fallback="local", local=local)
    with caplog.at_level(logging.WARNING, logger="entrepot.city"):
        read = lake.read_day("weather", DAY)
        docs = DayProcessor(lake).run(DAY)
    assert len(read.files) == 24
    assert read.origin == local.url
    assert read.warnings
    assert read.warnings[0].startswith("FALLBACK: the store s3://city-raw")
    for doc in docs.values():
        assert any(w.startswith("FALLBACK") and local.url in w for w in doc["warnings"]), doc[
            "type"
        ]
    assert any("FALLBACK" in r.message and r.levelno == logging.WARNING for r in caplog.records)
    clean = DayProcessor(Lake(local)).run(DAY)
    assert {k: v["metrics"] for k, v in docs.items()} == {k: v["metrics"] for k, v in clean.items()}


def test_fallback_never_hides_other_errors(local: LocalStore) -> None:
    lake = Lake(MemoryStore(), fallback="local", local=local)
    with pytest.raises(MissingInput):
        lake.read_day("weather", DAY)  # the primary answered: the day is not there


def test_fallback_policy_is_checked(local: LocalStore) -> None:
    with pytest.raises(ConfigError, match="needs a local store"):
        Lake(local, fallback="local")
    with pytest.raises(ConfigError, match="unknown fallback policy"):
        Lake(local, fallback="s3")  # type: ignore[arg-type]
