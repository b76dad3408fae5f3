"""City-flow benchmarks: the counts CSV against plain DuckDB, and a day read local vs S3.

Run::

    python -m bench.city counts [--sizes 500,2000] [--turns 3]  # MB of counts CSV
    python -m bench.city lake                         # one day, local folder vs moto S3
    python -m bench.city incremental [--days 7]       # a week cold, re-run, one change
    python -m bench.city fanout [--days 30] [--rounds 3]  # city run --jobs: 1 worker vs 2

``counts`` generates the counts CSV once per size (in a process of its own: a child's
``ru_maxrss`` starts from its parent's high-water mark, which generating 2 GB raises past
the engines' own peaks), then runs each engine in its own process (so peak RSS is that
engine's alone, read with ``wait4``): Entrepôt's :func:`~entrepot.city.bigcsv.aggregate_counts`
(its default memory limit, 128 MB, and one thread, ADR 0138) and a plain DuckDB query of the
same aggregation with DuckDB's defaults. Targets (issue 40 item 2): peak RSS ≤ 300 MB and
CPU ≤ 1.25x DuckDB's. Results go to ``bench/results/city-*.md``.

``incremental`` runs ``entrepot city run`` logic (:class:`~entrepot.city.runs.CityRunner`)
over a week of full-size data in a local folder with a SQLite catalog: cold, again
(everything skipped by the watermarks), then after one hourly file changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
START = date(2025, 11, 4)

PLAIN_DUCKDB = """
SELECT GROUPING("Identifiant arc") AS by_hour, "Identifiant arc" AS arc,
       CAST(timezone('Europe/Paris', "Date et heure de comptage" - INTERVAL 1 HOUR) AS DATE) AS day,
       hour(timezone('Europe/Paris', "Date et heure de comptage" - INTERVAL 1 HOUR)) AS hour,
       count(*) AS rows, count("Débit horaire") AS q_n, sum("Débit horaire") AS q_sum,
       max("Débit horaire") AS q_max, count("Taux d'occupation") AS k_n,
       sum("Taux d'occupation") AS k_sum, max("Taux d'occupation") AS k_max,
       count(*) FILTER ("Etat trafic" = 'Saturé') AS saturated,
       arg_max(hour(timezone('Europe/Paris', "Date et heure de comptage" - INTERVAL 1 HOUR)),
               "Débit horaire") AS peak_hour
FROM read_csv($path, delim=';', header=true)
GROUP BY GROUPING SETS ((arc, day), (day, hour))
"""


def _make_counts(folder: Path, megabytes: int) -> tuple[Path, int]:
    from entrepot.city import layout
    from entrepot.city.generator import GenerateOptions, generate
    from entrepot.storage.local import LocalStore

    store = LocalStore(folder, fsync=False)
    options = GenerateOptions(
        start=START, stations=10, counters=2, roadworks=10, big_csv_mb=megabytes
    )
    began = time.perf_counter()
    result = generate(store, options)
    print(
        f"generated {result.counts_bytes / 1e6:.0f} MB, {result.counts_rows:,} rows "
        f"in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    return folder / layout.batch_key(layout.COUNTS_CSV), result.counts_rows


def _made_counts(folder: Path, megabytes: int) -> tuple[Path, int]:
    """:func:`_make_counts` in a child process: this process stays small, so the engines'
    children, whose ``ru_maxrss`` starts from it, read their own peaks."""
    found = subprocess.run(
        [sys.executable, "-m", "bench.city", "_make", str(folder), str(megabytes)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    print(found.stdout.splitlines()[0], flush=True)
    made = json.loads(found.stdout.splitlines()[-1])
    return Path(made["path"]), int(made["rows"])


def _child(engine: str, path: Path) -> dict[str, float]:
    """Run one engine in a fresh process; its wall time, CPU time (user + system: on a
    loaded machine the steadier measure) and peak RSS (MB)."""
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.city", "_run", engine, str(path)])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{engine} failed")
    return {
        "seconds": time.perf_counter() - began,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def _run(engine: str, path: Path) -> None:
    if engine == "entrepot":
        from entrepot.city.bigcsv import aggregate_counts

        result = aggregate_counts(path)
        groups = len(result.arcs) + len(result.hours)
    else:
        import duckdb

        with duckdb.connect(":memory:") as con:
            groups = len(con.execute(PLAIN_DUCKDB, {"path": str(path)}).df())
    print(f"  {engine}: {groups:,} groups", flush=True)


def counts(sizes: list[int], turns: int = 3) -> str:
    """Each size: the export generated once, then ``turns`` pairs of runs, the two engines
    alternating which goes first; the table gives each engine's median and every pair's
    CPU ratio (one pair on a shared machine says little)."""
    lines = [
        "| counts CSV | rows | Entrepôt wall | Entrepôt CPU | Entrepôt peak RSS | "
        "plain DuckDB wall | plain DuckDB CPU | plain DuckDB peak RSS | time ratio | "
        "CPU ratio (median) | CPU ratio per pair |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for megabytes in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp:
            path, rows = _made_counts(Path(tmp) / "store", megabytes)
            runs: dict[str, list[dict[str, float]]] = {"entrepot": [], "duckdb": []}
            pairs: list[float] = []
            for turn in range(turns):
                order = ("entrepot", "duckdb") if turn % 2 == 0 else ("duckdb", "entrepot")
                for engine in order:
                    runs[engine].append(_child(engine, path))
                pairs.append(runs["entrepot"][-1]["cpu"] / runs["duckdb"][-1]["cpu"])
                print(f"{megabytes} MB turn {turn + 1}: CPU ratio {pairs[-1]:.2f}", flush=True)
            ours = {k: statistics.median(r[k] for r in runs["entrepot"]) for k in _MEASURES}
            plain = {k: statistics.median(r[k] for r in runs["duckdb"]) for k in _MEASURES}
            ours["rss_mb"] = max(r["rss_mb"] for r in runs["entrepot"])
            ratio = ours["seconds"] / plain["seconds"]
            cpu = statistics.median(pairs)
            print(f"{megabytes} MB: ours {ours}, plain DuckDB {plain}, CPU ratio {cpu:.2f}")
            lines.append(
                f"| {path.stat().st_size / 1e6:,.0f} MB | {rows:,} | {ours['seconds']:.1f} s | "
                f"{ours['cpu']:.1f} s | {ours['rss_mb']:.0f} MB | {plain['seconds']:.1f} s | "
                f"{plain['cpu']:.1f} s | {plain['rss_mb']:.0f} MB | {ratio:.2f} | {cpu:.2f} | "
                f"{', '.join(f'{p:.2f}' for p in pairs)} |"
            )
    return "\n".join(lines)


_MEASURES = ("seconds", "cpu", "rss_mb")


def lake() -> str:
    import boto3

    from bench._servers import free_port, start_moto
    from entrepot.city.generator import GenerateOptions, generate
    from entrepot.city.lake import Lake
    from entrepot.city.pipeline import DayProcessor
    from entrepot.storage.local import LocalStore
    from entrepot.storage.s3_options import S3Options
    from entrepot.storage.url import open_store

    options = GenerateOptions(start=START, arcs=3000)
    lines = [
        "| store | read a day (3 sources, 96 objects) | process a day (5 types) |",
        "|---|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp, start_moto(free_port()) as url:
        creds = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
        boto3.client("s3", endpoint_url=url, region_name="us-east-1", **creds).create_bucket(
            Bucket="city"
        )
        s3 = S3Options(
            endpoint_url=url, region="us-east-1", access_key_id="bench", secret_access_key="bench"
        )
        stores = {
            "local folder": LocalStore(Path(tmp) / "store", fsync=False),
            "S3 (moto, 127.0.0.1)": open_store("s3://city/paris", s3=s3),
        }
        results = {}
        for name, store in stores.items():
            generate(store, options)
            began = time.perf_counter()
            for source in ("bikes", "traffic", "weather"):
                Lake(store).read_day(source, START)
            read = time.perf_counter() - began
            began = time.perf_counter()
            results[name] = DayProcessor(Lake(store)).run(START)
            process = time.perf_counter() - began
            print(f"{name}: read {read:.2f} s, process {process:.2f} s", flush=True)
            lines.append(f"| {name} | {read:.2f} s | {process:.2f} s |")
        first, second = results.values()
        same = {k: v["metrics"] for k, v in first.items()} == {
            k: v["metrics"] for k, v in second.items()
        }
        lines.append(f"\nIdentical metrics from both stores: {same}.")
    return "\n".join(lines)


def incremental(days: int) -> str:
    from datetime import timedelta

    from entrepot.catalog.engine import make_engine
    from entrepot.catalog.migrate import upgrade
    from entrepot.city import layout
    from entrepot.city.generator import GenerateOptions, generate
    from entrepot.city_service.service import CityService
    from entrepot.storage.local import LocalStore

    lines = [
        "| run | days | computed | skipped | failed | wall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp:
        store = LocalStore(Path(tmp) / "store", fsync=False)
        generate(store, GenerateOptions(start=START, days=days, arcs=3000))
        engine = make_engine(f"sqlite:///{tmp}/catalog.db")
        upgrade(engine)
        env = CityService(store, engine=engine)
        week = [START + timedelta(days=i) for i in range(days)]
        changed = next(store.list(layout.hour_prefix("weather", week[-1], 12))).key

        def step(name: str) -> None:
            began = time.perf_counter()
            summary = env.runner().run(week)
            wall = time.perf_counter() - began
            counts = [summary.count(s) for s in ("computed", "skipped", "failed")]
            print(f"{name}: {counts} in {wall:.1f} s", flush=True)
            lines.append(f"| {name} | {days} | {' | '.join(map(str, counts))} | {wall:.1f} s |")

        step("cold")
        step("again, nothing changed")
        store.put(changed, store.get(changed).replace(b"[", b"[ ", 1))
        step("one weather hour changed")
        engine.dispose()
    return "\n".join(lines)


def _documents_digest(summary: dict[str, Any]) -> str:
    """One sha256 over a run's metric documents (each day's and source's sha256 from
    ``city run --json``; the reports, which carry their run's id, left out)."""
    found = sorted(
        f"{r['source']}/{r['date']}/{r['sha256']}"
        for r in summary["results"]
        if r["source"] != "report"
    )
    return hashlib.sha256("\n".join(found).encode()).hexdigest()


def fanout(days: int, rounds: int = 3, workers: tuple[int, ...] = (1, 2)) -> str:
    """A cold backfill through the installed command: one plain run, then ``rounds``
    rounds of ``--jobs`` with each number of ``workers`` (one and two by default), each
    run on a fresh
    catalog over the same raw data; each round's ratio compares its own two runs, and the
    median of the rounds is the figure (one pair of runs moves by ±0.1 from run to run).

    Besides the wall time, the CPU time (user + system) of the command and of the workers
    it waited for (``wait4``): on a shared machine two workers may not get two free cores,
    and the CPU time per unit shows whether the work itself grew with the fan-out; the
    cores used (CPU / wall) show how much of the machine a run actually got."""
    from entrepot.city.generator import GenerateOptions, generate
    from entrepot.storage.local import LocalStore

    end = START.fromordinal(START.toordinal() + days - 1)
    lines = [
        "| run | units | computed | failed | wall | CPU (user+sys) | CPU per unit | "
        "cores used | vs 1 worker | documents sha256 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    plan: list[tuple[str, list[str]]] = [("plain run", [])]
    for round_ in range(1, rounds + 1):
        for count in sorted({1, *workers}):
            name = f"--jobs, {count} worker{'s' if count > 1 else ''} (round {round_})"
            plan.append((name, ["--jobs", "--workers", str(count)]))
    ratios: dict[int, list[float]] = {count: [] for count in workers if count > 1}
    with tempfile.TemporaryDirectory(prefix="bench-city-") as tmp:
        root = Path(tmp)
        generate(
            LocalStore(root / "store", fsync=False),
            GenerateOptions(start=START, days=days, arcs=3000),
        )
        one = 0.0
        for index, (name, extra) in enumerate(plan):
            folder = root / f"run-{index}"
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")},
                "ENTREPOT_STORE_URL": str(root / "store"),
                "ENTREPOT_DATABASE_URL": f"sqlite:///{folder}/catalog.db",
                "ENTREPOT_VAR_DIR": str(folder),
                "ENTREPOT_CACHE_DIR": str(folder / "cache"),
            }
            folder.mkdir()
            entrepot = [sys.executable, "-m", "entrepot"]
            subprocess.run([*entrepot, "db", "upgrade"], env=env, check=True, capture_output=True)
            command = [
                *entrepot,
                "city",
                "run",
                "--since",
                str(START),
                "--until",
                str(end),
                "--json",
            ]
            out = folder / "summary.json"
            began = time.perf_counter()
            with out.open("w") as sink:
                proc = subprocess.Popen(
                    [*command, *extra], env=env, stdout=sink, stderr=subprocess.DEVNULL
                )
                _, _, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - began
            cpu = usage.ru_utime + usage.ru_stime
            summary = json.loads(out.read_text())
            units = days * 5
            ratio = ""
            count = int(extra[-1]) if extra else 0
            if count == 1:
                one = wall
                ratio = "1.00x"
            elif count > 1:
                ratios[count].append(one / wall)
                ratio = f"{ratios[count][-1]:.2f}x"
            print(f"{name}: {wall:.1f} s, CPU {cpu:.1f} s {ratio}", flush=True)
            lines.append(
                f"| {name} | {units} | {summary['computed']} | {summary['failed']} | "
                f"{wall:.1f} s | {cpu:.1f} s | {cpu / units:.2f} s | "
                f"{cpu / wall:.2f} | {ratio} | `{_documents_digest(summary)[:12]}` |"
            )
    lines.append("")
    for count, found in ratios.items():
        median = statistics.median(found)
        print(f"{count} workers against 1, median of {rounds} rounds: {median:.2f}x", flush=True)
        lines.append(
            f"{count} workers against 1 worker, median of {rounds} rounds: **{median:.2f}x** "
            f"(rounds: {', '.join(f'{r:.2f}x' for r in found)})."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.city")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("counts", help="counts CSV: Entrepôt vs plain DuckDB")
    c.add_argument("--sizes", default="500,2000", help="comma-separated sizes in MB")
    c.add_argument("--turns", type=int, default=3, help="pairs of runs per size")
    sub.add_parser("lake", help="a day of raw partitions: local folder vs S3")
    i = sub.add_parser("incremental", help="incremental runs over a week")
    i.add_argument("--days", type=int, default=7)
    f = sub.add_parser("fanout", help="city run --jobs: one worker vs two")
    f.add_argument("--days", type=int, default=30)
    f.add_argument("--rounds", type=int, default=3, help="rounds of runs, one per --workers")
    f.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    r = sub.add_parser("_run")
    r.add_argument("engine", choices=["entrepot", "duckdb"])
    r.add_argument("path", type=Path)
    m = sub.add_parser("_make")
    m.add_argument("folder", type=Path)
    m.add_argument("megabytes", type=int)
    args = parser.parse_args(argv)
    if args.command == "_run":
        _run(args.engine, args.path)
        return
    if args.command == "_make":
        path, rows = _make_counts(args.folder, args.megabytes)
        print(json.dumps({"path": str(path), "rows": rows}))
        return
    if args.command == "counts":
        table = counts([int(s) for s in args.sizes.split(",")], args.turns)
        name = "city-counts.md"
    elif args.command == "incremental":
        table = incremental(args.days)
        name = "city-incremental.md"
    elif args.command == "fanout":
        table = fanout(args.days, args.rounds, tuple(args.workers))
        name = "city-fanout.md"
    else:
        table = lake()
        name = "city-lake.md"
    RESULTS.mkdir(exist_ok=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    header = (
        f"# City benchmark: {args.command}\n\n"
        f"Machine: {os.cpu_count()} cores, load average at the end {load} "
        "(a shared machine: compare ratios, not absolute times).\n\n"
    )
    (RESULTS / name).write_text(header + table + "\n", encoding="utf-8")
    print(json.dumps({"written": str(RESULTS / name)}))


if __name__ == "__main__":
    main()
