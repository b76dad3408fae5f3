"""Pull, verification against the catalog, aliases, deletes, user namespaces, references.

``tests/integration`` runs these classes again on PostgreSQL.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from entrepot.catalog.models.tables import ModelVersionRow
from entrepot.catalog.uow import UnitOfWork
from entrepot.errors import (
    ConfigError,
    IntegrityError,
    RecordNotFound,
    StorageError,
    StoreUnavailable,
)
from entrepot.registry import Registry
from entrepot.registry.errors import (
    InvalidName,
    InvalidNote,
    ModelNotFound,
    ReferenceNotFound,
    VerificationFailed,
    VersionExists,
    VersionInUse,
)
from entrepot.services.gc import collect_garbage
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.registry import SECRET, RegistryFixtures


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def swap(store: MemoryStore, key: str, data: bytes) -> None:
    """Replace an object through the store itself (valid metadata, new sha256)."""
    store.delete(key)
    store.put(key, data)


class TestPull(RegistryFixtures):
    def test_pull_into_a_folder_places_verified_read_only_files(
        self, registry: Registry, model_dir: Path, tmp_path: Path
    ) -> None:
        record = registry.push([model_dir], "m")
        dest = tmp_path / "out"
        pulled = registry.pull("m", record.version, dest)
        assert pulled.folder == dest
        assert sorted(pulled.files) == ["manifest.json", "notes/readme.txt", "weights.bin"]
        assert (dest / "weights.bin").read_bytes() == (model_dir / "weights.bin").read_bytes()
        assert (dest / "notes" / "readme.txt").read_text() == "a raw model\n"
        assert pulled.manifest.version == record.version
        mode = os.stat(dest / "weights.bin").st_mode
        assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert not [p for p in dest.iterdir() if p.name.startswith(".")]  # no staging left

    def test_a_pull_never_trusts_what_the_folder_already_holds(
        self, registry: Registry, model_dir: Path, tmp_path: Path, cache: CachedStore
    ) -> None:
        registry.push([model_dir], "m")
        dest = tmp_path / "out"
        registry.pull("m", dest=dest)
        target = dest / "weights.bin"
        target.unlink()  # a user who replaces a pulled file (it is read-only)
        target.write_bytes(b"edited")
        registry.pull("m", dest=dest)
        assert target.read_bytes() == (model_dir / "weights.bin").read_bytes()
        assert cache.verify() == 0  # the shared cache entry was never written through

    def test_pull_without_a_folder_returns_the_verified_cache_entries(
        self, registry: Registry, model_dir: Path, store: MemoryStore
    ) -> None:
        registry.push([model_dir], "m")
        pulled = registry.pull("m")
        assert pulled.folder is None
        assert pulled.files["weights.bin"].read_bytes() == (model_dir / "weights.bin").read_bytes()
        progress: list[tuple[int, int]] = []
        registry.pull("m@latest", on_progress=lambda done, total: progress.append((done, total)))
        assert (
            progress[-1][0]
            == progress[-1][1]
            == sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
        )

    def test_a_corrupted_file_is_refused_naming_the_file_and_the_version(
        self, registry: Registry, model_dir: Path, store: MemoryStore, tmp_path: Path
    ) -> None:
        record = registry.push([model_dir], "m")
        key = f"models/m/{record.version}/weights.bin"
        store.corrupt(key, b"\x00\x01weightz" + store.get(key)[10:])
        dest = tmp_path / "out"
        with pytest.raises(VerificationFailed) as caught:
            registry.pull("m", record.version, dest)
        message = str(caught.value)
        assert "'weights.bin'" in message and f"m@{record.version}" in message
        assert isinstance(caught.value, IntegrityError)
        assert not dest.exists()  # nothing placed, not even the folder

    def test_an_object_swapped_behind_the_catalog_is_refused(
        self, registry: Registry, model_dir: Path, store: MemoryStore
    ) -> None:
        record = registry.push([model_dir], "m")
        swap(store, f"models/m/{record.version}/weights.bin", b"other weights, valid metadata")
        with pytest.raises(VerificationFailed, match=r"'weights\.bin' of m@"):
            registry.pull("m")

    def test_a_swapped_manifest_is_refused(
        self, registry: Registry, model_dir: Path, store: MemoryStore
    ) -> None:
        record = registry.push([model_dir], "m")
        key = f"models/m/{record.version}/manifest.json"
        forged = store.get(key).replace(b'"created_by": "tester"', b'"created_by": "mallory"')
        assert forged != store.get(key)
        swap(store, key, forged)
        with pytest.raises(VerificationFailed, match="the manifest of m@"):
            registry.pull("m")

    def test_unknown_models_versions_and_aliases_are_named(
        self, registry: Registry, model_dir: Path
    ) -> None:
        with pytest.raises(ModelNotFound, match="no model named 'ghost'"):
            registry.pull("ghost")
        record = registry.push([model_dir], "m")
        with pytest.raises(
            ModelNotFound, match=r"no version or alias 'v0'.*latest " + record.version
        ):
            registry.pull("m", "v0")
        with pytest.raises(ModelNotFound, match="no version or alias 'production'"):
            registry.load("m@production")
        with pytest.raises(InvalidName):
            registry.pull("m@../../etc")


class TestAliases(RegistryFixtures):
    def test_an_alias_moves_atomically_and_resolves(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        first, second = tmp_path / "1.bin", tmp_path / "2.bin"
        first.write_bytes(b"one")
        second.write_bytes(b"two")
        v1 = registry.push([first], "m", version="1")
        v2 = registry.push([second], "m", version="2")
        assert registry.alias("m", "production", v1.version).version == "1"
        assert registry.pull("m", "production").files["1.bin"].read_bytes() == b"one"
        registry.alias("m", "production", v2.version)
        assert registry.pull("m@production").version.version == "2"
        assert [(a.alias, a.version) for a in registry.aliases("m")] == [("production", "2")]
        assert registry.show("m", "2").aliases == ("production",)

    def test_alias_and_version_names_never_clash(self, registry: Registry, model_dir: Path) -> None:
        registry.push([model_dir], "m", version="1.0")
        registry.alias("m", "staging", "1.0")
        with pytest.raises(VersionExists, match="is a version"):
            registry.alias("m", "1.0", "1.0")
        with pytest.raises(VersionExists, match="is an alias"):
            registry.push([model_dir], "m", version="staging")
        for bad in ("latest", "v20250101_000000", "a/b"):
            with pytest.raises(InvalidName):
                registry.alias("m", bad, "1.0")
        with pytest.raises(ModelNotFound, match=r"no version or alias '9\.9'"):
            registry.alias("m", "production", "9.9")
        with pytest.raises(ModelNotFound, match="indirectly"):
            registry.alias("m", "production", "staging")

    def test_remove_alias(self, registry: Registry, model_dir: Path) -> None:
        registry.push([model_dir], "m", version="1.0")
        registry.alias("m", "staging", "1.0")
        registry.remove_alias("m", "staging")
        with pytest.raises(ModelNotFound, match="no version or alias 'staging'"):
            registry.pull("m@staging")
        with pytest.raises(ModelNotFound, match="no alias 'staging'"):
            registry.remove_alias("m", "staging")


class TestNotesAndFiles(RegistryFixtures):
    def test_a_note_is_written_replaced_and_removed(
        self, registry: Registry, model_dir: Path, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        v1 = registry.push([model_dir], "m", version="1")
        v2 = registry.push([model_dir], "m", version="2")
        assert registry.notes() == {}
        written = registry.note("m", "1", "  first cut\n")
        assert (written.version_id, written.note, written.updated_by) == (
            v1.id,
            "first cut",
            "tester",
        )
        registry.note("m", "1", "promoted")
        registry.alias("m", "production", "2")
        registry.note("m", "production", "the alias's version")  # NAME@ALIAS names a version
        found = registry.notes()
        assert {i: n.note for i, n in found.items()} == {
            v1.id: "promoted",
            v2.id: "the alias's version",
        }
        assert registry.for_owner("7").notes() == {}  # another namespace sees none
        registry.note("m", "1", "   ")
        assert set(registry.notes()) == {v2.id}
        with pytest.raises(InvalidNote, match="at most 2000 characters, this one 2001"):
            registry.note("m", "2", "x" * 2001)
        with pytest.raises(ModelNotFound):
            registry.note("m", "9", "nothing there")
        registry.delete("m", "2")  # the note goes with its version
        assert registry.notes() == {}

    def test_one_file_is_served_verified(
        self, registry: Registry, store: MemoryStore, model_dir: Path
    ) -> None:
        registry.push([model_dir], "m", version="1")
        path = registry.file("m", "1", "notes/readme.txt")
        assert path.read_bytes() == (model_dir / "notes" / "readme.txt").read_bytes()
        with pytest.raises(ModelNotFound, match=r"no file '\.\./weights\.bin'"):
            registry.file("m", "1", "../weights.bin")
        (entry,) = [f for f in registry.show("m", "1").files if f.path == "weights.bin"]
        swap(store, entry.key, b"\x00\x01weightz" * 100)  # not yet in the cache: read now
        with pytest.raises(VerificationFailed, match="does not match the sha256"):
            registry.file("m", "1", "weights.bin")

    def test_the_listing_reads_each_version_with_its_note_and_the_aliases(
        self, registry: Registry, model_dir: Path
    ) -> None:
        v1 = registry.push([model_dir], "m", version="1")
        v2 = registry.push([model_dir], "m", version="2")
        other = registry.push([model_dir], "n", version="1")
        bare = registry.listing()  # no note, no alias yet
        assert [v.id for v in bare.versions] == [other.id, v2.id, v1.id]
        assert (bare.aliases, bare.notes) == ((), {})
        registry.note("m", "1", "first cut")
        registry.alias("m", "production", "2")
        registry.alias("n", "staging", "1")
        listed = registry.listing()
        assert [v.id for v in listed.versions] == [other.id, v2.id, v1.id]
        assert listed.versions == bare.versions  # the same records, notes beside them
        assert {i: (n.note, n.updated_by) for i, n in listed.notes.items()} == {
            v1.id: ("first cut", "tester")
        }
        assert [(a.name, a.alias, a.version) for a in listed.aliases] == [
            ("m", "production", "2"),
            ("n", "staging", "1"),
        ]
        elsewhere = registry.for_owner("7").listing()  # another namespace sees none of it
        assert (elsewhere.versions, elsewhere.aliases, elsewhere.notes) == ((), (), {})

    def test_every_alias_of_a_namespace_in_one_read(
        self, registry: Registry, model_dir: Path
    ) -> None:
        registry.push([model_dir], "a", version="1")
        registry.push([model_dir], "b", version="1")
        registry.push([model_dir], "b", version="2")
        registry.alias("b", "staging", "1")
        registry.alias("a", "production", "1")
        registry.alias("b", "production", "2")
        found = [(x.name, x.alias, x.version) for x in registry.all_aliases()]
        assert found == [("a", "production", "1"), ("b", "production", "2"), ("b", "staging", "1")]
        assert registry.for_owner("7").all_aliases() == ()


class TestDelete(RegistryFixtures):
    def test_deleting_v1_never_touches_v10(
        self,
        registry: Registry,
        tmp_path: Path,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
    ) -> None:
        for version in ("v1", "v10"):
            src = tmp_path / version / "w.bin"
            src.parent.mkdir()
            src.write_bytes(version.encode())
            registry.push([src], "m", version=version)
        registry.alias("m", "production", "v1")
        deleted = registry.delete("m@v1")
        assert deleted.version == "v1"
        assert sorted(i.key for i in store.list()) == [
            "models/m/v10/manifest.json",
            "models/m/v10/w.bin",
        ]
        assert registry.pull("m", "v10").files["w.bin"].read_bytes() == b"v10"
        assert registry.aliases("m") == ()
        assert [v.version for v in registry.versions("m")] == ["v10"]
        with uow_factory() as uow:
            assert uow.objects.count(prefix="models/m/v1") == 0
            assert uow.objects.count(prefix="models/m/v10") == 2
        assert registry.verify().ok
        gc = collect_garbage(
            store, uow_factory, prefixes=["models"], grace=timedelta(0), dry_run=True
        )
        assert gc.candidates == ()

    def test_delete_takes_a_version_never_an_alias(
        self, registry: Registry, model_dir: Path
    ) -> None:
        registry.push([model_dir], "m", version="1.0")
        registry.alias("m", "production", "1.0")
        with pytest.raises(InvalidName, match="is an alias"):
            registry.delete("m", "production")
        with pytest.raises(InvalidName, match="name the version"):
            registry.delete("m")
        with pytest.raises(ModelNotFound):
            registry.delete("m", "2.0")
        assert registry.latest("m").version == "1.0"


class TestVerify(RegistryFixtures):
    def test_verify_finds_flipped_missing_and_swapped_files(
        self, registry: Registry, tmp_path: Path, store: MemoryStore
    ) -> None:
        for version in ("1", "2", "3", "4"):
            src = tmp_path / version / "w.bin"
            src.parent.mkdir()
            src.write_bytes(b"weights " * 50)
            registry.push([src], "m", version=version)
        assert registry.verify().ok
        registry.pull("m", "1")  # cached: verify must still read the store
        data = store.get("models/m/1/w.bin")
        store.corrupt("models/m/1/w.bin", data[:-1] + bytes([data[-1] ^ 1]))
        store.delete("models/m/2/w.bin")
        swap(store, "models/m/3/w.bin", b"same size? no")
        report = registry.verify("m")
        problems = {(p.version, p.path): p.problem for p in report.problems}
        assert set(problems) == {("1", "w.bin"), ("2", "w.bin"), ("3", "w.bin")}
        assert "content hashes to" in problems[("1", "w.bin")]
        assert problems[("2", "w.bin")] == "missing from the store"
        assert not report.ok and report.versions == 4 and report.files == 8
        quick = registry.verify("m", deep=False)  # recorded sha256 and size only
        assert {(p.version, p.path) for p in quick.problems} == {("2", "w.bin"), ("3", "w.bin")}

    def test_verify_reports_a_foreign_signature(
        self, registry: Registry, model_dir: Path, engine: Engine
    ) -> None:
        registry.push([model_dir], "m")
        with engine.begin() as connection:
            connection.execute(update(ModelVersionRow).values(signature="0" * 64))
        [problem] = registry.verify().problems
        assert problem.path == "manifest.json" and "signature" in problem.problem


class TestWiring(RegistryFixtures):
    def test_the_store_and_the_cache_are_two_things(
        self, cache: CachedStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with pytest.raises(ConfigError, match="not the cache twice"):
            Registry(cache, cache, uow_factory, secret=SECRET, actor="t")
        with pytest.raises(ConfigError, match="at least 16 characters"):
            Registry(cache.remote, cache, uow_factory, secret="short", actor="t")


class TestOwners(RegistryFixtures):
    def test_a_users_models_live_under_their_folder_and_nowhere_else(
        self,
        registry: Registry,
        model_dir: Path,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
    ) -> None:
        one, ten = registry.for_owner("1"), registry.for_owner("10", actor="user10")
        record = one.push([model_dir], "m")
        assert {i.key.split("/models/")[0] for i in store.list()} == {"users/1"}
        assert (
            one.pull("m").files["weights.bin"].read_bytes()
            == (model_dir / "weights.bin").read_bytes()
        )
        for other in (ten, registry):
            with pytest.raises(ModelNotFound):
                other.pull("m")
            assert other.list() == ()
        with uow_factory() as uow:
            owners = {o.owner for o in uow.objects.list(prefix="users/1")}
        assert owners == {"1"}
        assert one.owner == "1" and record.namespace == "1"
        assert one.verify().ok
        one.delete("m", record.version)
        assert list(store.list()) == []

    @pytest.mark.parametrize("owner", ["..", "a/b", "", "1/../2"])
    def test_an_unsafe_owner_is_refused(self, registry: Registry, owner: str) -> None:
        with pytest.raises(InvalidName, match="owner id"):
            registry.for_owner(owner)

    def test_presign_needs_a_signing_store(self, registry: Registry, model_dir: Path) -> None:
        registry.push([model_dir], "m")
        with pytest.raises(StorageError, match="cannot presign"):
            registry.presign("m", file="weights.bin")
        with pytest.raises(ModelNotFound, match="several files and no model file"):
            registry.presign("m")
        with pytest.raises(ModelNotFound, match="no file 'nope'"):
            registry.presign("m", file="nope")


class TestReferences(RegistryFixtures):
    def test_references_record_use_and_protect_their_version(
        self, registry: Registry, model_dir: Path
    ) -> None:
        record = registry.push(
            [model_dir], "bank", metrics={"auprc": 0.8}, input_schema=[("amount", "float64")]
        )
        ref = registry.add_reference("bank-2024", model="bank", domain="banking")
        assert (ref.model_name, ref.model_version, ref.domain) == (
            "bank",
            record.version,
            "banking",
        )
        assert ref.input_schema == (("amount", "float64"),)
        assert ref.metrics == {"auprc": 0.8}
        assert (ref.usage_count, ref.mean_match_score, ref.active) == (0, None, True)
        registry.record_reference_use("bank-2024", 0.5)
        registry.record_reference_use("bank-2024", 1.0)
        [used] = registry.references()
        assert used.usage_count == 2
        assert used.mean_match_score == pytest.approx(0.75)
        assert used.last_used_at is not None
        registry.set_reference_active("bank-2024", False)
        assert registry.references(active=True) == ()
        assert len(registry.references(domain="banking")) == 1
        with pytest.raises(VersionInUse, match="bank-2024"):
            registry.delete("bank", record.version)
        with pytest.raises(ValueError, match="between 0 and 1"):
            registry.record_reference_use("bank-2024", 1.5)
        with pytest.raises(ReferenceNotFound):
            registry.record_reference_use("nope", 0.5)
        registry.remove_reference("bank-2024")
        assert registry.references() == ()
        registry.delete("bank", record.version)
        with pytest.raises(RecordNotFound):
            registry.add_reference("again", model="bank", domain="banking")


class TestDeleteFailures(RegistryFixtures):
    def test_objects_that_cannot_be_removed_are_left_for_gc(
        self,
        tmp_path: Path,
        uow_factory: Callable[[], UnitOfWork],
        model_dir: Path,
    ) -> None:
        store = UndeletableStore("undeletable")
        registry = Registry(
            store, CachedStore(store, tmp_path / "c", 10**7), uow_factory, secret=SECRET, actor="t"
        )
        record = registry.push([model_dir], "m")
        store.broken = True
        with pytest.raises(StorageError, match="deleted from the catalog") as caught:
            registry.delete("m", record.version)
        assert "entrepot gc" in caught.value.hint
        assert registry.list() == ()
        store.broken = False
        report = collect_garbage(
            store, uow_factory, prefixes=["models"], grace=timedelta(0), dry_run=False
        )
        assert report.deleted == 3
        assert list(store.list()) == []


class UndeletableStore(MemoryStore):
    broken = False

    def delete_many(self, keys: Iterable[str]) -> int:
        if self.broken:
            raise StoreUnavailable("the store is unreachable", store=self.url)
        return super().delete_many(keys)
