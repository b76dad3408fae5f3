"""Registry benchmarks: Entrepôt's model registry against the raw client, same run.

Run: ``python -m bench.registry [--quick] [--only CASE ...]``. Starts its own moto S3 server
in a separate process on a free 127.0.0.1 port and writes a Markdown table to
``bench/results/registry.md``. ``--only`` runs some cases: ``catalog``, ``load``, ``push``,
``pull`` (cold and warm; it pushes the model first, untimed without ``push``). Cases:

- push / pull of one model file (130 MiB; 32 MiB with ``--quick``) through the registry
  (sha256, manifest, catalog rows, signature; a cold pull fills a fresh cache, verifies and
  links the file into a folder, then removes both, as the peer truncates its file) against
  ``obstore.put`` / ``obstore.get`` streamed to a file on the same server;
- a warm cached ``load`` of a scikit-learn pipeline against ``joblib.load`` of the same file;
- ``latest`` and ``versions`` of a model with 10,000 versions (catalog queries on SQLite),
  against listing those 10,000 version folders in a local store.

Each case runs ours and the peer in turns and keeps the median of the repeats.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import obstore
from obstore.store import S3Store as RawS3

from bench._env import environment
from bench._servers import free_port, start_moto
from bench.storage import MiB, Table, alternate
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.uow import unit_of_work_factory
from entrepot.registry import Registry
from entrepot.storage.cache import CachedStore
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options

RESULTS = Path(__file__).parent / "results"
SECRET = "benchmark-secret-of-enough-length"
CREDS = {"access_key_id": "bench", "secret_access_key": "bench"}
#: The packages whose versions the results state.
PACKAGES = ("obstore", "moto", "sqlalchemy", "scikit-learn", "joblib")
#: What ``--only`` can choose.
CASES = ("catalog", "load", "push", "pull")


def transfer_cases(
    table: Table, endpoint: str, work: Path, size: int, repeat: int, cases: set[str]
) -> None:
    import boto3

    boto = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    )  # fmt: skip
    boto.create_bucket(Bucket="bench-registry")
    boto.create_bucket(Bucket="bench-raw")
    store = S3Store(
        "bench-registry", options=S3Options(endpoint_url=endpoint, region="us-east-1", **CREDS)
    )
    raw = RawS3(
        "bench-raw", endpoint=endpoint, region="us-east-1", virtual_hosted_style_request=False,
        client_options={"allow_http": True}, **CREDS,
    )  # fmt: skip
    engine = make_engine(f"sqlite:///{work / 'transfer.db'}")
    upgrade(engine)
    uow = unit_of_work_factory(engine)
    model = work / "best_model.pth"
    with open(model, "wb") as out:
        out.write(os.urandom(size))
    label = f"{size // MiB} MiB"
    caches = iter(range(1000))

    def registry(folder: Path | None = None) -> Registry:
        folder = folder or work / f"cache-{next(caches)}"
        cache = CachedStore(store, folder, 4 * size)
        return Registry(store, cache, uow, secret=SECRET, actor="bench")

    pushed: list[str] = []
    if "push" in cases:
        t_ours, t_raw = alternate(
            lambda: pushed.append(registry().push([model], "big").version),
            lambda: obstore.put(raw, "big/best_model.pth", model),
            repeat,
        )
        table.add(
            f"push {label} model (sha256, manifest, catalog)", "obstore.put", t_ours, t_raw, size
        )
    if "pull" not in cases:
        engine.dispose()
        return
    if not pushed:
        pushed.append(registry().push([model], "big").version)
        obstore.put(raw, "big/best_model.pth", model)

    def pull_cold() -> None:
        # The cold cache is removed as the peer's file is truncated: both then write into
        # pages the kernel just freed (on a VM, pages never touched cost far more to fill).
        dest, cold = work / "pulled", work / "cache-cold"
        registry(cold).pull("big", pushed[-1], dest)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.rmtree(cold, ignore_errors=True)

    def raw_get() -> None:
        with open(work / "raw.bin", "wb") as out:
            for chunk in obstore.get(raw, "big/best_model.pth").stream(min_chunk_size=MiB):
                out.write(chunk)

    t_ours, t_raw = alternate(pull_cold, raw_get, repeat)
    table.add(
        f"pull {label} model, cold cache (verified)", "obstore.get to a file", t_ours, t_raw, size
    )
    warm = registry()
    warm.pull("big", pushed[-1])

    def pull_warm() -> None:
        dest = work / "pulled-warm"
        warm.pull("big", pushed[-1], dest)
        shutil.rmtree(dest, ignore_errors=True)

    t_ours, t_raw = alternate(pull_warm, raw_get, repeat)
    table.add(
        f"pull {label} model, warm cache (verified)", "obstore.get to a file", t_ours, t_raw, size
    )
    engine.dispose()


def load_case(table: Table, work: Path, repeat: int) -> None:
    import joblib
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 20))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    model = make_pipeline(StandardScaler(), RandomForestClassifier(60, random_state=0, n_jobs=1))
    folder = work / "fraud"
    folder.mkdir()
    joblib.dump(model.fit(x, y), folder / "model.joblib")
    size = (folder / "model.joblib").stat().st_size
    store = LocalStore(work / "load-store")
    engine = make_engine(f"sqlite:///{work / 'load.db'}")
    upgrade(engine)
    cache = CachedStore(store, work / "load-cache", 1024 * MiB)
    registry = Registry(store, cache, unit_of_work_factory(engine), secret=SECRET, actor="bench")
    registry.push([folder], "fraud")
    registry.load("fraud")  # fills the cache
    plain = folder / "model.joblib"
    joblib.load(plain)  # the same page-cache warmth for both
    t_ours, t_peer = alternate(lambda: registry.load("fraud"), lambda: joblib.load(plain), repeat)
    table.add(
        f"warm load, sklearn pipeline ({size // MiB} MiB joblib)", "joblib.load", t_ours, t_peer
    )
    engine.dispose()


def catalog_cases(table: Table, work: Path, versions: int, repeat: int) -> None:
    engine = make_engine(f"sqlite:///{work / 'versions.db'}")
    upgrade(engine)
    uow_factory = unit_of_work_factory(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    folders = LocalStore(work / "folders")
    with uow_factory() as uow:
        for n in range(versions):
            version = f"v{n:06d}"
            claimed = uow.models.claim(
                namespace="", name="many", version=version, flavor="raw",
                created_at=start + timedelta(minutes=n), created_by="bench",
                metrics={"auprc": n / versions}, params={}, tags={}, lineage={}, input_schema=[],
            )  # fmt: skip
            key = f"models/many/{version}/"
            manifest = uow.objects.add(
                key=key + "manifest.json", sha256="0" * 64, size=1, kind="manifest"
            )
            weights = uow.objects.add(key=key + "w.bin", sha256="1" * 64, size=1, kind="model-file")
            uow.models.complete(
                claimed.id, manifest=manifest, signature=None, files=[("w.bin", weights)]
            )
        uow.commit()
    for n in range(versions):
        folders.put(f"models/many/v{n:06d}/manifest.json", b"{}")
    registry = Registry(
        folders, CachedStore(folders, work / "c", MiB), uow_factory, secret=SECRET, actor="b"
    )

    def list_folders() -> int:
        return len(folders.ls("models/many").prefixes)

    peer = "ls of the version folders"
    t_ours, t_list = alternate(lambda: registry.latest("many"), list_folders, repeat)
    table.add(f"latest of {versions:,} versions (SQLite)", peer, t_ours, t_list)
    t_ours, t_list = alternate(lambda: registry.versions("many", limit=50), list_folders, repeat)
    table.add(f"versions, newest 50 of {versions:,} (SQLite)", peer, t_ours, t_list)
    t_ours, t_list = alternate(lambda: registry.versions("many"), list_folders, repeat)
    table.add(f"versions, all {versions:,} (SQLite)", peer, t_ours, t_list)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="32 MiB model, fewer repeats")
    parser.add_argument(
        "--only", nargs="+", choices=CASES, default=list(CASES), help="run only these cases"
    )
    args = parser.parse_args()
    cases = set(args.only)
    size, repeat = (32 * MiB, 2) if args.quick else (130 * MiB, 5)
    RESULTS.mkdir(exist_ok=True)
    table = Table()
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        work = Path(tmp)
        if "catalog" in cases:
            catalog_cases(table, work, 10_000, 7 if not args.quick else 3)
        if "load" in cases:
            load_case(table, work, 9 if not args.quick else 5)
        if cases & {"push", "pull"}:
            with start_moto(free_port()) as endpoint:
                transfer_cases(table, endpoint, work, size, repeat, cases)
    mode = " (quick mode)" if args.quick else ""
    if cases != set(CASES):
        mode += f" (only {', '.join(c for c in CASES if c in cases)})"
    text = f"Measured {environment(*PACKAGES)}{mode}\n\n{table.markdown()}\n"
    (RESULTS / "registry.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
