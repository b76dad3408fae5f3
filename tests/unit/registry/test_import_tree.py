"""``models import-tree``: the seeds' ``automl_models/`` folders into the registry as
reference models, with checksums, pickles from outside refused or stored unsigned."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from entrepot.registry import Registry
from entrepot.registry.errors import InvalidModelFiles, RegistryError, UnsafeModelFormat
from entrepot.registry.import_tree import import_tree, read_model
from tests.support.catalog import sqlite_engine
from tests.support.registry import RegistryFixtures, seed_folder


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def booster_folder(folder: Path) -> tuple[Path, np.ndarray]:
    """A folder holding a native LightGBM model (a safe format) and its performance."""
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] > 0).astype(int)
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 4},
        lightgbm.Dataset(x, y),
        num_boost_round=3,
    )
    folder.mkdir(parents=True)
    booster.save_model(str(folder / "best_model.txt"))
    (folder / "performance.json").write_text(json.dumps({"test": {"auprc": 0.9}}))
    (folder / "metadata.json").write_text(
        json.dumps({"input_schema": [{"name": "a", "dtype": "float64"}, {"name": "b"}]})
    )
    return folder, x[:4]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TestImportTree(RegistryFixtures):
    @pytest.fixture
    def tree(self, tmp_path: Path) -> Path:
        root = tmp_path / "automl_models"
        seed_folder(root / "dataset1")
        booster_folder(root / "dataset2")
        (root / "notes.txt").parent.mkdir(exist_ok=True)
        (root / "notes.txt").write_text("files at the top are not models")
        return root

    def test_pickles_from_outside_are_refused_by_default(
        self, registry: Registry, tree: Path
    ) -> None:
        results = {r.name: r for r in import_tree(registry, tree)}
        assert results["dataset1"].status == "refused"
        assert "feature_engineer.joblib, xgboost_model.joblib" in results["dataset1"].detail
        assert "--untrusted" in results["dataset1"].detail
        assert results["dataset2"].status == "imported"
        assert [r.name for r in registry.references(active=None)] == ["dataset2"]

    def test_a_pickle_under_another_name_is_refused_too(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        """Judged by content (ADR 0062): joblib's compressed pickle named ``model.bin``."""
        import joblib

        folder = tmp_path / "tree" / "renamed"
        folder.mkdir(parents=True)
        joblib.dump({"weights": [1, 2]}, folder / "model.bin", compress=3)
        (folder / "metadata.json").write_text(json.dumps({"model_file": "model.bin"}))
        (result,) = import_tree(registry, tmp_path / "tree")
        assert result.status == "refused" and "model.bin" in result.detail
        (kept,) = import_tree(registry, tmp_path / "tree", untrusted=True)
        assert kept.status == "imported" and not kept.signed
        with pytest.raises(UnsafeModelFormat):
            registry.load("renamed")

    def test_untrusted_pickles_are_kept_with_checksums_and_never_load(
        self, registry: Registry, tree: Path
    ) -> None:
        results = {r.name: r for r in import_tree(registry, tree, untrusted=True)}
        assert results["dataset1"].status == "imported" and not results["dataset1"].signed
        details = registry.show("dataset1")
        assert details.manifest.model_file == "xgboost_model.joblib"
        assert {f.path: f.sha256 for f in details.files} == {
            name: sha256(tree / "dataset1" / name)
            for name in (
                "feature_engineer.joblib",
                "metadata.json",
                "performance.json",
                "xgboost_model.joblib",
            )
        }
        with pytest.raises(UnsafeModelFormat, match="without a signature"):
            registry.load("dataset1")
        (reference,) = registry.references(domain="ecommerce", active=None)
        assert not reference.active
        assert reference.input_schema == (("amount", "unknown"), ("merchant", "unknown"))
        assert reference.metrics == {
            "validation_auprc": 0.81,
            "validation_roc_auc": 0.93,
            "test_auprc": 0.79,
            "threshold_value": 0.42,
            "data_labelled_rows": 20000.0,
        }

    def test_safe_formats_are_signed_load_and_may_be_activated(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        root = tmp_path / "automl_models"
        _, rows = booster_folder(root / "fraud-shop")
        (result,) = import_tree(registry, root, domain="retail", activate=True)
        assert result.status == "imported" and result.signed
        model = registry.load("fraud-shop")
        assert model.predict(rows).shape == (4,)
        (reference,) = registry.references()
        assert reference.active and reference.domain == "retail"
        assert reference.input_schema == (("a", "float64"), ("b", "unknown"))
        assert reference.model_version == result.version

    def test_pickles_are_never_activated(self, registry: Registry, tree: Path) -> None:
        import_tree(registry, tree, untrusted=True, activate=True)
        active = {r.name: r.active for r in registry.references(active=None)}
        assert active == {"dataset1": False, "dataset2": True}

    def test_a_second_run_skips_what_is_there(self, registry: Registry, tree: Path) -> None:
        import_tree(registry, tree, untrusted=True)
        again = import_tree(registry, tree, untrusted=True)
        assert {r.status for r in again} == {"skipped"}
        assert "dataset1@" in again[0].detail

    def test_a_dry_run_stores_nothing(self, registry: Registry, tree: Path) -> None:
        results = import_tree(registry, tree, untrusted=True, dry_run=True)
        assert [r.status for r in results] == ["would import", "would import"]
        assert registry.references(active=None) == () and registry.list() == ()

    def test_bad_folders_are_refused_and_the_others_imported(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        root = tmp_path / "automl_models"
        booster_folder(root / "good")
        booster_folder(root / "bad name")
        (root / "empty").mkdir()
        (root / "no-model").mkdir()
        (root / "no-model" / "performance.json").write_text("{}")
        (root / "broken-json").mkdir()
        (root / "broken-json" / "best_model.txt").write_text("tree\nversion=v4\n")
        (root / "broken-json" / "performance.json").write_text("{oops")
        results = {r.name: r for r in import_tree(registry, root)}
        assert results["good"].status == "imported"
        assert results["bad name"].status == "refused" and "safe name" in results["bad name"].detail
        assert "nothing to push" in results["empty"].detail
        assert "no model file" in results["no-model"].detail
        assert "cannot read" in results["broken-json"].detail

    def test_not_a_folder(self, registry: Registry, tmp_path: Path) -> None:
        with pytest.raises(InvalidModelFiles, match="not a folder"):
            import_tree(registry, tmp_path / "missing")


class TestReadModel:
    def test_the_model_file_is_the_one_named_model(self, tmp_path: Path) -> None:
        model = read_model(seed_folder(tmp_path / "dataset9"), domain="x")
        assert model.model_file == "xgboost_model.joblib"
        assert model.pickles == ("feature_engineer.joblib", "xgboost_model.joblib")
        assert model.domain == "ecommerce"

    def test_two_candidates_need_metadata(self, tmp_path: Path) -> None:
        folder = tmp_path / "twins"
        folder.mkdir()
        (folder / "a_model.skops").write_bytes(b"1")
        (folder / "b_model.skops").write_bytes(b"2")
        with pytest.raises(InvalidModelFiles, match="cannot tell") as caught:
            read_model(folder, domain="x")
        assert "model_file" in str(caught.value)
        (folder / "metadata.json").write_text('{"model_file": "b_model.skops"}')
        assert read_model(folder, domain="x").model_file == "b_model.skops"

    @pytest.mark.parametrize(
        ("metadata", "problem"),
        [
            ('{"model_file": "missing.skops"}', "not in the folder"),
            ('{"domain": 3}', "domain must be text"),
            ('{"domain": "../x"}', "not a safe name"),
            ('{"columns": [1, 2]}', "input columns"),
            ("[]", "JSON object"),
        ],
    )
    def test_bad_metadata_says_what_is_wrong(
        self, tmp_path: Path, metadata: str, problem: str
    ) -> None:
        folder = tmp_path / "m"
        folder.mkdir()
        (folder / "model.skops").write_bytes(b"1")
        (folder / "metadata.json").write_text(metadata)
        with pytest.raises(RegistryError, match=problem):
            read_model(folder, domain="x")
