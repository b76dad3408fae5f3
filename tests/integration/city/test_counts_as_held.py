"""Real counts exports as people hold them, in the memory and the streaming (big-file) import
paths: times a French spreadsheet rewrote, a download that stopped mid-row, "Unicode text"
without a BOM. Every daily metric must equal the second computation
(``tests/support/city_reference``, which shares no code with the product) over what the file
holds (for a cut file: its complete rows).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from entrepot.city import layout
from entrepot.city.imports import importer
from entrepot.city.imports.files import import_paths
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore
from tests.support.city_reference import traffic
from tests.support.city_reference.compare import differences
from tests.support.export_variants import Table, french_spreadsheet_times
from tests.support.real_paris import AS_OF, CHAMPS, CONVENTION, REFERENTIEL, real

#: Days of each export the numbers are compared on: both DST changes and ordinary days.
DAYS = {
    CONVENTION: [date(2022, 3, 27), date(2022, 6, 15), date(2022, 10, 30), date(2022, 11, 8)],
    CHAMPS: [date(2023, 3, 26), date(2023, 10, 29), date(2023, 12, 1), date(2023, 2, 5)],
}
SEPARATOR = {CONVENTION: ";", CHAMPS: ","}


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _import(folder: Path, counts: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> Any:
    """A memory lake with the real référentiel and ``counts`` imported (``path``: in
    memory, or ``streamed`` as a file above the big-file limit is), and the counts' result."""
    store = MemoryStore()
    ref = folder / "ref" / REFERENTIEL
    ref.parent.mkdir()
    ref.write_bytes(real(REFERENTIEL).read_bytes())
    assert not import_paths(store, [ref], as_of=AS_OF).failed
    if path == "streamed":  # the limit lowered: the counts file is "big"
        monkeypatch.setattr(importer, "IN_MEMORY_LIMIT", 1024)
    summary = import_paths(store, [counts], as_of=AS_OF)
    assert not summary.failed, summary.failed
    [result] = summary.imported
    return store, result


def _compare(store: MemoryStore, counts: Path, days: list[date]) -> None:
    """The product's traffic metrics of ``days`` are the second computation's from the
    file ``counts`` (as the reference reads it) and the real référentiel."""
    rows = traffic.hours([counts])
    places = traffic.places(traffic.referentiel(real(REFERENTIEL)))
    expected = {d: traffic.day_metrics(r, places) for d, r in rows.groupby("day") if d in days}
    docs = DayProcessor(Lake(store)).traffic_days(days)
    got = {d: doc["metrics"] if isinstance(doc := docs[d], dict) else None for d in days}
    assert sorted(expected) == sorted(days)
    wrong = {d: differences(got[d], e)[:4] for d, e in expected.items() if got[d] != e}
    assert {d: found for d, found in wrong.items() if found or expected[d] is None} == {}


PATHS = ["memory", "streamed"]


def _whole(name: str) -> Table:
    return Table.read(real(name).read_bytes(), SEPARATOR[name], lambda row: True)


# -- 1. times a French spreadsheet rewrote -------------------------------------------------


@pytest.mark.parametrize("name", [CONVENTION, CHAMPS])
@pytest.mark.parametrize("path", PATHS)
def test_spreadsheet_times_of_a_whole_export_give_the_second_computation(
    name: str, path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = french_spreadsheet_times(seconds=False)(_whole(name), name)
    times = rb"[;,]\d\d/\d\d/20\d\d \d\d:\d\d[;,]"
    assert re.search(times, written.data) and not re.search(
        rb"[;,]20\d\d-\d\d-\d\d[T ]", written.data
    )
    counts = _write(tmp_path, name, written.data)
    store, result = _import(tmp_path, counts, monkeypatch, path)
    assert any("read day first, as Paris wall time" in w for w in result.warnings)
    _compare(store, counts, DAYS[name])


# -- 2. a download that stopped mid-row ----------------------------------------------------

#: Where a download stops: (export, the start of the row it stops in, what of that row it
#: kept). The row is an ordinary one, in the middle of the file.
JUNE_ROW = b"5671;Convention;2022-06-15T13:00:00+02:00;"
DECEMBER_ROW = (
    b"4264,Av_des_Champs_Elysees,2294,Av_Champs_Elysees-Washington,2293,"
    b"Av_Champs_Elysees-Berri,2023-12-01 13:00:00,"
)
CUTS = {
    "mid-field": (CONVENTION, JUNE_ROW, b"5671;Conv"),
    "mid-time": (CONVENTION, JUNE_ROW, b"5671;Convention;2022-06-15T1"),
    "mid-number": (CONVENTION, JUNE_ROW, JUNE_ROW + b"95"),
    "mid-quoted": (CONVENTION, JUNE_ROW, b'2932056027175345;"{""coordinates"": [[2.29'),
    "mid-number-wall": (CHAMPS, DECEMBER_ROW, DECEMBER_ROW + b"1510.0,4"),
}
#: The day of the row each export is cut in (the exports are not in time order).
CUT_DAYS = {CONVENTION: [date(2022, 6, 15)], CHAMPS: [date(2023, 12, 1)]}


def _cut(name: str, row: bytes, kept: bytes) -> tuple[bytes, bytes]:
    """The export stopped inside ``row`` (after ``kept``, its part written, or the part
    ending with ``kept``), and its whole rows: every line before that row."""
    data = real(name).read_bytes()
    start = data.index(b"\n" + row) + 1
    line = data[start : data.index(b"\n", start) + 1]
    assert kept in line and not line.endswith(kept)
    cut = data[: start + line.index(kept) + len(kept)]
    return cut, data[:start]


@pytest.mark.parametrize("cut", sorted(CUTS))
@pytest.mark.parametrize("path", PATHS)
def test_a_download_cut_mid_row_counts_only_its_whole_rows(
    cut: str, path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, row, kept = CUTS[cut]
    data, whole = _cut(name, row, kept)
    store, result = _import(tmp_path, _write(tmp_path, name, data), monkeypatch, path)
    assert sum("1 incomplete row, its last line, was left out" in w for w in result.warnings) == 1
    assert result.rows == whole.count(b"\n") - 1  # the header is no row
    twin = tmp_path / "whole" / name
    twin.parent.mkdir()
    twin.write_bytes(whole)
    _compare(store, twin, CUT_DAYS[name])


def test_a_cut_file_already_in_the_lake_is_read_without_its_last_line(tmp_path: Path) -> None:
    # a version stored before imports left the cut row out (or put there by hand): the
    # pipeline leaves the row out too, and the day's document says so
    name, row, kept = CUTS["mid-number"]
    data, whole = _cut(name, row, kept)
    store = MemoryStore()
    ref = _write(tmp_path, REFERENTIEL, real(REFERENTIEL).read_bytes())
    assert not import_paths(store, [ref], as_of=AS_OF).failed
    key = layout.version_key(layout.COUNTS_CSV, AS_OF, hashlib.sha256(data).hexdigest(), "csv")
    store.put(key, data, content_type="text/csv")
    day = CUT_DAYS[name][0]
    doc = DayProcessor(Lake(store)).traffic_days([day])[day]
    assert isinstance(doc, dict)
    said = "the file was cut short (a download that stopped?): 1 incomplete row, its last line"
    assert f"{key}: {said}, was left out" in doc["warnings"]
    assert store.get(key) == data  # the stored version is left as it is
    _compare(store, _write(tmp_path, "whole.csv", whole), CUT_DAYS[name])


# -- 3. "Unicode text" without a BOM, streamed ---------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", [CONVENTION, CHAMPS])
def test_a_big_utf_16_export_without_a_bom_is_streamed_with_the_numbers_of_the_original(
    name: str, encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = real(name).read_bytes()
    data = original.decode("utf-8").encode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) > 1024
    store, result = _import(tmp_path, _write(tmp_path, name, data), monkeypatch, "streamed")
    shown = encoding.upper().replace("-LE", " LE").replace("-BE", " BE")
    assert f"{name}: read as {shown} (no BOM) and stored as UTF-8" in result.warnings
    assert store.get(result.keys[0]) == original  # stored as the UTF-8 export it was
    _compare(store, real(name), DAYS[name])


def test_a_big_utf_16_export_that_does_not_decode_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = real(CONVENTION).read_bytes().decode("utf-8").encode("utf-16-le")
    middle = len(data) // 2 // 2 * 2
    broken = data[:middle] + b"\x00\xdc" + data[middle:]  # a lone low surrogate
    path = _write(tmp_path, CONVENTION, broken)
    monkeypatch.setattr(importer, "IN_MEMORY_LIMIT", 1024)
    store = MemoryStore()
    summary = import_paths(store, [path], as_of=AS_OF)
    [failed] = summary.failed
    assert "looks like UTF-16 LE text" in failed.error and f"byte {middle}" in failed.error
    assert failed.hint == "re-save the file as UTF-8 (CSV UTF-8) and import it again"
    assert list(store.list("")) == []
