"""Shared fixtures and model builders for the registry tests.

Test classes subclass :class:`RegistryFixtures`; they take an ``engine`` fixture (a migrated,
empty catalog) that each unit module defines on SQLite and ``tests/integration`` on
PostgreSQL. The store is the in-memory one behind a real read-through cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.registry import Registry
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.clock import FakeClock

SECRET = "a-test-secret-of-thirty-two-chars"


def sklearn_model(folder: Path, *, seed: int = 0) -> tuple[Path, np.ndarray, Any]:
    """A fitted scikit-learn pipeline saved with joblib in ``folder``; returns
    (folder, sample rows, the model)."""
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] + 0.1 * rng.normal(size=80) > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / "model.joblib")
    (folder / "performance.json").write_text(json.dumps({"auprc": 0.9}))
    return folder, x[:5], model


class RegistryFixtures:
    """A registry over a memory store, a real cache and the ``engine`` catalog."""

    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore("registry")

    @pytest.fixture
    def cache(self, store: MemoryStore, tmp_path: Path) -> CachedStore:
        return CachedStore(store, tmp_path / "cache", 64 * 1024 * 1024)

    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock(datetime(2025, 10, 28, 18, 18, 58, tzinfo=UTC))

    @pytest.fixture
    def registry(
        self,
        store: MemoryStore,
        cache: CachedStore,
        uow_factory: Callable[[], UnitOfWork],
        clock: FakeClock,
    ) -> Registry:
        return Registry(store, cache, uow_factory, secret=SECRET, actor="tester", clock=clock)

    @pytest.fixture
    def model_dir(self, tmp_path: Path) -> Path:
        """A folder with ``weights.bin`` and ``notes/readme.txt`` (a raw model)."""
        folder = tmp_path / "model"
        (folder / "notes").mkdir(parents=True)
        (folder / "weights.bin").write_bytes(b"\x00\x01weights" * 100)
        (folder / "notes" / "readme.txt").write_text("a raw model\n")
        return folder


#: A seed-style folder's performance.json.
PERFORMANCE = {
    "validation": {"auprc": 0.81, "roc_auc": 0.93},
    "test": {"auprc": 0.79},
    "threshold": {"value": 0.42, "method": "f1"},
    "data": {"labelled_rows": 20000, "has_time": True},
    "curve": [0.1, 0.2],
}


def seed_folder(folder: Path) -> Path:
    """A seed-style folder: a joblib model, a joblib feature pipeline, its performance
    and metadata."""
    sklearn_model(folder)
    (folder / "model.joblib").rename(folder / "xgboost_model.joblib")
    sklearn_model(folder / "fe", seed=1)
    (folder / "fe" / "model.joblib").rename(folder / "feature_engineer.joblib")
    for leftover in (folder / "fe").iterdir():
        leftover.unlink()
    (folder / "fe").rmdir()
    (folder / "performance.json").write_text(json.dumps(PERFORMANCE))
    (folder / "metadata.json").write_text(
        json.dumps({"domain": "ecommerce", "columns": ["amount", "merchant"], "rows": 20000})
    )
    return folder
