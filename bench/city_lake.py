"""A traffic backfill read from the counts' day partitions against today's whole-export
reading, and plain DuckDB scanning the export once (issue 40 item 2, ADR 0083).

Run::

    python -m bench.city_lake [--days 93] [--arcs 300] [--unit 31]

Writes a counts export of ``days`` days (the generator's rows, export labels) and its
référentiel in a local folder, partitions it as ``city import`` does (timed), then computes
the traffic documents of every day in units of ``unit`` days (``city run --jobs``' cut),
each engine in its own process (CPU and peak RSS from ``wait4``): the partitions, the whole
export per unit (the reading before ADR 0083), and plain DuckDB's one aggregation of the
whole export (``bench/city.py``'s query). The documents' digest must be the same both ways.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench._env import environment

START = date(2025, 1, 6)


def _write(folder: Path, days: int, arcs_count: int) -> None:
    """The export, its référentiel and its partitions (in a child process: a parent grown by
    the generator would lend its peak RSS to every child it starts)."""
    from entrepot.city import layout
    from entrepot.city.counts_partition import partition_counts
    from entrepot.city.synth.arcs import make_arcs, referentiel_lines
    from entrepot.city.synth.counts import day_lines, header
    from entrepot.storage.local import LocalStore

    store = LocalStore(folder, fsync=False)
    arcs = make_arcs(arcs_count, seed=1)
    path = folder / "export.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("\ufeff" + header("labels") + "\n")
        for d in range(days):
            out.write("\n".join(day_lines(arcs, START + timedelta(d), 1)) + "\n")
    key = layout.batch_key(layout.COUNTS_CSV)
    info = store.put_file(key, path)
    store.put(
        layout.batch_key(layout.REFERENTIEL_CSV),
        ("\n".join(referentiel_lines(arcs, 1)) + "\n").encode("utf-8"),
    )
    began = time.process_time()
    partition_counts(store, path, str(info.sha256), key)
    print(json.dumps({"partition_cpu": time.process_time() - began}))


@contextmanager
def _never(*_args: Any, **_kwargs: Any) -> Iterator[None]:
    yield None


def _run(mode: str, folder: Path, days: int, unit: int) -> None:
    """One engine's whole backfill; prints its bytes read and the documents' digest."""
    if mode == "write":
        _write(folder, days, unit)
        return
    if mode == "duckdb":
        import duckdb

        from bench.city import PLAIN_DUCKDB

        with duckdb.connect(":memory:") as con:
            con.execute(PLAIN_DUCKDB, {"path": str(folder / "export.csv")}).fetchall()
        print(json.dumps({"bytes_read": (folder / "export.csv").stat().st_size}))
        return
    from entrepot.city import layout, pipeline
    from entrepot.city.lake import Lake
    from entrepot.city.pipeline import DayProcessor
    from entrepot.storage.counting import CountingStore
    from entrepot.storage.local import LocalStore

    if mode == "whole":
        pipeline.read_partitioned = _never  # type: ignore[assignment]
    store = CountingStore(LocalStore(folder, fsync=False))
    digest = hashlib.sha256()
    units = 0
    for first in range(0, days, unit):
        units += 1
        chunk = [START + timedelta(d) for d in range(first, min(first + unit, days))]
        processor = DayProcessor(Lake(store))
        for day, doc in sorted(processor.traffic_days(chunk).items()):
            text = json.dumps(doc, sort_keys=True) if isinstance(doc, dict) else repr(doc)
            digest.update(f"{day}:{text}\n".encode())
    # each unit reads the référentiel once: the rest is the counts
    referentiel = (folder / layout.batch_key(layout.REFERENTIEL_CSV)).stat().st_size
    counts = store.bytes_read - units * referentiel
    print(json.dumps({"bytes_read": counts, "digest": digest.hexdigest()}))


def _child(mode: str, folder: Path, days: int, unit: int) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.city_lake", "_run", mode, str(folder), str(days)]
    proc = subprocess.Popen([*argv, str(unit)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} failed")
    return {
        **json.loads(out),
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def backfill(days: int, arcs: int, unit: int) -> str:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-lake-") as tmp:
        folder = Path(tmp)
        partition_cpu = _child("write", folder, days, arcs)["partition_cpu"]
        export = (folder / "export.csv").stat().st_size
        parts = sum(p.stat().st_size for p in (folder / "raw" / "counts").rglob("*.parquet"))
        runs = {mode: _child(mode, folder, days, unit) for mode in ("parts", "whole", "duckdb")}
    assert runs["parts"]["digest"] == runs["whole"]["digest"], "documents differ"
    peer = runs["duckdb"]
    lines = [
        f"### Counts backfill, {days} days x {arcs} arcs in {unit}-day units",
        "",
        environment("duckdb", "pandas", "pyarrow"),
        "",
        f"Export {export / 1e6:.1f} MB; partitions {parts / 1e6:.2f} MB "
        f"(partitioning: {partition_cpu:.1f} s CPU, once per export).",
        "",
        "| reading | counts read | x partitions | CPU s | x DuckDB | peak RSS MB | x DuckDB |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, label in (
        ("parts", "day partitions (this release)"),
        ("whole", "whole export per unit (before)"),
        ("duckdb", "plain DuckDB, one scan of the export"),
    ):
        r = runs[mode]
        lines.append(
            f"| {label} | {r['bytes_read']:,} | {r['bytes_read'] / parts:.2f} | "
            f"{r['cpu']:.1f} | {r['cpu'] / peer['cpu']:.2f} | {r['rss_mb']:.0f} | "
            f"{r['rss_mb'] / peer['rss_mb']:.2f} |"
        )
    lines += [
        "",
        "Counts read: the bytes each reading read from the store, less the référentiel each unit",
        f"reads once. Documents identical both ways (sha256 {runs['parts']['digest'][:16]}…).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.city_lake")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("_run")
    run.add_argument("mode", choices=["write", "parts", "whole", "duckdb"])
    run.add_argument("folder", type=Path)
    run.add_argument("days", type=int)
    run.add_argument("unit", type=int, help="days per unit (arcs, to write)")
    parser.add_argument("--days", type=int, default=93)
    parser.add_argument("--arcs", type=int, default=300)
    parser.add_argument("--unit", type=int, default=31)
    args = parser.parse_args(argv)
    if args.command == "_run":
        _run(args.mode, args.folder, args.days, args.unit)
        return
    print(backfill(args.days, args.arcs, args.unit))


if __name__ == "__main__":
    main()
