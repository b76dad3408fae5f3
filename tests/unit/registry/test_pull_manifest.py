"""Pull reads the manifest beside the files: what it reports when the manifest, or the
manifest and a file, fail, and that nothing is placed before both are verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.registry import Registry
from entrepot.registry.errors import VerificationFailed
from entrepot.storage.memory import MemoryStore
from tests.support.registry import RegistryFixtures
from tests.support.suites.registry_reads import engine, swap  # noqa: F401 - the fixture


def _forge_manifest(store: MemoryStore, version: str) -> None:
    key = f"models/m/{version}/manifest.json"
    swap(store, key, store.get(key).replace(b'"created_by": "tester"', b'"created_by": "eve"'))


class TestManifestBesideTheFiles(RegistryFixtures):
    @pytest.mark.parametrize("into_folder", [True, False], ids=["folder", "cache"])
    def test_a_forged_manifest_with_intact_files_is_refused(
        self,
        registry: Registry,
        model_dir: Path,
        store: MemoryStore,
        tmp_path: Path,
        into_folder: bool,
    ) -> None:
        record = registry.push([model_dir], "m")
        _forge_manifest(store, record.version)
        dest = tmp_path / "out" if into_folder else None
        with pytest.raises(VerificationFailed, match="the manifest of m@"):
            registry.pull("m", record.version, dest)
        assert not (tmp_path / "out").exists()  # the files were verified, and not placed

    def test_when_the_manifest_and_a_file_both_fail_the_manifest_is_named(
        self, registry: Registry, model_dir: Path, store: MemoryStore, tmp_path: Path
    ) -> None:
        record = registry.push([model_dir], "m")
        _forge_manifest(store, record.version)
        weights = f"models/m/{record.version}/weights.bin"
        store.corrupt(weights, b"\x00" * len(store.get(weights)))
        with pytest.raises(VerificationFailed, match="the manifest of m@") as caught:
            registry.pull("m", record.version, tmp_path / "out")
        assert "weights.bin" in str(caught.value.__context__)  # the file's failure, chained
        assert not (tmp_path / "out").exists()

    def test_a_pull_from_the_cache_returns_the_verified_manifest(
        self, registry: Registry, model_dir: Path
    ) -> None:
        record = registry.push([model_dir], "m")
        pulled = registry.pull("m", record.version)
        assert pulled.manifest.version == record.version
        assert pulled.files["manifest.json"].read_bytes().startswith(b"{")
