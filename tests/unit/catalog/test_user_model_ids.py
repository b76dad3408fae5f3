"""``UserModelRepository.id_of``: the catalog id of one ready version, read as one row (the
services used to read a user's whole id map to find the version they had just made)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.errors import RecordNotFound
from tests.support.catalog import sqlite_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def _claim(uow: UnitOfWork, namespace: str, name: str, version: str) -> ModelVersionRecord:
    return uow.models.claim(
        namespace=namespace,
        name=name,
        version=version,
        flavor="sklearn",
        created_at=datetime(2026, 11, 24, tzinfo=UTC),
        created_by="test",
        metrics={},
        params={},
        tags={},
        lineage={},
        input_schema=(),
    )


def _ready(uow: UnitOfWork, namespace: str, name: str, version: str) -> int:
    claimed = _claim(uow, namespace, name, version)
    key = f"{namespace}/models/{name}/{version}/manifest.json"
    manifest = uow.objects.add(
        key=key, sha256=hashlib.sha256(key.encode()).hexdigest(), size=2, owner=None,
        kind="model",
    )  # fmt: skip
    return uow.models.complete(claimed.id, manifest=manifest, signature=None, files=()).id


def test_the_id_of_a_ready_version_of_its_own_namespace(engine: Engine) -> None:
    with unit_of_work_factory(engine)() as uow:
        first = _ready(uow, "u/1", "churn", "1")
        second = _ready(uow, "u/1", "churn", "2")
        other = _ready(uow, "u/2", "churn", "1")
        pending = _claim(uow, "u/1", "churn", "3").id
        uow.commit()
    with unit_of_work_factory(engine)() as uow:
        assert uow.user_models.id_of("u/1", "churn", "1") == first
        assert uow.user_models.id_of("u/1", "churn", "2") == second
        assert uow.user_models.id_of("u/2", "churn", "1") == other
        assert len({first, second, other, pending}) == 4
        for namespace, name, version in (
            ("u/1", "churn", "3"),  # pending: not ready yet
            ("u/3", "churn", "1"),  # another user's namespace has none
            ("u/1", "fraud", "1"),
        ):
            with pytest.raises(RecordNotFound, match="was deleted"):
                uow.user_models.id_of(namespace, name, version)
