"""Real counts exports as people hold them, in the memory and the streaming (big-file) import
paths: times a French spreadsheet rewrote, a download that stopped mid-row, "Unicode text"
without a BOM. Every daily metric must equal the second computation
(``tests/support/city_reference``, which shares no code with the product) over what the file
holds (for a cut file: its complete rows).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

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
