"""The operator's object commands keep out of the web service's user folders (users/...)
unless told --force, and say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Cli


@pytest.fixture
def src(tmp_path: Path, cli: Cli) -> Path:
    assert cli("db", "upgrade").returncode == 0
    path = tmp_path / "evil.csv"
    path.write_bytes(b"a,b\n1,2\n")
    return path


def test_put_into_a_user_folder_is_refused_and_stores_nothing(
    cli: Cli, src: Path, tmp_path: Path
) -> None:
    result = cli("put", str(src), "users/1/datasets/evil.csv")
    assert result.returncode == 77, result.stderr
    assert "users/" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "store" / "users").exists()
    assert "0 objects" in cli("ls", "-r").stdout


def test_put_with_force_writes_there(cli: Cli, src: Path, tmp_path: Path) -> None:
    result = cli("put", "--force", str(src), "users/1/files/placed.csv")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "store" / "users" / "1" / "files" / "placed.csv").is_file()


def test_rm_in_a_user_folder_is_refused_unless_forced(cli: Cli, src: Path, tmp_path: Path) -> None:
    assert cli("put", "--force", str(src), "users/1/files/kept.csv").returncode == 0
    assert cli("put", str(src), "files/other.csv").returncode == 0
    for args in (("rm", "users/1/files/kept.csv"), ("rm", "-r", "users"), ("rm", "-r", "")):
        refused = cli(*args)
        assert refused.returncode == 77, (args, refused.stderr)
        assert "--force" in refused.stderr
    kept = tmp_path / "var" / "store" / "users" / "1" / "files" / "kept.csv"
    assert kept.is_file() and (tmp_path / "var" / "store" / "files" / "other.csv").is_file()
    assert cli("rm", "--force", "users/1/files/kept.csv").returncode == 0
    assert not kept.exists()


def test_other_folders_need_no_force(cli: Cli, src: Path) -> None:
    assert cli("put", str(src), "files/users/1/fine.csv").returncode == 0
    assert cli("rm", "files/users/1/fine.csv").returncode == 0
