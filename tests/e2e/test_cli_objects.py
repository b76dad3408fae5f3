"""The object commands end to end, on the embedded defaults (local folder + SQLite)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.support.cli import Cli


def test_demo_runs_on_embedded_defaults(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo")
    assert result.returncode == 0, result.stderr
    assert "all verified" in result.stdout
    assert (tmp_path / "var" / "entrepot.db").is_file()
    assert any((tmp_path / "var" / "store" / "files" / "demo").iterdir())


def test_put_ls_get_verify_rm_round_trip(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "data.csv"
    src.write_bytes(b"a,b\n1,2\n" * 1000)
    assert cli("db", "upgrade").returncode == 0
    put = cli("put", str(src), "datasets/data.csv")
    assert put.returncode == 0, put.stderr
    assert hashlib.sha256(src.read_bytes()).hexdigest() in put.stdout

    listing = cli("ls", "datasets")
    assert "datasets/data.csv" in listing.stdout

    dest = tmp_path / "out.csv"
    got = cli("get", "datasets/data.csv", str(dest))
    assert got.returncode == 0, got.stderr
    assert dest.read_bytes() == src.read_bytes()
    assert "catalog and store" in got.stdout

    assert cli("verify").returncode == 0
    assert cli("rm", "datasets/data.csv").returncode == 0
    assert "datasets/data.csv" not in cli("ls", "-r").stdout


def test_put_is_write_once(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"one")
    cli("db", "upgrade")
    assert cli("put", str(src), "files/x.bin").returncode == 0
    src.write_bytes(b"two")
    again = cli("put", str(src), "files/x.bin")
    assert again.returncode == 73
    assert "already exists" in again.stderr and "what to do" in again.stderr


def test_corrupted_object_fails_get_and_verify_and_leaves_no_file(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"original bytes")
    cli("db", "upgrade")
    cli("put", str(src), "files/x.bin")
    (tmp_path / "var" / "store" / "files" / "x.bin").write_bytes(b"tampered bytes")

    dest = tmp_path / "copy.bin"
    got = cli("get", "files/x.bin", str(dest))
    assert got.returncode == 74, got.stderr
    assert "sha256" in got.stderr
    assert not dest.exists()
    assert not list(tmp_path.glob(".copy.bin*"))  # no partial file left behind

    verify = cli("verify")
    assert verify.returncode == 1
    assert "files/x.bin" in verify.stdout


def test_invalid_key_is_refused_with_a_hint(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"x")
    cli("db", "upgrade")
    result = cli("put", str(src), "../outside.bin")
    assert result.returncode == 65
    assert "'..'" in result.stderr and "relative path" in result.stderr
    assert not (tmp_path / "var" / "outside.bin").exists()


def test_missing_key_exit_code(cli: Cli) -> None:
    cli("db", "upgrade")
    result = cli("get", "files/nope.bin", "out.bin")
    assert result.returncode == 66
    assert "files/nope.bin" in result.stderr


def test_unmigrated_catalog_says_how_to_fix(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"x")
    result = cli("put", str(src), "files/x.bin")
    assert result.returncode == 75
    assert "entrepot db upgrade" in result.stderr
    assert not (tmp_path / "var" / "store" / "files" / "x.bin").exists()


def test_du_counts_per_folder_and_user(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"12345")
    cli("db", "upgrade")
    for key in ("users/7/a.bin", "users/7/b.bin", "users/8/a.bin", "files/c.bin"):
        assert cli("put", "--force", str(src), key).returncode == 0
    out = cli("du").stdout
    lines = {line.split()[0]: line.split()[1:3] for line in out.splitlines() if line.strip()}
    assert lines["users/"] == ["3", "15"]
    assert lines["files/"] == ["1", "5"]
    assert lines["7"] == ["2", "10"]
    assert lines["8"] == ["1", "5"]


def test_gc_removes_orphans_only_after_grace(cli: Cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    orphan = tmp_path / "var" / "store" / "files" / "orphan.bin"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a crash")
    raw = tmp_path / "var" / "store" / "raw" / "hand-placed.csv"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(b"not managed")

    young = cli("gc", "--grace", "1h")
    assert young.returncode == 0 and orphan.exists()
    dry = cli("gc", "--dry-run", "--grace", "0s")
    assert "files/orphan.bin" in dry.stdout and orphan.exists()
    cli("gc", "--grace", "0s")
    assert not orphan.exists()
    assert raw.exists()  # outside the managed prefixes: never touched


def test_doctor_and_config_show(cli: Cli) -> None:
    cli("db", "upgrade")
    doctor = cli("doctor")
    assert doctor.returncode == 0, doctor.stdout
    shown = cli(
        "config",
        "show",
        extra_env={
            "ENTREPOT_DATABASE_URL": "postgresql://app:hunter2@db:5432/x",
            "AWS_SECRET_ACCESS_KEY": "verysecret",
        },
    )
    assert "hunter2" not in shown.stdout and "verysecret" not in shown.stdout
    assert "environment" in shown.stdout and "default" in shown.stdout


def test_doctor_fails_on_unmigrated_database(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "entrepot.db").touch()  # a database, not migrated (an empty folder
    doctor = cli("doctor")  # is no instance at all: tests/e2e/test_instance_found_not_created)
    assert doctor.returncode == 1
    assert "entrepot db upgrade" in doctor.stdout


def test_presign_on_a_local_store_explains(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"x")
    cli("db", "upgrade")
    cli("put", str(src), "files/x.bin")
    result = cli("presign", "files/x.bin")
    assert result.returncode != 0
    assert "s3://" in result.stderr


def test_help_explains_every_command(cli: Cli) -> None:
    out = cli("--help").stdout
    for command in ("put", "get", "ls", "du", "rm", "presign", "gc", "verify", "doctor", "demo"):
        assert command in out


def test_unreachable_s3_endpoint_is_named(cli: Cli) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli(
        "ls",
        extra_env={
            "ENTREPOT_STORE_URL": "s3://entrepot-nowhere/data",
            "ENTREPOT_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "y",
        },
    )
    assert result.returncode == 69, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
    assert "what to do" in result.stderr


def test_du_reads_the_catalog_and_store_walks_the_store(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"12345")
    cli("db", "upgrade")
    assert cli("put", str(src), "files/c.bin").returncode == 0
    raw = tmp_path / "var" / "store" / "raw" / "feed.json"  # written behind the catalog
    raw.parent.mkdir(parents=True)
    raw.write_bytes(b"{}")
    cataloged = {line.split()[0] for line in cli("du").stdout.splitlines() if line.strip()}
    walked = {line.split()[0] for line in cli("du", "--store").stdout.splitlines() if line.strip()}
    assert "files/" in cataloged and "raw/" not in cataloged
    assert {"files/", "raw/"} <= walked


def test_verify_shows_one_row_per_damaged_object_with_its_store(cli: Cli, tmp_path: Path) -> None:
    """Issue 44 item 3 (regression: an object whose size and content both differ was two
    rows, counted as two problems): one row an object, its problems joined, its store."""
    cli("db", "upgrade")
    for name in ("grown.bin", "gone.bin", "intact.bin"):
        (tmp_path / name).write_bytes(b"original bytes")
        assert cli("put", str(tmp_path / name), f"files/{name}").returncode == 0
    folder = tmp_path / "var" / "store" / "files"
    (folder / "grown.bin").write_bytes(b"tampered and longer bytes")
    (folder / "gone.bin").unlink()
    found = cli("verify", "--json")
    assert found.returncode == 1, found.stderr
    report = json.loads(found.stdout)
    rows = {row["key"]: row for row in report["problems"]}
    assert len(report["problems"]) == 2 and set(rows) == {"files/grown.bin", "files/gone.bin"}
    assert rows["files/grown.bin"]["problem"] == "size-mismatch, content-mismatch"
    assert rows["files/gone.bin"]["problem"] == "missing"
    store = (tmp_path / "var" / "store").resolve().as_uri()
    assert {row["store"] for row in rows.values()} == {store}
    shown = cli("verify", extra_env={"COLUMNS": "400"})
    lines = [line for line in shown.stdout.splitlines() if "files/grown.bin" in line]
    assert len(lines) == 1 and store in lines[0]
    assert "2 problems" in shown.stdout
