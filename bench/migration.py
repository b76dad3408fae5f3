"""Store-migration benchmark: ``entrepot migrate`` against a plain copy with the raw client.

Run: ``python -m bench.migration [--quick]``. Starts its own moto S3 server in a separate
process on a free 127.0.0.1 port, seeds a local store and a SQLite catalog with 10,000
small objects (1-4 KiB) and 10 large ones (64 MiB; 16 MiB with ``--quick``), and writes
a Markdown table to ``bench/results/migration.md``.

- *Entrepôt*: ``StoreMigrations.migrate`` from the local store to a new bucket: each object
  read and verified against the catalog's sha256, put create-only with its metadata,
  checked at the destination (the server's MD5 of a single-part upload, else a ``head``),
  and every row repointed through the journal in batches of 200. ``--verify`` also
  re-reads every object from the bucket.
- *peer*: ``obstore.put`` of each file to another new bucket, nothing checked, nothing
  recorded; multipart above the same threshold with the same part size.

Both use the same number of threads. The target is a ratio (peer time / ours) of at least
0.8 including verification. Runs alternate and the median is kept.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path

import boto3
import obstore
from obstore.store import S3Store as RawS3

from bench._env import environment
from bench._servers import free_port, start_moto
from bench.storage import MiB, Table
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.uow import session_factory, unit_of_work_factory
from entrepot.relocation import StoreMigrations
from entrepot.services.objects import ObjectService
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options

RESULTS = Path(__file__).parent / "results"
NOTES = """\
*migrate* includes what a run always does: each object read from the local store and checked
against the catalog's sha256, put create-only with its metadata, the destination's own digest
compared (the MD5 ETag of a single-part upload, else a `head` of the recorded sha256 and
size), the journal, and a catalog transaction repointing every 200 rows. The peer checks and
records nothing. *migrate --verify* also re-reads every object from the destination and
rehashes it: about one more transfer of everything, hence the lower ratio. On this 2-core
machine the moto server is the bottleneck for small objects, so both sides are bound by the
same request rate.
"""
CREDS = {"access_key_id": "bench", "secret_access_key": "bench"}
JOBS = 8
#: Both sides upload in parts above this size, in parts of PART bytes.
THRESHOLD, PART = 16 * MiB, 8 * MiB
#: The packages whose versions the results state.
PACKAGES = ("obstore", "moto", "sqlalchemy")


def seed(work: Path, small: int, large: int, large_size: int) -> tuple[int, int]:
    """The source store and its catalog (``work/pristine.db``); returns (objects, bytes)."""
    rng = random.Random(0)
    store = LocalStore(work / "source", fsync=False)
    engine = make_engine(f"sqlite:///{work / 'pristine.db'}")
    upgrade(engine)
    objects = ObjectService(store, unit_of_work_factory(engine))
    total = 0
    for i in range(small):
        data = os.urandom(rng.randint(1024, 4096))
        objects.put(f"datasets/{i // 1000:02d}/part-{i:05d}.csv", data, owner=None, kind="dataset")
        total += len(data)
    for i in range(large):
        with open(work / "large.bin", "wb") as out:
            for _ in range(large_size // MiB):
                out.write(os.urandom(MiB))
        with open(work / "large.bin", "rb") as reader:
            objects.put(f"models/big/v{i}/weights.bin", reader, owner=None, kind="model-file")
        total += large_size
    (work / "large.bin").unlink(missing_ok=True)
    engine.dispose()
    return small + large, total


def options(endpoint: str) -> S3Options:
    return S3Options(
        endpoint_url=endpoint,
        region="us-east-1",
        multipart_threshold=THRESHOLD,
        part_size=PART,
        **CREDS,
    )


def ours(work: Path, endpoint: str, bucket: str, *, deep: bool) -> float:
    database = work / f"{bucket}.db"
    shutil.copy(work / "pristine.db", database)
    engine = make_engine(f"sqlite:///{database}")
    destination = S3Store(bucket, "", options(endpoint))
    migrations = StoreMigrations(
        LocalStore(work / "source"),
        lambda url: destination,
        session_factory(engine),
        actor="bench",
    )
    start = time.perf_counter()
    report = migrations.migrate(destination.url, jobs=JOBS, deep=deep)
    elapsed = time.perf_counter() - start
    engine.dispose()
    if not report.complete:
        raise SystemExit(f"the migration did not complete: {report}")
    return elapsed


def peer(work: Path, endpoint: str, bucket: str) -> float:
    raw = RawS3(
        bucket, endpoint=endpoint, region="us-east-1", virtual_hosted_style_request=False,
        client_options={"allow_http": True}, **CREDS,
    )  # fmt: skip
    root = work / "source"
    files = [
        (path.relative_to(root).as_posix(), path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).parts[0].startswith(".entrepot")
    ]

    def put(item: tuple[str, Path]) -> None:
        key, path = item
        if path.stat().st_size > THRESHOLD:
            obstore.put(raw, key, path, use_multipart=True, chunk_size=PART, max_concurrency=4)
        else:
            obstore.put(raw, key, path.read_bytes())

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        list(pool.map(put, files))
    return time.perf_counter() - start


def alternate(
    first: Callable[[], float], second: Callable[[], float], repeat: int
) -> tuple[float, float]:
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        times[0].append(first())
        times[1].append(second())
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="16 MiB large objects, 1 repeat")
    args = parser.parse_args()
    large_size, repeat = (16 * MiB, 1) if args.quick else (64 * MiB, 3)
    RESULTS.mkdir(exist_ok=True)
    table = Table()
    buckets = (f"bench-{n}" for n in count())
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp, start_moto(free_port()) as endpoint:
        work = Path(tmp)
        objects, size = seed(work, 10_000, 10, large_size)
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        )  # fmt: skip

        def fresh() -> str:
            name = next(buckets)
            s3.create_bucket(Bucket=name)
            return name

        label = (
            f"{objects:,} objects ({size / MiB:.0f} MiB: 10,000 of 1-4 KiB, "
            f"10 of {large_size // MiB} MiB)"
        )
        for deep, what in ((False, "migrate"), (True, "migrate --verify (re-read)")):
            t_ours, t_peer = alternate(
                lambda deep=deep: ours(work, endpoint, fresh(), deep=deep),
                lambda: peer(work, endpoint, fresh()),
                repeat,
            )
            table.add(f"{what}, {label}", f"obstore.put, {JOBS} threads", t_ours, t_peer, size)
    mode = " (quick mode)" if args.quick else ""
    text = (
        f"Measured {environment(*PACKAGES)}{mode}; {JOBS} threads on both sides; "
        f"moto S3 server in its own process.\n\n{table.markdown()}\n\n{NOTES}"
    )
    (RESULTS / "migration.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
