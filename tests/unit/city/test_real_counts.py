"""Traffic days from the real counts exports and their bad variants: right numbers or a
clear warning, never a silent 0."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from entrepot.city.errors import CityError, MissingInput, RawFormatError
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from tests.support.real_paris import CHAMPS, CHANTIERS, CONVENTION, imported, real, variant

JUNE = date(2022, 6, 15)
#: A change to the n-th row of 15 June: ``change(n, line)`` is the new line.
RowChange = Callable[[int, bytes], bytes]
#: The real convention file's 15 June 2022: 24 hours, 14,959 vehicles on arc 5671.
JUNE_FLOW = 14959.0


def traffic(*paths: Path, day: date) -> dict:
    store, _ = imported(*paths)
    result = DayProcessor(Lake(store)).traffic_days([day])[day]
    if isinstance(result, CityError):
        raise result
    return result


def test_the_real_export_as_downloaded() -> None:
    doc = traffic(real(CONVENTION), day=JUNE)
    assert doc["metrics"]["total_flow"] == JUNE_FLOW
    assert doc["metrics"]["rows"] == 24
    assert not [w for w in doc["warnings"] if "fewer rows" in w]


def test_december_twice_is_counted_once_with_a_warning() -> None:
    doc = traffic(real(CHAMPS), day=date(2023, 12, 1))
    assert doc["metrics"]["total_flow"] == 30834.0  # not 61,668
    assert (
        "24 duplicate row(s) of the same arc and counted hour dropped on 2023-12-01 "
        "(the newest file's row kept)" in doc["warnings"]
    )


def test_two_files_overlapping_are_de_duplicated(tmp_path: Path) -> None:
    copy = variant(tmp_path, CONVENTION, lambda b: b.replace(b"Convention;", b"Conv;"))
    doc = traffic(real(CONVENTION), copy, day=JUNE)
    assert doc["metrics"]["total_flow"] == JUNE_FLOW
    assert any(w.startswith("24 duplicate row(s)") for w in doc["warnings"])
    assert len(doc["inputs"]) == 2


def _decimal_commas(data: bytes) -> bytes:
    return re.sub(rb";(\d+)\.(\d+);", rb";\1,\2;", data)


def test_decimal_commas_parse(tmp_path: Path) -> None:
    path = variant(tmp_path, CONVENTION, _decimal_commas)
    assert b";1034,0;" in path.read_bytes() or b",0;" in path.read_bytes()
    doc = traffic(path, day=JUNE)
    assert doc["metrics"]["total_flow"] == JUNE_FLOW
    assert (
        doc["metrics"]["mean_occupancy"]
        == traffic(real(CONVENTION), day=JUNE)["metrics"]["mean_occupancy"]
    )


def _to_utc(match: re.Match[bytes], zulu: bytes) -> bytes:
    moment = datetime.fromisoformat(match.group(0).decode())
    utc = (moment - moment.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
    return utc.isoformat().encode() + zulu


@pytest.mark.parametrize("zulu", [b"Z", b"+00:00"])
def test_utc_timestamps_are_utc(tmp_path: Path, zulu: bytes) -> None:
    stamp = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    path = variant(tmp_path, CONVENTION, lambda b: re.sub(stamp, lambda m: _to_utc(m, zulu), b))
    assert b"2022-06-15T21:00:00" + zulu in path.read_bytes()  # 23:00 in Paris
    doc = traffic(path, day=JUNE)
    assert doc["metrics"]["total_flow"] == JUNE_FLOW
    assert doc["metrics"]["hourly"] == traffic(real(CONVENTION), day=JUNE)["metrics"]["hourly"]


def test_a_cp1252_export_gives_the_same_numbers(tmp_path: Path) -> None:
    path = variant(tmp_path, CONVENTION, lambda b: b.decode("utf-8").encode("cp1252"))
    assert "Pré-saturé".encode("cp1252") in path.read_bytes()
    doc = traffic(path, day=JUNE)
    assert doc["metrics"]["total_flow"] == JUNE_FLOW
    assert (
        doc["metrics"]["state_hours"]
        == traffic(real(CONVENTION), day=JUNE)["metrics"]["state_hours"]
    )


def _on_june_15(line: bytes) -> bool:
    """Whether a row counts an hour of 15 June (its stamp is the end of the hour)."""
    cells = line.split(b";")
    if len(cells) < 3 or not cells[2].startswith(b"2022-06-1"):
        return False
    return (datetime.fromisoformat(cells[2].decode()) - timedelta(hours=1)).date() == JUNE


def _june_rows(data: bytes, change: RowChange) -> bytes:
    lines = data.split(b"\n")
    hit = [i for i, line in enumerate(lines) if _on_june_15(line)]
    for n, i in enumerate(hit):
        lines[i] = change(n, lines[i])
    return b"\n".join(lines)


def _set_values(q: bytes, k: bytes) -> RowChange:
    def change(_: int, line: bytes) -> bytes:
        cells = line.split(b";")
        cells[3], cells[4] = q, k
        return b";".join(cells)

    return change


def test_a_day_with_only_empty_rows_is_no_data_not_zero(tmp_path: Path) -> None:
    path = variant(tmp_path, CONVENTION, lambda b: _june_rows(b, _set_values(b"", b"")))
    with pytest.raises(MissingInput, match="only empty rows for 2022-06-15"):
        traffic(path, day=JUNE)
    assert traffic(path, day=JUNE + timedelta(days=1))["metrics"]["total_flow"] > 0


def test_a_few_values_that_are_not_numbers_are_counted_and_warned(tmp_path: Path) -> None:
    def one_bad(n: int, line: bytes) -> bytes:
        return _set_values(b"n/a", line.split(b";")[4])(n, line) if n == 0 else line

    path = variant(tmp_path, CONVENTION, lambda b: _june_rows(b, one_bad))
    doc = traffic(path, day=JUNE)
    assert doc["metrics"]["rows"] == 24
    assert any(w.startswith("1 value(s) on 2022-06-15 are not numbers") for w in doc["warnings"])
    assert doc["metrics"]["total_flow"] < JUNE_FLOW  # the bad hour is left out, not read as 0


def test_many_values_that_are_not_numbers_fail_the_day_naming_file_and_line(
    tmp_path: Path,
) -> None:
    path = variant(tmp_path, CONVENTION, lambda b: _june_rows(b, _set_values(b"x", b"1,5")))
    first = next(n for n, line in enumerate(path.read_bytes().split(b"\n"), 1) if _on_june_15(line))
    with pytest.raises(RawFormatError) as info:
        traffic(path, day=JUNE)
    message = str(info.value)
    assert (
        f"24 of 24 rows on 2022-06-15 hold a value that is not a number (first at line {first}"
        in message
    )
    assert "raw/batch/counts/" in message


def test_completeness_against_the_hours_of_the_day() -> None:
    autumn = traffic(real(CONVENTION), day=date(2022, 10, 30))  # a 25-hour day, 24 rows
    assert (
        "1 arc(s) have fewer rows than the 25 hours of 2022-10-30 (5671: 24)" in autumn["warnings"]
    )
    spring = traffic(real(CONVENTION), day=date(2022, 3, 27))  # a 23-hour day, 23 rows
    assert not [w for w in spring["warnings"] if "fewer rows" in w]
    gap = traffic(real(CONVENTION), day=date(2022, 3, 4))
    assert "1 arc(s) have fewer rows than the 24 hours of 2022-03-04 (5671: 12)" in gap["warnings"]


def test_a_counts_file_cut_inside_a_row_is_flagged(tmp_path: Path) -> None:
    path = variant(tmp_path, CONVENTION, lambda b: b[: b.index(b"2022-06-15T23")])
    _, (result,) = imported(path)
    assert any("1 incomplete row, its last line, was left out" in w for w in result.warnings)


def test_a_big_export_is_streamed_with_the_same_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrepot.city.imports import importer

    monkeypatch.setattr(importer, "IN_MEMORY_LIMIT", 1024)  # every file is "big"
    path = variant(tmp_path, CONVENTION, lambda b: b'"' + b.decode().encode("cp1252"))
    store, (result,) = imported(path)
    assert result.rows == 9294
    assert any("read as cp1252" in w for w in result.warnings)
    assert store.get(result.keys[0]).startswith(b"Identifiant arc;Libelle;")
    doc = DayProcessor(Lake(store)).traffic_days([JUNE])[JUNE]
    assert isinstance(doc, dict) and doc["metrics"]["total_flow"] == JUNE_FLOW
    with pytest.raises(RawFormatError, match="only counts exports may be larger"):
        imported(real(CHANTIERS))


def test_a_bom_and_crlf_export_gives_the_same_numbers(tmp_path: Path) -> None:
    path = variant(tmp_path, CHAMPS, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"))
    doc = traffic(path, day=date(2023, 12, 1))
    assert doc["metrics"]["total_flow"] == 30834.0


def test_a_quote_before_the_bom_gives_the_same_numbers(tmp_path: Path) -> None:
    path = variant(tmp_path, CONVENTION, lambda b: b'"\xef\xbb\xbf' + b)
    store, (result,) = imported(path)
    assert any("stray '\"' before the header was removed" in w for w in result.warnings)
    doc = DayProcessor(Lake(store)).traffic_days([JUNE])[JUNE]
    assert isinstance(doc, dict) and doc["metrics"]["total_flow"] == JUNE_FLOW
