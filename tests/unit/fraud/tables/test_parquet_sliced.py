"""A large Parquet file held on disk in slices gives what the whole read gives (issue 40
item 3; ADR 0131), is refused as the whole read refuses it, and is read whole where its
slices would not give the whole read's values."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.fraud.tables.finite import INFINITIES
from entrepot.fraud.tables.io import read_bytes, read_sliced, read_table
from entrepot.fraud.tables.parquet_sliced import sliced_parquet_file
from entrepot.fraud.tables.sliced import SlicedTable

ROWS = 700
N = 2000


def _arrow(rows: int = N) -> pa.Table:
    """Integers with missing values in one slice only, floats with infinities, text with
    missing values and commas, zoned and naive times, decimals, booleans, a column of
    nothing but missing values in the first slice."""
    i = np.arange(rows)
    count = pa.array([None if k == 1500 else int(k % 7) for k in i], pa.int64())
    ratio = i / 7.0
    ratio[55], ratio[-100] = np.inf, -np.inf
    note = pa.array([None if k % 11 == 0 else f"a, b {k}" for k in i], pa.string())
    start = np.datetime64("2024-03-01T00:00:00", "s")
    zoned = pa.array(start + i.astype("timedelta64[m]"), pa.timestamp("s", tz="Europe/Paris"))
    late = pa.array([None if k < ROWS else f"x{k % 3}" for k in i], pa.string())
    return pa.table(
        {
            "id": pa.array(i, pa.int64()),
            "amount": pa.array([f"{k * 1.5:.2f}" for k in i], pa.string()).cast(
                pa.decimal128(12, 2)
            ),
            "count": count,
            "ratio": pa.array(ratio),
            "note": note,
            "at": zoned,
            "naive": pa.array(start + i.astype("timedelta64[s]")),
            "flag": pa.array(i % 3 == 0),
            "late": late,
            "is_fraud": pa.array((i % 17 == 0).astype(np.int8)),
        }
    )


def _write(tmp_path: Path, table: pa.Table, name: str = "t.parquet", **kw: object) -> Path:
    path = tmp_path / name
    pq.write_table(table, path, row_group_size=500, **kw)
    return path


def _sliced(path: Path) -> SlicedTable:
    found = sliced_parquet_file(path, rows=ROWS)
    assert isinstance(found, SlicedTable)
    return found


def test_the_joined_slices_are_the_whole_read(tmp_path: Path) -> None:
    path = _write(tmp_path, _arrow())
    whole = read_table(path)
    with _sliced(path) as table:
        assert table.slices == 3 and table.rows == len(whole) == N
        joined = table.joined()
        pd.testing.assert_frame_equal(joined, whole, check_exact=True)
        assert joined.attrs[INFINITIES] == whole.attrs[INFINITIES] == {"ratio": 2}
        assert whole["count"].dtype == np.float64  # joined as floats, as the whole read
        assert whole["amount"].dtype == np.float64 and whole["at"].dt.tz is None
        for name in whole.columns:
            pd.testing.assert_series_equal(table.column(name), whole[name], check_exact=True)
        positions = np.array([0, 699, 700, 1500, 1999])
        rows = table.rows_at(positions)
        pd.testing.assert_frame_equal(rows, whole.take(positions).set_axis(positions))


def test_read_sliced_gives_a_large_parquet_files_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrepot.fraud.tables import io

    path = _write(tmp_path, _arrow())
    small = _write(tmp_path, _arrow(ROWS), name="small.parquet")
    assert sliced_parquet_file(small, rows=ROWS) is None  # one slice: read whole
    monkeypatch.setattr(io, "sliced_parquet_file", partial(sliced_parquet_file, rows=ROWS))
    found = read_sliced(path)
    assert isinstance(found, SlicedTable) and found.slices == 3
    found.close()
    whole = read_sliced(small)
    assert isinstance(whole, pd.DataFrame) and len(whole) == ROWS


@pytest.mark.parametrize(
    "case", ["dictionary", "booleans with missing values", "an index", "one slice"]
)
def test_slices_that_would_not_give_the_whole_read_are_not_made(tmp_path: Path, case: str) -> None:
    table = _arrow()
    path = tmp_path / "t.parquet"
    if case == "dictionary":  # each row group's categories its own: the whole read's are all
        groups = [
            pa.table({"kind": pa.array([f"k{g}"] * ROWS).dictionary_encode()}) for g in range(3)
        ]
        with pq.ParquetWriter(path, groups[0].schema) as writer:
            for group in groups:
                writer.write_table(group)
    else:
        if case == "booleans with missing values":  # objects in one slice, booleans in others
            flags = [None if k == 1600 else k % 2 == 0 for k in range(N)]
            table = table.append_column("checked", pa.array(flags, pa.bool_()))
        elif case == "an index":  # saved as the frame's index, named
            table = pa.Table.from_pandas(table.to_pandas().set_index("id"))
        _write(tmp_path, table)
    rows = read_table(path).shape[0] if case == "one slice" else ROWS
    assert sliced_parquet_file(path, rows=rows) is None
    whole = read_table(path)
    found = read_sliced(path)
    assert isinstance(found, pd.DataFrame)
    pd.testing.assert_frame_equal(found, whole, check_exact=True)


def test_a_file_that_is_not_parquet_is_left_to_the_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    path.write_bytes(b"id,amount\n1,2\n")
    assert sliced_parquet_file(path, rows=ROWS) is None
    with pytest.raises(UnreadableFile, match="not a readable Parquet file"):
        read_sliced(path)


def test_a_file_decoding_past_the_bound_is_refused_from_its_footer(tmp_path: Path) -> None:
    path = _write(tmp_path, _arrow())
    with pytest.raises(InflatesTooMuch) as sliced:
        sliced_parquet_file(path, rows=ROWS, max_inflated=10_000)
    data = path.read_bytes()
    with pytest.raises(InflatesTooMuch) as whole:
        read_bytes(data, name=path.name, max_inflated=10_000)
    assert str(sliced.value) == str(whole.value)


def test_a_footer_that_lies_is_refused_at_the_first_slice_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes a slice decodes to are counted again as it comes: a footer declaring
    less than the slices hold is refused, and nothing is left on disk."""
    from entrepot.fraud.tables import parquet as parquet_module

    path = _write(tmp_path, _arrow())
    monkeypatch.setattr(parquet_module, "check_footer", lambda *a, **k: None)
    monkeypatch.setattr("entrepot.fraud.tables.parquet_sliced.check_footer", lambda *a, **k: None)
    closed: list[SlicedTable] = []
    close = SlicedTable.close

    def closing(self: SlicedTable) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(SlicedTable, "close", closing)
    with pytest.raises(InflatesTooMuch, match="decodes to more than its footer declares"):
        sliced_parquet_file(path, rows=ROWS, max_inflated=50_000)
    assert len(closed) == 1


def test_a_file_cut_short_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = _write(tmp_path, _arrow())
    data = path.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="not a readable Parquet file"):
        read_sliced(cut)


def test_the_slices_may_take_a_third_of_the_room_left_where_they_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose slices wait on disk is bounded by the room there, not by an upload's
    memory bound: a third of it (its slices, its parts and its scores); past that it is
    refused from its footer, naming the folder and the fix, and nothing is written."""
    from entrepot.fraud.tables import parquet_sliced
    from entrepot.fraud.tables.parquet import decoded_bytes, open_parquet
    from entrepot.i18n.messages import speaker

    path = _write(tmp_path, _arrow())
    decoded = decoded_bytes(open_parquet(path, path.name).metadata)
    monkeypatch.setattr(parquet_sliced, "room", lambda: 3 * decoded)
    with sliced_parquet_file(path, rows=ROWS) as table:  # type: ignore[union-attr]
        assert table.rows == N
    made: list[SlicedTable] = []
    monkeypatch.setattr(SlicedTable, "__init__", lambda self, name: made.append(self))
    monkeypatch.setattr(parquet_sliced, "room", lambda: 3 * decoded - 1)
    with pytest.raises(parquet_sliced.NoRoomForSlices) as refused:
        sliced_parquet_file(path, rows=ROWS)
    assert not made  # refused before a slice was decoded
    said = refused.value.said
    assert said is not None and said.key == "error.table.parquet_no_room"
    for lang in ("en", "fr"):
        text = speaker(lang)(said)
        assert path.name in text and "TMPDIR" in text and str(said.params["folder"]) in text
    assert "TMPDIR" in (refused.value.hint or "")
