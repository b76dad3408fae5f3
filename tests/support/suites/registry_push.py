"""Push: versions, the write order, bad input that stores nothing, failures and crashes.

``tests/integration`` runs these classes again on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from entrepot.catalog.models.records import ModelState
from entrepot.catalog.uow import UnitOfWork
from entrepot.errors import StoreUnavailable
from entrepot.registry import Manifest, Registry
from entrepot.registry.errors import (
    InvalidModelFiles,
    InvalidName,
    ModelNotFound,
    VersionExists,
)
from entrepot.services.gc import collect_garbage
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.clock import FakeClock
from tests.support.registry import SECRET, RegistryFixtures
from tests.support.waiting import HANG_GUARD


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def stored_keys(store: MemoryStore) -> list[str]:
    return [info.key for info in store.list()]


class FailingStore(MemoryStore):
    """A memory store whose puts fail from the ``fail_at``-th on, and deletes if asked."""

    def __init__(self, fail_at: int, *, deletes_fail: bool = False) -> None:
        super().__init__("failing")
        self.fail_at, self.puts, self.deletes_fail = fail_at, 0, deletes_fail

    def put(self, key: str, data: Any, **kwargs: Any) -> Any:
        self.puts += 1
        if self.puts >= self.fail_at:
            raise StoreUnavailable("disk full", key=key, store=self.url)
        return super().put(key, data, **kwargs)

    def delete_many(self, keys: Any) -> int:
        if self.deletes_fail:
            raise StoreUnavailable("store gone", store=self.url)
        return super().delete_many(keys)


class TestPush(RegistryFixtures):
    def test_push_writes_files_then_the_manifest_and_records_everything(
        self,
        registry: Registry,
        model_dir: Path,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
    ) -> None:
        record = registry.push(
            [model_dir],
            "plant_classifier",
            metrics={"val_accuracy": 0.95},
            params={"optimizer": "AdamW"},
            tags={"team": "vision"},
            lineage={"dataset_sha256": "ab" * 32, "training_run": "run-7"},
            metadata={"architecture": "resnet18", "classes": ["healthy", "sick"]},
            input_schema=[("image", "binary")],
        )
        assert record.version == "v20251028_181858"
        assert record.state is ModelState.READY
        assert record.flavor == "raw"
        folder = "models/plant_classifier/v20251028_181858/"
        assert stored_keys(store) == [
            folder + "manifest.json",
            folder + "notes/readme.txt",
            folder + "weights.bin",
        ]
        manifest = Manifest.from_json(store.get(folder + "manifest.json"))
        assert (
            record.manifest_sha256
            == hashlib.sha256(store.get(folder + "manifest.json")).hexdigest()
        )
        weights = (model_dir / "weights.bin").read_bytes()
        assert manifest.file("weights.bin").sha256 == hashlib.sha256(weights).hexdigest()
        assert manifest.file("weights.bin").size == len(weights)
        assert (manifest.name, manifest.version, manifest.created_by) == (
            "plant_classifier",
            "v20251028_181858",
            "tester",
        )
        assert manifest.metrics == {"val_accuracy": 0.95}
        assert manifest.metadata["classes"] == ["healthy", "sick"]
        assert manifest.lineage["training_run"] == "run-7"
        assert manifest.framework["python"]
        assert manifest.created_at.startswith("2025-10-28T18:18:58")
        with uow_factory() as uow:
            kinds = {o.key: (o.kind, o.owner) for o in uow.objects.list(prefix="models")}
            files = uow.models.files(record.id)
        assert kinds[folder + "manifest.json"] == ("manifest", None)
        assert kinds[folder + "weights.bin"] == ("model-file", None)
        assert [(f.path, f.key) for f in files] == [
            ("notes/readme.txt", folder + "notes/readme.txt"),
            ("weights.bin", folder + "weights.bin"),
        ]
        assert record.signature is not None

    def test_pushes_in_the_same_second_get_distinct_versions(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        versions = []
        for n in range(3):
            src = tmp_path / f"w{n}.bin"
            src.write_bytes(f"weights {n}".encode())
            versions.append(registry.push([src], "m").version)
        assert versions == ["v20251028_181858", "v20251028_181858_2", "v20251028_181858_3"]
        for n, version in enumerate(versions):
            pulled = registry.pull("m", version)
            assert pulled.files[f"w{n}.bin"].read_bytes() == f"weights {n}".encode()

    def test_concurrent_pushes_in_one_second_never_overwrite(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        errors: list[BaseException] = []
        results: list[str] = []

        def push(n: int) -> None:
            src = tmp_path / f"c{n}" / "w.bin"
            src.parent.mkdir()
            src.write_bytes(f"weights {n}".encode())
            try:
                results.append(registry.push([src], "m", tags={"n": str(n)}).version)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=push, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(set(results)) == 4
        for version in results:
            record = registry.show("m", version).version
            n = record.tags["n"]
            assert (
                registry.pull("m", version).files["w.bin"].read_bytes() == f"weights {n}".encode()
            )

    def test_latest_is_the_version_pushed_last(
        self, registry: Registry, tmp_path: Path, clock: FakeClock
    ) -> None:
        src = tmp_path / "w.bin"
        src.write_bytes(b"w")
        registry.push([src], "m", version="zzz-first")
        clock.now += timedelta(seconds=1)
        second = registry.push([src], "m")
        assert registry.latest("m").version == second.version  # not the lexical maximum
        assert [v.version for v in registry.versions("m")] == [second.version, "zzz-first"]

    def test_an_explicit_version_is_write_once(
        self, registry: Registry, model_dir: Path, store: MemoryStore
    ) -> None:
        registry.push([model_dir], "m", version="1.0")
        before = {i.key: i.sha256 for i in store.list()}
        (model_dir / "weights.bin").write_bytes(b"other weights")
        with pytest.raises(VersionExists, match=r"m@1\.0 already exists"):
            registry.push([model_dir], "m", version="1.0")
        assert {i.key: i.sha256 for i in store.list()} == before

    @pytest.mark.parametrize(
        "version", ["../escape", "a/b", "v1 ", "", ".hidden", "latest", "x" * 65, "%2e%2e", "é"]
    )
    def test_an_unsafe_version_stores_nothing(
        self,
        registry: Registry,
        model_dir: Path,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
        version: str,
    ) -> None:
        with pytest.raises(InvalidName, match="version"):
            registry.push([model_dir], "m", version=version)
        assert stored_keys(store) == []
        with uow_factory() as uow:
            assert uow.models.versions("", "m", any_state=True) == ()

    @pytest.mark.parametrize("name", ["../m", "m/n", "", "-m", "m n"])
    def test_an_unsafe_name_stores_nothing(
        self, registry: Registry, model_dir: Path, store: MemoryStore, name: str
    ) -> None:
        with pytest.raises(InvalidName, match="model name"):
            registry.push([model_dir], name)
        assert stored_keys(store) == []

    def test_bad_input_is_refused_before_anything_is_stored(
        self,
        registry: Registry,
        model_dir: Path,
        tmp_path: Path,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
    ) -> None:
        (tmp_path / "empty").mkdir()
        clash = tmp_path / "clash"
        clash.mkdir()
        (clash / "manifest.json").write_text("{}")
        attempts: list[tuple[dict[str, Any], str]] = [
            ({"paths": [tmp_path / "missing.bin"]}, "no file or folder at"),
            ({"paths": [tmp_path / "empty"]}, "nothing to push"),
            ({"paths": [clash]}, "may not be called 'manifest.json'"),
            ({"metrics": {"auc": float("nan")}}, "finite number"),
            ({"metrics": {"auc": "high"}}, "finite number"),
            ({"metadata": {"when": object()}}, "plain JSON"),
            ({"flavor": "onnx"}, "unknown flavor"),
            ({"model_file": "nope.pt"}, "not among the files"),
            ({"paths": [model_dir, model_dir]}, "two files would be stored"),
        ]
        for changes, message in attempts:
            kwargs: dict[str, Any] = {"paths": [model_dir], **changes}
            paths = kwargs.pop("paths")
            with pytest.raises(InvalidModelFiles, match=message):
                registry.push(paths, "m", **kwargs)
        assert stored_keys(store) == []
        with uow_factory() as uow:
            assert uow.models.versions("", "m", any_state=True) == ()

    def test_a_failed_push_removes_its_objects_and_is_marked_failed(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: FakeClock,
        model_dir: Path,
        tmp_path: Path,
    ) -> None:
        store = FailingStore(fail_at=2)  # the first file goes in, the second fails
        cache = CachedStore(store, tmp_path / "failing-cache", 10**8)
        registry = Registry(store, cache, uow_factory, secret=SECRET, actor="t", clock=clock)
        with pytest.raises(StoreUnavailable, match="disk full"):
            registry.push([model_dir], "m", version="1.0")
        assert stored_keys(store) == []
        with pytest.raises(ModelNotFound, match="no model named 'm'"):
            registry.latest("m")
        [failed] = registry.versions("m", all_states=True)
        assert failed.state is ModelState.FAILED
        assert "disk full" in (failed.error or "")
        with uow_factory() as uow:
            assert uow.objects.count(prefix="models") == 0

        store.fail_at = 100  # the store is back: the same version can be pushed again
        again = registry.push([model_dir], "m", version="1.0")
        assert again.state is ModelState.READY
        assert (
            registry.pull("m", "1.0").files["weights.bin"].read_bytes()
            == (model_dir / "weights.bin").read_bytes()
        )

    def test_leftovers_of_a_failed_push_do_not_block_its_retry(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: FakeClock,
        model_dir: Path,
        tmp_path: Path,
    ) -> None:
        store = FailingStore(fail_at=2, deletes_fail=True)
        cache = CachedStore(store, tmp_path / "failing-cache", 10**8)
        registry = Registry(store, cache, uow_factory, secret=SECRET, actor="t", clock=clock)
        with pytest.raises(StoreUnavailable):
            registry.push([model_dir], "m", version="1.0")
        assert stored_keys(store) == ["models/m/1.0/notes/readme.txt"]  # cleanup failed too
        store.fail_at, store.deletes_fail = 100, False
        registry.push([model_dir], "m", version="1.0")
        assert registry.verify("m").ok

    def test_a_pending_version_blocks_its_name_until_removed(
        self,
        registry: Registry,
        model_dir: Path,
        uow_factory: Callable[[], UnitOfWork],
        clock: FakeClock,
    ) -> None:
        with uow_factory() as uow:
            uow.models.claim(
                namespace="",
                name="m",
                version="1.0",
                flavor="raw",
                created_at=clock(),
                created_by="someone",
                metrics={},
                params={},
                tags={},
                lineage={},
                input_schema=[],
            )
            uow.commit()
        with pytest.raises(VersionExists, match="being pushed by someone") as caught:
            registry.push([model_dir], "m", version="1.0")
        assert "entrepot models rm m@1.0" in caught.value.hint
        registry.delete("m", "1.0")
        assert registry.push([model_dir], "m", version="1.0").state is ModelState.READY


CRASHING_PUSH = textwrap.dedent(
    """
    import os, sys
    from entrepot.catalog.engine import make_engine
    from entrepot.catalog.uow import unit_of_work_factory
    from entrepot.registry import Registry
    from entrepot.storage.cache import CachedStore
    from entrepot.storage.local import LocalStore

    class CrashingStore(LocalStore):
        def put(self, key, data, **kwargs):
            if key.endswith("manifest.json"):
                os._exit(9)  # the process dies between the files and the manifest
            return super().put(key, data, **kwargs)

    root, db, model = sys.argv[1:]
    store = CrashingStore(root)
    uow = unit_of_work_factory(make_engine("sqlite:///" + db))
    cache = CachedStore(store, root + "-cache", 10**8)
    Registry(store, cache, uow, secret="x" * 32, actor="crash").push([model], "m")
    """
)


def test_a_crash_mid_push_leaves_no_ready_row_and_gc_removes_the_leftovers(
    tmp_path: Path, engine: Engine, model_dir: Path
) -> None:
    from entrepot.catalog.uow import unit_of_work_factory
    from entrepot.storage.local import LocalStore

    root, db = tmp_path / "store", tmp_path / "catalog.db"
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_PUSH, str(root), str(db), str(model_dir)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert crashed.returncode == 9, crashed.stderr
    store = LocalStore(root)
    uow_factory = unit_of_work_factory(engine)
    registry = Registry(
        store, CachedStore(store, tmp_path / "cache", 10**8), uow_factory, secret=SECRET, actor="t"
    )
    assert registry.list() == ()
    [pending] = registry.versions("m", all_states=True)
    assert pending.state is ModelState.PENDING
    left = sorted(i.key for i in store.list("models"))
    assert left == [
        f"models/m/{pending.version}/notes/readme.txt",
        f"models/m/{pending.version}/weights.bin",
    ]
    kept = collect_garbage(
        store, uow_factory, prefixes=["models"], grace=timedelta(hours=1), dry_run=False
    )
    assert kept.deleted == 0
    assert sorted(i.key for i in store.list("models")) == left
    later = collect_garbage(
        store,
        uow_factory,
        prefixes=["models"],
        grace=timedelta(hours=1),
        dry_run=False,
        now=pending.created_at + timedelta(hours=2),
    )
    assert later.deleted == 2
    assert list(store.list("models")) == []


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    (folder / "notes").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(b"weights" * 10)
    (folder / "notes" / "readme.txt").write_text(json.dumps({"about": "a model"}))
    return folder
