"""Shared parts of the vulnerability-class suite: a registry over a memory store and a
SQLite catalog, built once per module (each case pushes under its own name)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import unit_of_work_factory
from entrepot.registry import Registry
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.registry import SECRET


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, catalog: Engine) -> Registry:
    store = MemoryStore("registry")
    cache = CachedStore(store, tmp_path_factory.mktemp("cache"), 64 * 1024 * 1024)
    return Registry(store, cache, unit_of_work_factory(catalog), secret=SECRET, actor="t")
