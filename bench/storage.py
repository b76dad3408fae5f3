"""Storage benchmarks: Entrepôt against the raw clients and the physical limits, same run.

Run: ``python -m bench.storage [--quick]``. Starts its own moto S3 server (a separate
process, so it does not share the client's GIL) on a free 127.0.0.1 port, and writes a
Markdown table to ``bench/results/storage.md``. Each case alternates ours and the peer
and keeps the median of the repeats.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import boto3
import obstore
from obstore.store import S3Store as RawS3

from bench._env import environment
from bench._servers import free_port, start_moto
from entrepot.storage.cache import CachedStore
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options

MiB = 1024 * 1024
RESULTS = Path(__file__).parent / "results"
#: The packages whose versions the results state.
PACKAGES = ("obstore", "boto3", "moto", "sqlalchemy")


def alternate(
    ours: Callable[[], object], peer: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median times of ``ours`` and ``peer``, run in turns so that a load change on the
    machine hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, kept in ((ours, times[0]), (peer, times[1])):
            start = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, float, str]] = []

    def add(
        self, case: str, peer: str, ours: float, theirs: float, unit_bytes: int | None = None
    ) -> None:
        # ratio = peer time / our time: above 1 we are faster, 0.9 = 10 % slower.
        rate = f"{unit_bytes / ours / MiB:.0f} MiB/s" if unit_bytes else ""
        self.rows.append((case, peer, ours, theirs, rate))
        print(
            f"{case:<42} ours {ours * 1000:9.2f} ms  {peer:<26} {theirs * 1000:9.2f} ms  "
            f"ratio {theirs / ours:5.2f}  {rate}",
            flush=True,
        )

    def markdown(self) -> str:
        lines = [
            "| case | Entrepôt | peer | peer time | ratio (peer/ours) | Entrepôt rate |",
            "|---|---:|---|---:|---:|---:|",
        ]
        for case, peer, ours, theirs, rate in self.rows:
            lines.append(
                f"| {case} | {ours * 1000:.2f} ms | {peer} | {theirs * 1000:.2f} ms | "
                f"{theirs / ours:.2f} | {rate} |"
            )
        return "\n".join(lines)


def s3_cases(table: Table, endpoint: str, repeat: int, big: int) -> None:
    creds = {"access_key_id": "bench", "secret_access_key": "bench"}
    options = S3Options(endpoint_url=endpoint, region="us-east-1", **creds)
    boto = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    boto.create_bucket(Bucket="bench-ours")
    boto.create_bucket(Bucket="bench-raw")
    ours = S3Store("bench-ours", options=options)
    raw = RawS3(
        "bench-raw",
        endpoint=endpoint,
        region="us-east-1",
        virtual_hosted_style_request=False,
        client_options={"allow_http": True},
        **creds,
    )
    for size, label in ((MiB, "1 MiB"), (big, f"{big // MiB} MiB")):
        data = os.urandom(size)
        reps = repeat if size <= MiB else max(2, repeat // 3)
        with tempfile.NamedTemporaryFile() as src:
            src.write(data)
            src.flush()
            path = Path(src.name)
            t_ours = median_time(lambda p=path: ours.put_file("obj", p), reps)
            t_raw = median_time(lambda p=path: obstore.put(raw, "obj", p), reps)
            table.add(f"S3 put {label} (file, sha256 incl.)", "obstore.put", t_ours, t_raw, size)
            t_boto = median_time(lambda p=path: boto.upload_file(str(p), "bench-raw", "b"), reps)
            table.add(f"S3 put {label} (file)", "boto3 upload_file", t_ours, t_boto, size)
        t_ours, t_raw = alternate(
            lambda: ours.get("obj"), lambda: obstore.get(raw, "obj").bytes(), reps
        )
        table.add(f"S3 get {label} (verified)", "obstore.get().bytes()", t_ours, t_raw, size)
        t_ours, t_bound = alternate(
            lambda: ours.get("obj"),
            lambda: hashlib.sha256(obstore.get(raw, "obj").bytes()).digest(),
            reps,
        )
        table.add(f"S3 get {label} (verified)", "obstore get + sha256", t_ours, t_bound, size)
        t_boto = median_time(
            lambda: boto.get_object(Bucket="bench-raw", Key="b")["Body"].read(), reps
        )
        table.add(f"S3 get {label} (verified)", "boto3 get_object", t_ours, t_boto, size)

    small = [os.urandom(4096) for _ in range(1000)]

    def put_small_ours() -> None:
        for i, blob in enumerate(small):
            ours.put(f"small/{i:05d}", blob)

    def put_small_raw() -> None:
        for i, blob in enumerate(small):
            obstore.put(raw, f"small/{i:05d}", blob)

    t_ours, t_raw = median_time(put_small_ours, 1), median_time(put_small_raw, 1)
    table.add("S3 put 1,000 x 4 KiB (sequential)", "obstore.put", t_ours, t_raw)
    t_ours = median_time(lambda: [ours.get(f"small/{i:05d}") for i in range(1000)], 1)
    t_raw = median_time(
        lambda: [obstore.get(raw, f"small/{i:05d}").bytes() for i in range(1000)], 1
    )
    table.add("S3 get 1,000 x 4 KiB (sequential)", "obstore.get", t_ours, t_raw)

    for i in range(0, 10_000, 1000):
        for j in range(i, i + 1000):
            ours.put(f"many/{j:06d}", b"x")
            obstore.put(raw, f"many/{j:06d}", b"x")
    t_ours = median_time(lambda: sum(1 for _ in ours.list("many")), repeat)
    t_raw = median_time(lambda: sum(len(p) for p in obstore.list(raw, "many/")), repeat)
    table.add("S3 list 10,000 keys", "obstore.list", t_ours, t_raw)
    t_boto = median_time(
        lambda: sum(
            len(p.get("Contents", []))
            for p in boto.get_paginator("list_objects_v2").paginate(
                Bucket="bench-raw", Prefix="many/"
            )
        ),
        repeat,
    )
    table.add("S3 list 10,000 keys", "boto3 paginator", t_ours, t_boto)

    expires = timedelta(hours=1)
    t_ours = median_time(
        lambda: [ours.sign(f"small/{i:05d}", expires=expires) for i in range(1000)], repeat
    )
    t_boto = median_time(
        lambda: [
            boto.generate_presigned_url(
                "get_object", Params={"Bucket": "bench-raw", "Key": f"small/{i:05d}"}
            )
            for i in range(1000)
        ],
        repeat,
    )
    table.add("presign 1,000 GET URLs", "boto3 generate_presigned_url", t_ours, t_boto)

    # Cache: a hit against a plain read of a local file of the same size.
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        cache = CachedStore(ours, Path(tmp) / "cache", max_bytes=4 * big)
        for size, label in ((MiB, "1 MiB"), (64 * MiB, "64 MiB")):
            data = os.urandom(size)
            info = ours.put("cached", data)
            plain = Path(tmp) / f"plain-{size}"
            plain.write_bytes(data)
            cache.get("cached", sha256=info.sha256)  # fill
            sha = info.sha256
            t_hit = median_time(lambda s=sha: cache.get("cached", sha256=s), repeat)
            t_plain = median_time(plain.read_bytes, repeat)
            table.add(
                f"cache hit get {label} (sha256 known)", "Path.read_bytes", t_hit, t_plain, size
            )
            t_path = median_time(lambda s=sha: cache.path("cached", sha256=s).read_bytes(), repeat)
            table.add(
                f"cache hit path().read_bytes {label}", "Path.read_bytes", t_path, t_plain, size
            )


def local_cases(table: Table, repeat: int, big: int) -> None:
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        root = Path(tmp)
        src = root / "src.bin"
        src.write_bytes(os.urandom(big))
        store = LocalStore(root / "store")
        nosync = LocalStore(root / "store-nosync", fsync=False)
        label = f"{big // MiB} MiB"
        dst = root / "copy.bin"

        def copy_fsync() -> None:
            shutil.copyfile(src, dst)
            with open(dst, "rb+") as f:
                os.fsync(f.fileno())

        t_ours = median_time(lambda: store.put_file("obj", src), repeat)
        t_copy = median_time(copy_fsync, repeat)
        table.add(
            f"local put_file {label} (fsync, sha256)", "copyfile + fsync", t_ours, t_copy, big
        )
        t_ours = median_time(lambda: nosync.put_file("obj", src), repeat)
        t_copy = median_time(lambda: shutil.copyfile(src, dst), repeat)
        table.add(
            f"local put_file {label} (no fsync, sha256)", "shutil.copyfile", t_ours, t_copy, big
        )
        out = root / "out.bin"
        t_ours = median_time(lambda: store.download("obj", out), repeat)
        t_copy = median_time(lambda: shutil.copyfile(src, dst), repeat)
        table.add(f"local download {label} (verified)", "shutil.copyfile", t_ours, t_copy, big)
        t_ours, t_read = alternate(lambda: store.get("obj"), src.read_bytes, repeat)
        table.add(f"local get {label} (verified)", "Path.read_bytes", t_ours, t_read, big)
        t_ours, t_bound = alternate(
            lambda: store.get("obj"), lambda: hashlib.sha256(src.read_bytes()).digest(), repeat
        )
        table.add(f"local get {label} (verified)", "read_bytes + sha256", t_ours, t_bound, big)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller objects, fewer repeats")
    args = parser.parse_args()
    repeat, big = (3, 32 * MiB) if args.quick else (7, 256 * MiB)
    RESULTS.mkdir(exist_ok=True)
    table = Table()
    local_cases(table, repeat, big)
    port = free_port()
    with start_moto(port) as endpoint:
        s3_cases(table, endpoint, repeat, big)
    text = f"Measured {environment(*PACKAGES)}\n\n{table.markdown()}\n"
    (RESULTS / "storage.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
