"""Read a traffic unit's counts from the day partitions alone (ADR 0084).

The exports' versions are scanned as today (oldest first, the newest wins a repeated (arc,
counted hour)), each from its partitions of the unit's days, with the scan's own SQL
(:func:`entrepot.city.bigcsv.scan`); what partitioning left out comes back from each
export's manifest: the rows without a valid arc or time, and per day the rows of a repeated
(arc, hour) within one export. The answer is the one the whole exports give for those days.

None (read the exports whole) when an export has no manifest yet (stored before
partitioning: ``entrepot city import`` it again to partition it), or when the store is
unavailable and the lake falls back on a local copy.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from entrepot.city import layout
from entrepot.city.bigcsv import CountsAggregate, scan
from entrepot.city.counts_checks import MAX_BAD_SHARE
from entrepot.city.counts_partition import PART_COLUMNS
from entrepot.city.lake import InputRef, Lake
from entrepot.errors import ObjectNotFound, StoreUnavailable

_EMPTY = "SELECT CAST(NULL AS INTEGER) AS src, " + ", ".join(
    f"CAST(NULL AS VARCHAR) AS {c}" for c in PART_COLUMNS
)


@dataclasses.dataclass(frozen=True)
class PartitionedRead:
    """A unit's counts read from the partitions, and the exports they stand for."""

    aggregate: CountsAggregate
    inputs: tuple[InputRef, ...]


@contextmanager
def read_partitioned(
    lake: Lake,
    start: date,
    end: date,
    *,
    memory_limit: str,
    threads: int,
) -> Iterator[PartitionedRead | None]:
    """The counts of the local days ``[start, end]`` from the partitions of every stored
    export, or None when they cannot stand for the exports."""
    with tempfile.TemporaryDirectory(prefix="entrepot-counts-") as tmp:
        try:
            refs = _exports(lake)
            manifests = None if refs is None else _manifests(lake, refs)
            if refs is not None and manifests is not None:
                params, sources = _download(lake, refs, start, end, Path(tmp))
        except StoreUnavailable:
            if lake.fallback == "fail":
                raise
            refs = manifests = None  # the whole path falls back on the local copy
        if refs is None or manifests is None:
            yield None
            return
        raw = " UNION ALL ".join(sources) if sources else f"{_EMPTY} WHERE FALSE"
        aggregate = scan(
            [],
            params,
            ", ".join(ref.key for ref in refs),
            start=start,
            end=end,
            memory_limit=memory_limit,
            threads=threads,
            raw=raw,
        )
    yield PartitionedRead(_left_out(aggregate, manifests), refs)


def lines_needed(aggregate: CountsAggregate, days: Sequence[date]) -> bool:
    """Whether a day fails for its values that do not parse: its message names the line of
    the first in the export, which only the whole export has."""
    quality = aggregate.quality
    if quality is None or quality.empty:
        return False
    arcs = aggregate.arcs
    for day in days:
        found = quality[quality["day"] == day]
        if found.empty:
            continue
        bad = int(found["q_bad"].iloc[0]) + int(found["k_bad"].iloc[0])
        if bad and bad > MAX_BAD_SHARE * int(arcs.loc[arcs["day"] == day, "rows"].sum()):
            return True
    return False


def _exports(lake: Lake) -> tuple[InputRef, ...] | None:
    """The exports' versions, oldest first, each with the sha256 the store records."""
    refs = []
    for ref in lake.batch_inputs(layout.COUNTS_CSV):
        sha256 = ref.sha256 or lake.store.head(ref.key).sha256
        if sha256 is None:
            return None
        refs.append(InputRef(ref.key, sha256, ref.size))
    return tuple(refs)


def _manifests(lake: Lake, refs: Sequence[InputRef]) -> list[dict[str, Any]] | None:
    found: dict[str, dict[str, Any]] = {}
    for ref in refs:
        sha256 = str(ref.sha256)
        if sha256 not in found:
            try:
                found[sha256] = json.loads(lake.store.get(layout.counts_manifest_key(sha256)))
            except ObjectNotFound:
                return None
    return [found[str(ref.sha256)] for ref in refs]


def _download(
    lake: Lake, refs: Sequence[InputRef], start: date, end: date, tmp: Path
) -> tuple[dict[str, object], list[str]]:
    """Verified local copies of the partitions of ``[start, end]``, and per export the
    query of its rows (its index is its place among the exports, as in a whole scan)."""
    wanted = {f"{str(ref.sha256)[:16]}.parquet" for ref in refs}
    copies: dict[str, list[str]] = {}
    day = start
    while day <= end:
        for info in lake.store.list(layout.counts_day_prefix(day)):
            name = info.key.rsplit("/", 1)[-1]
            if name in wanted:
                dest = tmp / day.isoformat() / name
                lake.store.download(info.key, dest)
                copies.setdefault(name, []).append(str(dest))
        day += timedelta(days=1)
    params: dict[str, object] = {}
    sources = []
    columns = ", ".join(PART_COLUMNS)
    for index, ref in enumerate(refs):
        paths = copies.get(f"{str(ref.sha256)[:16]}.parquet")
        if paths:
            params[f"parts{index}"] = paths
            sources.append(f"SELECT {index} AS src, {columns} FROM read_parquet($parts{index})")
    return params, sources


def _left_out(aggregate: CountsAggregate, manifests: Sequence[dict[str, Any]]) -> CountsAggregate:
    """What partitioning left out, from the manifests: the rows without a place, and the
    repeated rows of each day within one export."""
    skipped = aggregate.skipped_rows + sum(int(m["skipped_rows"]) for m in manifests)
    quality = aggregate.quality
    if quality is not None and not quality.empty:
        extra: dict[date, int] = {}
        for manifest in manifests:
            for day, n in manifest["duplicates"].items():
                extra[date.fromisoformat(day)] = extra.get(date.fromisoformat(day), 0) + int(n)
        quality = quality.copy()
        quality["duplicates"] = quality["duplicates"].to_numpy() + [
            extra.get(day, 0) for day in quality["day"]
        ]
    return dataclasses.replace(aggregate, skipped_rows=skipped, quality=quality)
