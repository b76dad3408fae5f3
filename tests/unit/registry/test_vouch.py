"""The operator vouches for pickles (ADR 0091): ``import-tree`` with ``trust`` and
``resign`` sign them, record who vouched in the manifest and in the audit log (in the
transaction that makes the version ready), and the models then load."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import UnitOfWork
from entrepot.registry import Registry
from entrepot.registry.errors import UnsafeModelFormat, VersionExists
from entrepot.registry.import_tree import import_tree
from entrepot.registry.vouch import Vouch, resign
from tests.support.catalog import sqlite_engine
from tests.support.registry import RegistryFixtures, seed_folder, sklearn_model

WHEN = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def _audit(uow_factory: Callable[[], UnitOfWork]) -> list[tuple[str, str, dict[str, object]]]:
    with uow_factory() as uow:
        page = uow.audit.list()
    return [(e.action, e.target, dict(e.details)) for e in reversed(page.items)]


class TestVouch(RegistryFixtures):
    def test_import_tree_with_trust_signs_records_and_loads(
        self, registry: Registry, uow_factory: Callable[[], UnitOfWork], tmp_path: Path
    ) -> None:
        root = tmp_path / "automl_models"
        seed_folder(root / "dataset1")
        vouch = Vouch(by="alice", at=WHEN)
        (result,) = import_tree(registry, root, trust=vouch, activate=True)
        assert result.status == "imported" and result.signed
        assert "trusted by the operator" in result.detail
        model = registry.load("dataset1")
        assert model.predict(np.zeros((2, 3))).shape == (2,)
        manifest = registry.show("dataset1").manifest
        assert manifest.metadata["vouched"] == {
            "statement": "trusted by operator",
            "by": "alice",
            "at": WHEN.isoformat(),
            "from": str((root / "dataset1").resolve()),
        }
        assert manifest.tags["trust"] == "operator"
        (reference,) = registry.references()
        assert reference.active
        assert _audit(uow_factory) == [
            (
                "model.vouch",
                f"dataset1@{result.version}",
                {"by": "alice", "from": str((root / "dataset1").resolve())},
            )
        ]

    def test_a_folder_without_pickles_needs_no_vouch(
        self, registry: Registry, uow_factory: Callable[[], UnitOfWork], tmp_path: Path
    ) -> None:
        folder = tmp_path / "tree" / "plain"
        folder.mkdir(parents=True)
        (folder / "model.skops").write_bytes(b"not read here")
        (result,) = import_tree(registry, tmp_path / "tree", trust=Vouch("alice", WHEN))
        assert result.status == "imported" and "trusted" not in result.detail
        assert "vouched" not in registry.show("plain").manifest.metadata
        assert _audit(uow_factory) == []

    def test_resign_makes_an_unsigned_version_a_signed_one_and_moves_what_pointed_at_it(
        self, registry: Registry, uow_factory: Callable[[], UnitOfWork], tmp_path: Path
    ) -> None:
        root = tmp_path / "automl_models"
        seed_folder(root / "dataset1")
        (kept,) = import_tree(registry, root, untrusted=True)
        registry.alias("dataset1", "production", str(kept.version))
        with pytest.raises(UnsafeModelFormat):
            registry.load("dataset1@production")

        done = resign(registry, f"dataset1@{kept.version}", Vouch("bob", WHEN))
        assert done.version.version == f"{kept.version}.trusted"
        assert done.version.signature is not None
        assert (done.references, done.aliases) == (("dataset1",), ("production",))
        assert registry.load("dataset1@production").predict(np.zeros((1, 3))).shape == (1,)
        (reference,) = registry.references(active=None)
        assert reference.model_version == done.version.version
        old, new = registry.show("dataset1", kept.version), registry.show("dataset1")
        assert {f.path: f.sha256 for f in new.files} == {f.path: f.sha256 for f in old.files}
        assert new.manifest.metadata["vouched"]["from"] == f"dataset1@{kept.version}"
        assert new.manifest.metadata["vouched"]["by"] == "bob"
        assert new.manifest.lineage["vouched_from"] == f"dataset1@{kept.version}"
        assert new.manifest.metadata["imported"] == old.manifest.metadata["imported"]
        assert _audit(uow_factory) == [
            (
                "model.vouch",
                f"dataset1@{done.version.version}",
                {"by": "bob", "from": f"dataset1@{kept.version}"},
            )
        ]
        with pytest.raises(VersionExists, match="vouched for already"):
            resign(registry, f"dataset1@{kept.version}", Vouch("bob", WHEN))
        with pytest.raises(VersionExists, match="vouched for already"):
            resign(registry, f"dataset1@{done.version.version}", Vouch("bob", WHEN))

    def test_resign_of_a_pushed_model_keeps_its_description(
        self, registry: Registry, tmp_path: Path
    ) -> None:
        folder, rows, _ = sklearn_model(tmp_path / "m")
        pushed = registry.push([folder], "m", metrics={"auprc": 0.5}, sign=False)
        done = resign(registry, f"m@{pushed.version}", Vouch("carol", WHEN))
        assert done.version.metrics == {"auprc": 0.5}
        assert registry.load("m").predict(rows).shape == (5,)
