"""The key ring that signs model versions (issue 26, ADR 0035): signatures name their key,
rotation invalidates nothing, the ring travels with the catalog (``db copy``) and a moved
installation with a new secret loads every model after one re-wrap, with bitwise identical
scores; a key the ring lacks is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, text

from entrepot.catalog.copy.service import CatalogCopy
from entrepot.catalog.engine import make_engine
from entrepot.catalog.uow import unit_of_work_factory
from entrepot.registry import Registry
from entrepot.registry.errors import UnsafeModelFormat
from entrepot.registry.keyring import KeyRing, key_id
from entrepot.registry.keys import KeyRingService
from entrepot.registry.signing import sign_manifest
from entrepot.registry.wrapping import WrongSecret
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import migrated_engine
from tests.support.registry import SECRET, sklearn_model

NEW_SECRET = "another-secret-for-the-team-server-0123"
DIGEST = "ab" * 32


def test_a_signature_names_its_key_and_rotation_keeps_the_old_ones() -> None:
    ring = KeyRing.of("first-key-of-the-ring-0123456789")
    signed = ring.sign(DIGEST)
    assert signed.startswith(f"hmac-sha256:{key_id('first-key-of-the-ring-0123456789')}:")
    rotated = KeyRing((*ring.keys, (key_id("k2" * 20), "k2" * 20)))
    assert rotated.check(DIGEST, signed).valid
    assert rotated.sign(DIGEST) != signed and rotated.check(DIGEST, rotated.sign(DIGEST)).valid
    assert not rotated.check("cd" * 32, signed).valid


def test_an_old_signature_without_an_id_is_checked_against_every_key() -> None:
    legacy = sign_manifest(DIGEST, SECRET)
    assert KeyRing.of("some-other-key-0123456789abcdef", SECRET).check(DIGEST, legacy).valid
    assert not KeyRing.of("some-other-key-0123456789abcdef").check(DIGEST, legacy).valid


def test_a_key_the_ring_lacks_is_named() -> None:
    signed = KeyRing.of(SECRET).sign(DIGEST)
    verdict = KeyRing.of(NEW_SECRET).check(DIGEST, signed)
    assert not verdict.valid and verdict.missing_key == key_id(SECRET)


def _registry(store: MemoryStore, engine: Engine, secret: str, cache: Path) -> Registry:
    return Registry(
        store,
        CachedStore(store, cache, 64 * 1024 * 1024),
        unit_of_work_factory(engine),
        secret=secret,
        actor="tester",
    )


def _scores(model: Any, rows: np.ndarray) -> bytes:
    return np.asarray(model.predict_proba(rows)).tobytes()


@pytest.fixture
def laptop(tmp_path: Path) -> tuple[MemoryStore, Engine, bytes, np.ndarray]:
    """A laptop catalog holding a signed model (and one signed before the ring existed)."""
    store, engine = MemoryStore("keyring"), migrated_engine(tmp_path / "laptop")
    registry = _registry(store, engine, SECRET, tmp_path / "cache-laptop")
    folder, rows, _ = sklearn_model(tmp_path / "model")
    pushed = registry.push([folder / "model.joblib"], "fraud")
    assert (pushed.signature or "").startswith("hmac-sha256:")
    older = registry.push([folder / "model.joblib"], "older")
    with engine.begin() as connection:  # as signed before this release: no key id
        connection.execute(
            text("UPDATE model_versions SET signature = :s WHERE name = 'older'"),
            {"s": sign_manifest(older.manifest_sha256 or "", SECRET)},
        )
    return store, engine, _scores(registry.load("fraud"), rows), rows


def test_a_moved_catalog_with_a_new_secret_loads_after_one_rewrap(
    tmp_path: Path, laptop: tuple[MemoryStore, Engine, bytes, np.ndarray]
) -> None:
    store, source, scores, rows = laptop
    server = make_engine(f"sqlite:///{tmp_path / 'server' / 'catalog.db'}", create_folder=False)
    assert CatalogCopy(source, server).run().ok  # the ring's rows travel with the catalog

    moved = _registry(store, server, NEW_SECRET, tmp_path / "cache-server")
    with pytest.raises(WrongSecret, match="does not open") as caught:
        moved.load("fraud")
    assert "secrets rewrap --old-secret-file" in str(caught.value)

    KeyRingService(unit_of_work_factory(server), NEW_SECRET).rewrap(SECRET)
    moved = _registry(store, server, NEW_SECRET, tmp_path / "cache-server-2")
    assert _scores(moved.load("fraud"), rows) == scores  # bitwise identical
    assert _scores(moved.load("older"), rows) == scores

    keys = KeyRingService(unit_of_work_factory(server), NEW_SECRET)
    before = keys.state().active
    assert keys.rotate().active != before
    rotated = _registry(store, server, NEW_SECRET, tmp_path / "cache-server-3")
    assert _scores(rotated.load("fraud"), rows) == scores  # rotation invalidates nothing
    folder, _, _ = sklearn_model(tmp_path / "model-2")
    newer = rotated.push([folder / "model.joblib"], "newer")
    assert f":{keys.state().active}:" in (newer.signature or "")


def test_an_export_imported_elsewhere_loads_the_models(
    tmp_path: Path, laptop: tuple[MemoryStore, Engine, bytes, np.ndarray]
) -> None:
    store, source, scores, rows = laptop
    exported = KeyRingService(unit_of_work_factory(source), SECRET).export()
    other = migrated_engine(tmp_path / "other")
    assert CatalogCopy(source, other).run().ok
    with other.begin() as connection:  # the ring did not come along
        connection.execute(text("DELETE FROM signing_keys"))
    without = _registry(store, other, NEW_SECRET, tmp_path / "cache-other")
    with pytest.raises(UnsafeModelFormat, match=f"signed by key {key_id(SECRET)}") as caught:
        without.load("fraud")
    assert "secrets import" in str(caught.value)

    KeyRingService(unit_of_work_factory(other), NEW_SECRET).import_(exported)
    again = _registry(store, other, NEW_SECRET, tmp_path / "cache-other-2")
    assert _scores(again.load("fraud"), rows) == scores
