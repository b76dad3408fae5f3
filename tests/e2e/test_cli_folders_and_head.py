"""`entrepot get` of a folder, `entrepot head`, and `ls` of one object's exact key, through
the installed `entrepot` (issue 26: "get cannot download a folder, there is no head, and
ls of an object's exact key prints 0 objects")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.support.cli import Cli

FILES = {
    "raw/traffic/dt=2024-04-01/hour=00/counts.csv": b"arc;flow\n1;10\n",
    "raw/traffic/dt=2024-04-01/hour=01/counts.csv": b"arc;flow\n1;12\n2;7\n",
    "raw/traffic/dt=2024-04-02/hour=00/counts.csv": b"arc;flow\n3;1\n",
}


def _stored(cli: Cli, folder: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    for n, (key, content) in enumerate(FILES.items()):
        source = folder / f"src{n}.csv"
        source.write_bytes(content)
        put = cli("put", str(source), key)
        assert put.returncode == 0, put.stderr


def test_a_folder_is_downloaded_whole_and_verified(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path)
    got = cli("get", "raw/traffic/dt=2024-04-01/", "day")
    assert got.returncode == 0, got.stderr
    assert "2 files" in got.stdout
    written = sorted(p for p in (tmp_path / "day").rglob("*") if p.is_file())
    assert [p.relative_to(tmp_path / "day").as_posix() for p in written] == [
        "hour=00/counts.csv",
        "hour=01/counts.csv",
    ]
    for path in written:
        key = "raw/traffic/dt=2024-04-01/" + path.relative_to(tmp_path / "day").as_posix()
        assert path.read_bytes() == FILES[key]
    assert not list((tmp_path / "day").rglob(".*.part"))
    # the same folder named without its slash
    again = cli("get", "raw/traffic/dt=2024-04-02", "other")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "other" / "hour=00" / "counts.csv").read_bytes() == FILES[
        "raw/traffic/dt=2024-04-02/hour=00/counts.csv"
    ]


def test_a_folder_with_nothing_in_it_is_an_error_that_says_so(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path)
    got = cli("get", "raw/nothing/", "out")
    assert got.returncode != 0
    assert "no object under this folder" in got.stderr and "Traceback" not in got.stderr
    assert not (tmp_path / "out").exists()


def test_head_shows_an_object_and_its_catalog_row(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path)
    key = "raw/traffic/dt=2024-04-01/hour=01/counts.csv"
    shown = cli("head", key, "--json")
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    content = FILES[key]
    assert found["size"] == len(content)
    assert found["sha256"] == hashlib.sha256(content).hexdigest()
    assert found["cataloged"] is True and found["catalog"]["sha256"] == found["sha256"]
    assert found["catalog"]["kind"] == "file"
    readable = cli("head", key)
    assert readable.returncode == 0 and hashlib.sha256(content).hexdigest() in readable.stdout
    missing = cli("head", "raw/none.csv")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_ls_of_an_exact_key_lists_that_object(cli: Cli, tmp_path: Path) -> None:
    _stored(cli, tmp_path)
    key = "raw/traffic/dt=2024-04-02/hour=00/counts.csv"
    listed = cli("ls", key, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [o["key"] for o in json.loads(listed.stdout)["objects"]] == [key]
    assert "1 object" in cli("ls", key).stdout
    assert "0 objects" in cli("ls", "raw/none.csv").stdout
