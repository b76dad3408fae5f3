"""``LocatedStore``: reads follow each object's catalog location; writes, listings and
deletes of unlocated keys go to the configured store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.errors import ObjectNotFound, StorageError
from entrepot.storage.protocols import Store
from tests.support.catalog import sqlite_engine
from tests.support.relocation import Faulty, World


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


@pytest.fixture
def world(engine: Engine) -> World:
    """Two objects, ``datasets/a`` moved to the destination (its home copy then removed),
    ``models/b`` not migrated."""
    world = World(engine, Faulty("home"), Faulty("destination"))
    world.objects.put("datasets/a", b"alpha", owner=None, kind="dataset", content_type="text/a")
    world.objects.put("models/b", b"beta", owner=None, kind="model-file")
    world.migrations.migrate(world.destination.url, "datasets")
    world.home.delete("datasets/a")
    return world


def test_it_is_a_store(world: World) -> None:
    assert isinstance(world.located, Store)
    assert world.located.url == world.home.url


def test_reads_go_where_the_catalog_says(world: World, tmp_path: Path) -> None:
    located = world.located
    assert located.get("datasets/a") == b"alpha"
    assert b"".join(located.iter_bytes("datasets/a")) == b"alpha"
    assert located.head("datasets/a").content_type == "text/a"
    assert located.exists("datasets/a") and located.exists("models/b")
    info = located.download("datasets/a", tmp_path / "a")
    assert (tmp_path / "a").read_bytes() == b"alpha" and info.size == 5
    assert located.get("models/b") == b"beta"
    assert located.store_for("datasets/a") is world.destination
    assert located.store_for("models/b") is world.home
    assert located.store_for("never/recorded") is world.home


def test_writes_and_listings_go_home(world: World) -> None:
    world.located.put("files/new", b"n")
    assert world.home.get("files/new") == b"n"
    assert not world.destination.exists("files/new")
    assert [i.key for i in world.located.list()] == ["files/new", "models/b"]


def test_deletes_go_where_the_object_is(world: World) -> None:
    world.located.delete("datasets/a")
    assert not world.destination.exists("datasets/a")
    world.located.delete("models/b")
    assert not world.home.exists("models/b")
    with pytest.raises(ObjectNotFound):
        world.located.delete("models/b")


def test_copy_from_another_store_lands_home_with_its_metadata(world: World) -> None:
    info = world.located.copy("datasets/a", "files/copy-of-a", if_absent=True)
    assert info.sha256 == world.destination.head("datasets/a").sha256
    assert world.home.head("files/copy-of-a").content_type == "text/a"


def test_a_scoped_view_resolves_full_keys(world: World) -> None:
    view = world.located.scoped("datasets")
    assert view.get("a") == b"alpha"


def test_stores_that_cannot_sign_say_so(world: World) -> None:
    with pytest.raises(StorageError, match="cannot presign") as caught:
        world.located.sign("datasets/a")
    assert caught.value.store == world.destination.url
