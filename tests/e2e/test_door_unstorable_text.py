"""The command line's doors refuse a text no catalog can keep (issue 42 item 2, ADR 0074):
an argument typed in a Latin-1 terminal reaches Python as a lone surrogate (``é`` is the
byte 0xE9, not UTF-8), and a JSON file may hold ``\\u0000``. SQLite took both (or failed
with exit 70 on encoding them); PostgreSQL refused them; now each is refused by name
before anything is stored, with exit 2 and no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import Cli
from tests.support.web import PASSWORD

#: ``Zoé`` as a Latin-1 terminal sends it: Python reads the byte 0xE9 as ``\udce9``.
LATIN_1_NAME = "Zo\udce9"


def _refused(done: subprocess.CompletedProcess[str], named: str) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert named in out and "no catalog can store" in out, out
    assert "Traceback" not in out and "unexpected failure" not in out


def test_an_account_name_typed_in_latin_1_is_refused(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    done = cli(
        "users",
        "create",
        "zoe@example.com",
        "--name",
        LATIN_1_NAME,
        "--password-stdin",
        stdin=PASSWORD,
    )
    _refused(done, "the name")
    assert "zoe@example.com" not in cli("users", "list").stdout


def test_a_push_with_unstorable_tags_or_metadata_stores_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    (tmp_path / "weights.bin").write_bytes(b"\x01weights" * 100)
    tagged = cli("models", "push", "weights.bin", "--name", "m", "--tag", f"team={LATIN_1_NAME}")
    _refused(tagged, "tag 'team'")
    (tmp_path / "meta.json").write_text(json.dumps({"about": "a\x00b"}))
    described = cli("models", "push", "weights.bin", "--name", "m", "--metadata", "meta.json")
    _refused(described, "the metadata")
    assert cli("models", "ls", "--json").stdout.strip() in ("[]", "")


def test_an_object_key_typed_in_latin_1_is_refused_as_a_key(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    (tmp_path / "data.csv").write_text("id\n1\n")
    done = cli("put", "data.csv", f"datasets/{LATIN_1_NAME}.csv")
    out = done.stdout + done.stderr
    assert done.returncode != 70 and "control or invisible character" in out, out
    assert "Traceback" not in out


def test_a_push_of_a_folder_holding_manifest_json_or_a_colon_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("db", "upgrade").returncode == 0
    for name in ("MANIFEST.json", "model:stream.bin"):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        (folder / "weights.bin").write_bytes(b"\x01" * 10)
        (folder / name).write_text("{}")
        done = cli("models", "push", str(folder), "--name", "m")
        out = done.stdout + done.stderr
        assert done.returncode == 65 and name in out, out
    assert cli("models", "ls", "--json").stdout.strip() in ("[]", "")
