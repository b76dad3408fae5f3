"""Deleting a model's file through the plain object commands is refused, clearly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import UnitOfWork
from entrepot.errors import RecordInUse
from entrepot.registry import Registry
from entrepot.services.objects import ObjectService
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.registry import RegistryFixtures


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class TestObjectsInUse(RegistryFixtures):
    def test_deleting_a_model_file_object_is_refused_and_keeps_both(
        self,
        registry: Registry,
        store: MemoryStore,
        uow_factory: Callable[[], UnitOfWork],
        model_dir: Path,
    ) -> None:
        record = registry.push([model_dir], "m")
        key = f"models/m/{record.version}/weights.bin"
        objects = ObjectService(store, uow_factory)
        with pytest.raises(RecordInUse, match="models rm"):
            objects.delete(key)
        assert store.exists(key)
        assert objects.record(key).key == key
        assert registry.latest("m").version == record.version
