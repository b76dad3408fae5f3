"""`entrepot get` reads through the object service, like every other door: a quarantined
object is refused, a damaged read is registered, and a partial file is never left. Before,
the command hashed and renamed by hand and skipped the quarantine and the damage register."""

from __future__ import annotations

from pathlib import Path

from entrepot.bootstrap import App, bootstrap
from entrepot.catalog.objects.records import ObjectState
from entrepot.config import Settings
from tests.support.cli import Cli
from tests.support.parts import parts


def _instance(folder: Path) -> App:
    """The instance the CLI in ``folder`` uses (embedded defaults), opened in this process."""
    return bootstrap(
        Settings(
            store_url=str(folder / "var" / "store"),
            database_url=f"sqlite:///{folder / 'var' / 'entrepot.db'}",
            cache_dir=folder / "cache",
        )
    )


def _stored(cli: Cli, folder: Path, key: str, content: bytes) -> None:
    (folder / "src.bin").write_bytes(content)
    assert cli("db", "upgrade").returncode == 0
    put = cli("put", str(folder / "src.bin"), key)
    assert put.returncode == 0, put.stderr


def test_a_quarantined_object_is_not_downloaded(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path, "files/q.bin", b"kept aside")
    app = _instance(tmp_path)
    with parts(app).uow() as uow:
        uow.objects.set_state("files/q.bin", ObjectState.QUARANTINED)
        uow.commit()
    got = cli("get", "files/q.bin", "out.bin")
    assert got.returncode == 74, got.stdout + got.stderr
    assert "quarantined" in got.stderr and "entrepot verify" in got.stderr
    assert not (tmp_path / "out.bin").exists()
    assert not list(tmp_path.glob(".out.bin*"))


def test_a_damaged_read_is_registered(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path, "files/d.bin", b"original bytes")
    (tmp_path / "var" / "store" / "files" / "d.bin").write_bytes(b"tampered bytes")
    got = cli("get", "files/d.bin", "out.bin")
    assert got.returncode == 74, got.stdout + got.stderr
    assert not (tmp_path / "out.bin").exists() and not list(tmp_path.glob(".out.bin*"))
    app = _instance(tmp_path)
    with parts(app).uow() as uow:
        assert [d.key for d in uow.damage.list()] == ["files/d.bin"]


def test_an_uncataloged_object_is_checked_against_the_store(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    app = _instance(tmp_path)
    content = b"placed by other means" * 100
    parts(app).home_store.put("outside/o.bin", content)
    got = cli("get", "outside/o.bin", "out.bin")
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "out.bin").read_bytes() == content
    assert "verified against store" in got.stdout


def test_get_does_not_overwrite_a_local_file_without_force(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path, "docs/a.bin", b"new bytes")
    mine = tmp_path / "mine.bin"
    mine.write_bytes(b"my own work")
    refused = cli("get", "docs/a.bin", str(mine))
    assert refused.returncode == 73, refused.stderr  # README: already exists
    assert str(mine) in refused.stderr and "--force" in refused.stderr
    assert mine.read_bytes() == b"my own work"
    forced = cli("get", "docs/a.bin", str(mine), "--force")
    assert forced.returncode == 0, forced.stderr
    assert mine.read_bytes() == b"new bytes"
