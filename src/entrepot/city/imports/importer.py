"""``import_file``: recognise one export, check it, and store it in the lake.

Batch files become versions under ``raw/batch/<dataset>/`` (key = as-of instant + sha256,
so the newest export sorts last and a file imported twice is stored once); time series are
placed by their own timestamps in ``raw/api/<source>/dt=/hour=`` partitions, one JSON per
hour, named after the source file's sha256 (importing it again writes nothing new). Keys
are built here from validated parts, never from the file's name. Objects are write-once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Protocol

from entrepot.city import layout
from entrepot.city.days import paris
from entrepot.city.imports.as_of import batch_as_of, counts_as_of
from entrepot.city.imports.batch import (
    BATCH_KINDS,
    Checked,
    batch_extension,
    check_batch,
    check_counts_file,
    dumps,
)
from entrepot.city.imports.bigfile import IN_MEMORY_LIMIT, prepare_counts, temporary_folder
from entrepot.city.imports.bikes import counters_csv, gbfs_status
from entrepot.city.imports.daily_weather import daily_weather
from entrepot.city.imports.detect import Detected, detect
from entrepot.city.imports.records import ImportResult, Placed, Series
from entrepot.city.imports.text import decode, repair_cut
from entrepot.city.imports.velib import velib_csv, velib_geojson
from entrepot.city.imports.weather import open_meteo, openweathermap, synop
from entrepot.errors import ObjectExists
from entrepot.storage.hashing import sha256_file
from entrepot.storage.protocols import List, Put

#: Hourly pieces written at once (each put is a small write and an fsync).
PUT_THREADS = 8


class ImportStore(Put, List, Protocol):
    """What an import needs of a store: write-once puts and listings."""


Progress = Callable[[int, int], None]


def import_file(
    store: ImportStore,
    source: Path | bytes,
    *,
    name: str | None = None,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one export (a path, or bytes from a collector) into the lake of ``store``.

    ``name`` names it in messages (default: the file name); ``as_of`` is when the export
    was taken, for a file whose content does not say (:mod:`.as_of`): the newest batch
    version wins. Never the file's modification time: a file that says nothing of when it
    was taken, imported without ``as_of``, is refused. Raises ``RawFormatError`` naming
    the file for what it cannot read.
    """
    if isinstance(source, Path):
        label = name or source.name
        if source.stat().st_size > IN_MEMORY_LIMIT:
            return _big_counts(store, source, label, as_of)
        data = source.read_bytes()
    else:
        label, data = name or "<bytes>", source
    sha256 = hashlib.sha256(data).hexdigest()
    decoded = decode(data, label)
    detected = detect(decoded.text, label)
    notes, text, changed = list(decoded.notes), decoded.text, decoded.changed
    if detected.document is None:  # a CSV (a JSON document that parsed is whole)
        text, cut = repair_cut(text, label, whole_rows=detected.kind == "counts")
        notes, changed = notes + cut, changed or len(text) != len(decoded.text)
    stored = text.encode("utf-8") if changed else data
    if detected.kind in BATCH_KINDS:
        return _batch(store, detected, text, stored, label, sha256, as_of, notes)
    series = _series(detected, text, label, as_of)
    return _place(store, series, detected.kind, label, sha256, notes, progress)


def _series(detected: Detected, text: str, name: str, as_of: datetime | None) -> Series:
    kind = detected.kind
    if kind == "gbfs-status":
        return gbfs_status(detected.document, name)
    if kind == "velib-csv":
        return velib_csv(text, detected.sep, name, as_of)
    if kind == "velib-geojson":
        return velib_geojson(detected.document, name, as_of)
    if kind == "weather-daily":
        return daily_weather(text, detected.sep, name)
    if kind == "bike-counters":
        return counters_csv(text, detected.sep, name)
    if kind == "synop":
        return synop(text, detected.sep, name)
    if kind == "open-meteo":
        return open_meteo(detected.document, name)
    return openweathermap(detected.document, name)


def _batch(
    store: ImportStore,
    detected: Detected,
    text: str,
    data: bytes,
    name: str,
    sha256: str,
    as_of: datetime | None,
    notes: list[str],
) -> ImportResult:
    checked = check_batch(detected, text, data, name)

    def write(key: str) -> None:
        store.put(key, checked.data, content_type=_content_type(key), if_absent=True)

    def taken() -> tuple[datetime, list[str]]:
        return batch_as_of(detected, checked, name, as_of)

    result = _store_version(store, detected.kind, sha256, taken, write, checked, name, notes)
    if detected.kind == "counts":
        with temporary_folder() as tmp:
            path = Path(tmp) / "counts.csv"
            path.write_bytes(checked.data)
            _partition(store, path, result.keys[0])
    return result


def _big_counts(store: ImportStore, path: Path, name: str, as_of: datetime | None) -> ImportResult:
    with temporary_folder() as tmp:
        streamed = prepare_counts(path, name, Path(tmp))
        checked = check_counts_file(streamed.path, name)

        def write(key: str) -> None:
            store.put_file(key, streamed.path, content_type="text/csv", if_absent=True)

        def taken() -> tuple[datetime, list[str]]:
            return as_of or counts_as_of(checked, name), []

        notes = list(streamed.notes)
        result = _store_version(
            store, "counts", streamed.sha256, taken, write, checked, name, notes
        )
        _partition(store, streamed.path, result.keys[0])
        return result


def _partition(store: ImportStore, path: Path, key: str) -> None:
    """The stored counts export ``key`` (its bytes at ``path``) once as day partitions, read
    by the runs instead of the whole export (ADR 0084); an export stored before is
    partitioned when imported again."""
    from entrepot.city.counts_partition import is_partitioned, partition_counts

    sha256 = sha256_file(path)
    if not is_partitioned(store, sha256):
        partition_counts(store, path, sha256, key)


def _store_version(
    store: ImportStore,
    kind: str,
    sha256: str,
    as_of: Callable[[], tuple[datetime, list[str]]],
    write: Callable[[str], object],
    checked: Checked,
    name: str,
    notes: list[str],
) -> ImportResult:
    legacy = BATCH_KINDS[kind]
    prefix = layout.versions_prefix(legacy)
    same = [i.key for i in store.list(prefix) if f"-{sha256[:16]}." in i.key]
    keys: tuple[str, ...] = ()
    if not same:  # dated only when stored: a file already there needs no as-of
        taken, more = as_of()
        notes = [*notes, *more]
        key = layout.version_key(legacy, taken, sha256, batch_extension(kind))
        write(key)
        keys = (key,)
    return ImportResult(
        name,
        kind,
        keys or tuple(same),
        len(same),
        checked.rows,
        checked.first_day,
        checked.last_day,
        tuple([*notes, *checked.warnings]),
        new_rows=0 if same else checked.rows,
    )


def _place(
    store: ImportStore,
    series: Series,
    kind: str,
    name: str,
    sha256: str,
    notes: list[str],
    progress: Progress | None,
) -> ImportResult:
    keys = [placed_key(piece, sha256) for piece in series.placed]
    days = [piece.at.astimezone(paris()).date() for piece in series.placed]

    def put(index: int) -> bool:
        # False when the piece was already there (imported before)
        try:
            store.put(
                keys[index],
                dumps(series.placed[index].document),
                content_type="application/json",
                if_absent=True,
            )
        except ObjectExists:
            return False
        return True

    present = new_rows = 0
    with ThreadPoolExecutor(max_workers=PUT_THREADS) as pool:
        for done, written in enumerate(pool.map(put, range(len(keys))), start=1):
            present += not written
            new_rows += series.placed[done - 1].rows if written else 0
            if progress is not None:
                progress(done, len(keys))
    return ImportResult(
        name,
        kind,
        tuple(keys),
        present,
        series.rows,
        min(days, default=None),
        max(days, default=None),
        tuple([*notes, *series.warnings]),
        new_rows=series.rows if not present else min(new_rows, series.rows),
    )


def placed_key(piece: Placed, sha256: str) -> str:
    """The partition key of a placed document: the Paris local day and hour of its time
    (``_fold1`` for the repeated autumn hour), named after the source file's sha256."""
    local = piece.at.astimezone(paris())
    fold = "_fold1" if local.fold else ""
    prefix = layout.hour_prefix(piece.source, local.date(), local.hour)
    return f"{prefix}{piece.stem}-{sha256[:16]}{fold}.json"


def _content_type(key: str) -> str:
    return "application/json" if key.endswith(".json") else "text/csv"
