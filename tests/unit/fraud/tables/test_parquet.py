"""Parquet is bounded by what it decodes to, from its footer and again while it is read;
odd but valid files are read plainly or refused by name."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.tables import parquet as module
from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.fraud.tables.io import read_bytes
from entrepot.fraud.tables.parquet import (
    VALUE_BYTES,
    DuplicateColumns,
    decoded_bytes,
    open_parquet,
    read_parquet,
)


def parquet_bytes(table: pa.Table, **options: Any) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def constant(rows: int, columns: int = 2) -> bytes:
    """``rows`` rows of zeros, dictionary-encoded: a few KiB however many rows."""
    zeros = pa.array(np.zeros(rows))
    return parquet_bytes(pa.table({f"c{i}": zeros for i in range(columns)}))


def test_rows_count_against_the_limit_however_well_they_compress() -> None:
    data = constant(1_000_000)
    assert len(data) < 50_000
    metadata = open_parquet(io.BytesIO(data), "x").metadata
    assert decoded_bytes(metadata) == 1_000_000 * 2 * VALUE_BYTES
    assert len(read_bytes(data, name="ok.parquet", max_inflated=17_000_000)) == 1_000_000
    with pytest.raises(InflatesTooMuch, match=r"1,000,000 rows of 2 columns") as refused:
        read_bytes(data, name="bomb.parquet", max_inflated=15_999_999)
    assert "bomb.parquet" in str(refused.value) and "CSV" in refused.value.hint


def test_too_many_row_groups_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "MAX_ROW_GROUPS", 3)
    data = parquet_bytes(pa.table({"a": list(range(10))}), row_group_size=2)
    with pytest.raises(InflatesTooMuch, match="5 row groups"):
        read_bytes(data, name="groups.parquet")


class LyingFooter:
    """A Parquet file whose footer declares fewer rows than its pages hold."""

    def __init__(self, real: Any, rows: int) -> None:
        self._real = real
        self.schema_arrow = real.schema_arrow
        self.metadata = _Metadata(real.metadata, rows)

    def iter_batches(self, **options: Any) -> Any:
        return self._real.iter_batches(**options)


class _Metadata:
    def __init__(self, real: Any, rows: int) -> None:
        self.num_rows, self.num_columns, self.num_row_groups = rows, real.num_columns, 0


def test_a_footer_that_lies_is_caught_while_reading() -> None:
    real = open_parquet(io.BytesIO(constant(300_000)), "x")
    with pytest.raises(InflatesTooMuch, match=r"more than its footer declares \(10 rows\)"):
        read_parquet(LyingFooter(real, 10), "liar.parquet", max_inflated=10**9)


def test_decoded_bytes_are_counted_while_reading() -> None:
    real = open_parquet(io.BytesIO(constant(300_000)), "x")
    with pytest.raises(InflatesTooMuch, match=r"liar\.parquet"):
        read_parquet(LyingFooter(real, 300_000), "liar.parquet", max_inflated=1_000_000)


def test_duplicate_column_names_are_refused_by_name() -> None:
    table = pa.Table.from_arrays(
        [pa.array([1.0, 2.0]), pa.array([3.0, 4.0]), pa.array([0, 1])],
        names=["amount", "amount", "is_fraud"],
    )
    with pytest.raises(DuplicateColumns, match="several columns named 'amount'") as refused:
        read_bytes(parquet_bytes(table), name="dup.parquet")
    assert "rename" in refused.value.hint


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "+05:30"])
def test_zone_aware_timestamps_become_naive_utc(zone: str) -> None:
    utc = [dt.datetime(2024, 3, 31, 0, 30), dt.datetime(2024, 10, 27, 1, 30)]
    stamps = pa.array(utc, type=pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=zone))
    frame = read_bytes(
        parquet_bytes(pa.table({"at": stamps, "amount": [1.0, 2.0]})), name="tz.parquet"
    )
    assert frame["at"].dt.tz is None
    assert list(frame["at"]) == utc
    assert analyze(frame).rows == 2


def test_infinities_are_read_as_missing_and_the_analysis_says_so() -> None:
    amount = [float("inf"), 1.0, float("-inf"), float("nan")] * 25
    table = pa.table({"amount": amount, "is_fraud": [0, 1, 0, 0] * 25})
    frame = read_bytes(parquet_bytes(table), name="inf.parquet")
    assert not np.isinf(frame["amount"].to_numpy()).any()
    assert int(frame["amount"].isna().sum()) == 75
    warnings = analyze(frame).warnings
    assert "column 'amount' held 50 infinite values, read as missing" in warnings
