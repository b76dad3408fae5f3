"""Class (c), file writes through names: a pull, a download or an import never writes
outside its destination, whatever the names it is given or finds there (links planted in
the destination, unsafe paths in the catalog, keys written outside Entrepôt)."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from entrepot.catalog.models.tables import ModelFileRow
from entrepot.errors import EntrepotError
from entrepot.registry import Registry
from entrepot.registry.errors import RegistryError
from entrepot.storage.memory import MemoryStore
from tests.support.apps import app_with
from tests.support.traversal import IDS, TRAVERSALS, VALUES, files_under

_names = itertools.count()


def _version(registry: Registry, tmp_path: Path) -> str:
    tree = tmp_path / "model"
    (tree / "notes").mkdir(parents=True)
    (tree / "weights.bin").write_bytes(b"\x00weights" * 10)
    (tree / "notes" / "readme.txt").write_text("a raw model\n")
    name = f"writes-{next(_names)}"
    registry.push([tree], name, sign=False)
    return name


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_text("untouched")
    return folder


@pytest.mark.parametrize("planted", ["weights.bin", "manifest.json", "notes/readme.txt"])
def test_a_link_at_a_files_name_in_the_destination_is_replaced_not_followed(
    registry: Registry, planted: str, tmp_path: Path
) -> None:
    name = _version(registry, tmp_path)
    outside = _outside(tmp_path)
    dest = tmp_path / "dest"
    (dest / planted).parent.mkdir(parents=True)
    (dest / planted).symlink_to(outside / "victim.txt")
    registry.pull(name, dest=dest)
    assert (outside / "victim.txt").read_text() == "untouched"
    assert not (dest / planted).is_symlink()


def test_a_linked_folder_in_the_destination_is_refused(registry: Registry, tmp_path: Path) -> None:
    """Regression: ``models pull`` wrote ``notes/readme.txt`` through a planted link."""
    name = _version(registry, tmp_path)
    outside = _outside(tmp_path)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "notes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(RegistryError, match="would be written outside"):
        registry.pull(name, dest=dest)
    assert {p.name for p in outside.iterdir()} == {"victim.txt"}


@pytest.mark.parametrize("path", VALUES, ids=IDS)
def test_an_unsafe_path_in_the_catalog_is_never_written(
    registry: Registry, catalog: Engine, path: str, tmp_path: Path
) -> None:
    """Someone edits a file's path in the database; the pull refuses or stays inside."""
    name = _version(registry, tmp_path)
    engine = catalog
    version_id = registry.show(name).version.id
    with engine.begin() as connection:
        connection.execute(
            update(ModelFileRow)
            .where(ModelFileRow.version_id == version_id, ModelFileRow.path == "weights.bin")
            .values(path=path.replace("\x00", "_")[:512])
        )
    before = files_under(tmp_path)
    dest = tmp_path / "dest"
    with contextlib.suppress(EntrepotError):
        registry.pull(name, dest=dest)
    new = files_under(tmp_path) - before
    assert all(p.resolve().is_relative_to(dest.resolve()) for p in new), new


@pytest.fixture
def objects_app(tmp_path: Path) -> object:
    app = app_with(MemoryStore("files"))
    app.catalog.migrate()
    for key in ("reports/a.csv", "reports/sub/b.csv"):
        app.objects.put(key, b"x,y\n1,2\n", kind="file", owner=None)
    return app


@pytest.mark.parametrize("planted", ["a.csv", "sub"])
def test_get_prefix_into_a_folder_with_planted_links_writes_nothing_outside(
    objects_app: object, planted: str, tmp_path: Path
) -> None:
    outside = _outside(tmp_path)
    dest = tmp_path / "dest"
    dest.mkdir()
    if planted == "sub":
        (dest / "sub").symlink_to(outside, target_is_directory=True)
    else:
        (dest / "a.csv").symlink_to(outside / "victim.txt")
    with contextlib.suppress(EntrepotError):
        objects_app.objects.fetch("reports/", dest)  # type: ignore[attr-defined]
    assert {p.name for p in outside.iterdir()} == {"victim.txt"}
    assert (outside / "victim.txt").read_text() == "untouched"


def test_the_payloads_cover_the_bypasses() -> None:
    assert {"NUL", "double encoded", "full-width dots", "absolute"} <= set(TRAVERSALS)
