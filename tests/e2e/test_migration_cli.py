"""``entrepot move``, ``iam-policy`` and ``models import-tree`` as a user types them,
including a ``move`` process killed mid-run and resumed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.reads import read_only
from entrepot.catalog.uow import unit_of_work_factory
from entrepot.relocation import CatalogLocator, LocatedStore
from entrepot.services.objects import ObjectService
from entrepot.services.verify import verify_catalog
from entrepot.storage.local import LocalStore
from entrepot.storage.protocols import Store
from entrepot.storage.url import open_store
from tests.support.cli import Cli
from tests.support.waiting import wait_for


def seed(folder: Path, count: int) -> dict[str, bytes]:
    """``count`` objects in the default store and catalog of a CLI working folder."""
    engine = make_engine(f"sqlite:///{folder / 'var' / 'entrepot.db'}")
    upgrade(engine)
    objects = ObjectService(LocalStore(folder / "var" / "store"), unit_of_work_factory(engine))
    written = {}
    for i in range(count):
        key = f"datasets/part-{i:04d}.csv"
        written[key] = f"{i},".encode() * (50 + i % 7)
        objects.put(key, written[key], owner=None, kind="dataset", content_type="text/csv")
    engine.dispose()
    return written


def catalog(folder: Path, query: str) -> Any:
    with sqlite3.connect(folder / "var" / "entrepot.db") as connection:
        return connection.execute(query).fetchone()[0]


def every_row_verified(folder: Path, open_other: Callable[[str], Store]) -> int:
    """Deep-verify every row at the store its location names; returns the rows checked."""
    engine = make_engine(f"sqlite:///{folder / 'var' / 'entrepot.db'}")
    home = LocalStore(folder / "var" / "store")
    located = LocatedStore(home, CatalogLocator(read_only(engine)), open_other)
    report = verify_catalog(located, unit_of_work_factory(engine), deep=True)
    engine.dispose()
    assert report.ok, [str(p) for p in report.problems]
    return report.checked


@pytest.mark.slow
def test_a_killed_migrate_resumes_then_finalizes(
    tmp_path: Path, cli: Cli, s3_endpoint: str, s3_client: Any
) -> None:
    total = 400
    seed(tmp_path, total)
    s3_client.create_bucket(Bucket="migrate-killed-cli")
    url = f"s3://migrate-killed-cli/team?endpoint={s3_endpoint}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "entrepot", "move", "--to", url, "--jobs", "2", "--batch", "10"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def forty_moved() -> bool:
        try:
            return catalog(tmp_path, "SELECT count(*) FROM object_locations") >= 40
        except sqlite3.OperationalError:  # the tables are being created, or locked
            return False

    def finished() -> str | None:
        return None if process.poll() is None else "migrate finished: seed more"

    wait_for(forty_moved, "40 objects moved", gone=finished, every=0.02)
    assert process.poll() is None, "migrate finished before it could be killed: seed more"
    process.send_signal(signal.SIGKILL)
    process.wait()
    moved = catalog(tmp_path, "SELECT count(*) FROM object_locations")
    assert 0 < moved < total

    def open_s3(other: str) -> Store:
        return open_store(other)

    assert every_row_verified(tmp_path, open_s3) == total  # moved or not, all intact

    resumed = cli("move", "--resume", "--jobs", "2")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert catalog(tmp_path, "SELECT count(*) FROM object_locations") == total
    assert catalog(tmp_path, "SELECT count(*) FROM store_migration_items") == total
    assert cli("verify").returncode == 0
    left = cli("gc", "--dry-run", "--grace", "0s").stdout
    assert "would delete 0 orphan objects" in left and "0 stale temporary files" in left
    assert "incomplete upload" not in left
    checked = cli("move", "--verify")
    assert checked.returncode == 0 and f"{total} objects" in checked.stdout

    final = cli("move", "--finalize")
    assert final.returncode == 0, final.stdout + final.stderr
    assert f"ENTREPOT_STORE_URL={url}" in final.stdout.replace("\n", "")
    assert not any((tmp_path / "var" / "store" / "datasets").glob("*"))
    after = cli("verify", extra_env={"ENTREPOT_STORE_URL": url})
    assert after.returncode == 0 and f"checked {total} objects" in after.stdout
    status = cli("move", "--status")
    assert "finalized" in status.stdout


def test_migrate_then_roll_back_restores_the_catalog(tmp_path: Path, cli: Cli) -> None:
    written = seed(tmp_path, 6)
    dest = tmp_path / "elsewhere"
    run = cli("move", "--to", str(dest))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "moved 6 objects" in run.stdout
    assert catalog(tmp_path, "SELECT count(*) FROM object_locations") == 6
    again = cli("move", "--to", str(dest))
    assert again.returncode == 1 and "--resume" in again.stderr

    back = cli("move", "--rollback", "--delete-copies", "--verify")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "6 objects" in back.stdout and "deleted 6 copies" in back.stdout
    assert catalog(tmp_path, "SELECT count(*) FROM object_locations") == 0
    assert not any(p.is_file() for p in (dest / "datasets").glob("*"))
    assert cli("verify").returncode == 0
    assert cli("get", "datasets/part-0003.csv", "out.csv").returncode == 0
    assert (tmp_path / "out.csv").read_bytes() == written["datasets/part-0003.csv"]


def test_a_destination_holding_other_bytes_is_refused(tmp_path: Path, cli: Cli) -> None:
    seed(tmp_path, 3)
    dest = LocalStore(tmp_path / "dest")
    dest.put("datasets/part-0001.csv", b"stale")
    run = cli("move", "--to", str(tmp_path / "dest"))
    assert run.returncode == 73
    assert "datasets/part-0001.csv" in run.stderr and "no row was changed" in run.stderr
    assert catalog(tmp_path, "SELECT count(*) FROM store_migrations") == 0
    dry = cli("move", "--to", str(tmp_path / "dest"), "--dry-run")
    assert dry.returncode == 1 and "would stop" in dry.stdout


def test_estimate_and_dry_run_change_nothing(tmp_path: Path, cli: Cli) -> None:
    seed(tmp_path, 4)
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"nas": {"label": "our NAS", "storage_gb_month": 0.01,
                                          "put_per_1000": 0, "get_per_1000": 0}}))  # fmt: skip
    estimate = cli("move", "--estimate", "--prices", str(prices), "--reads-per-month", "1000")
    assert estimate.returncode == 0, estimate.stderr
    assert "4 objects" in estimate.stdout and "our NAS" in estimate.stdout
    assert "S3 Standard-IA" in estimate.stdout
    dry = cli("move", "--to", str(tmp_path / "dest"), "--dry-run")
    assert dry.returncode == 0 and "would copy 4 objects" in dry.stdout
    assert catalog(tmp_path, "SELECT count(*) FROM stores") == 0
    assert not (tmp_path / "dest").exists()
    both = cli("move", "--estimate", "--dry-run", "--to", "x")
    assert both.returncode == 2 and "choose one" in both.stderr


def test_iam_policy(tmp_path: Path, cli: Cli) -> None:
    run = cli("iam-policy", extra_env={"ENTREPOT_STORE_URL": "s3://team-bucket/prod"})
    assert run.returncode == 0, run.stderr
    policy = json.loads(run.stdout)
    assert policy["Statement"][1]["Resource"] == "arn:aws:s3:::team-bucket/prod/*"
    read_only = json.loads(cli("iam-policy", "--read-only", "--url", "s3://b-1/x").stdout)
    assert len(read_only["Statement"]) == 2
    local = cli("iam-policy")
    assert local.returncode == 78 and "not an S3 store" in local.stderr


def test_import_tree(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "automl_models"
    (root / "dataset1").mkdir(parents=True)
    (root / "dataset1" / "xgboost_model.joblib").write_bytes(b"\x80\x04not really a pickle")
    (root / "dataset1" / "performance.json").write_text('{"test": {"auprc": 0.8}}')
    (root / "dataset2").mkdir()
    (root / "dataset2" / "model.txt").write_text("tree\nversion=v4\n")
    assert cli("db", "upgrade").returncode == 0
    refused = cli("models", "import-tree", str(root))
    assert refused.returncode == 65, refused.stdout + refused.stderr
    assert "1 imported" in refused.stdout and "1 refused" in refused.stdout
    imported = cli("models", "import-tree", str(root), "--untrusted")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "1 imported" in imported.stdout and "1 skipped" in imported.stdout
    listed = cli("models", "references", "--all")
    assert "dataset1" in listed.stdout and "dataset2" in listed.stdout


def test_reads_follow_the_catalog_before_the_url_changes(tmp_path: Path, cli: Cli) -> None:
    written = seed(tmp_path, 3)
    assert cli("move", "--to", str(tmp_path / "dest")).returncode == 0
    # The source copy vanishes (a disk cleaned by hand): the rows point at the destination.
    (tmp_path / "var" / "store" / "datasets" / "part-0001.csv").unlink()
    assert cli("get", "datasets/part-0001.csv", "out.csv").returncode == 0
    assert (tmp_path / "out.csv").read_bytes() == written["datasets/part-0001.csv"]
    verified = cli("verify")
    assert verified.returncode == 0 and "checked 3 objects" in verified.stdout
    doctor = cli("doctor")
    assert "3 object(s) in file://" in doctor.stdout.replace("\n", "")


def test_the_old_name_migrate_still_moves_and_names_the_new_one(tmp_path: Path, cli: Cli) -> None:
    seed(tmp_path, 3)
    old = cli("migrate", "--to", str(tmp_path / "dest"))
    assert old.returncode == 0, old.stderr
    assert "`entrepot move`" in old.stderr
    assert cli("move", "--status").returncode == 0
    listed = cli("--help").stdout
    assert " move " in listed and " migrate " not in listed


def test_an_interrupted_move_says_resume_and_its_journal_says_interrupted(
    tmp_path: Path, cli: Cli
) -> None:
    total = 3000  # a move long enough to be caught mid-way on a loaded machine
    seed(tmp_path, total)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "entrepot", "move", "--to", str(tmp_path / "dest"), "--jobs", "1",
         "--batch", "10"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def thirty_moved() -> bool:  # a journal state, not a time
        if process.poll() is not None:
            return True
        try:
            query = "SELECT count(*) FROM store_migration_items WHERE state = 'repointed'"
            return bool(catalog(tmp_path, query) >= 30)
        except sqlite3.OperationalError:  # the tables are being created, or locked
            return False

    wait_for(thirty_moved, "30 objects moved", every=0.02)
    assert process.poll() is None, "the move finished before it could be interrupted: seed more"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert "was interrupted" in err and "`entrepot move --resume`" in err, err

    status = cli("move", "--status", "--json")
    document = json.loads(status.stdout)
    assert document["migration"]["state"] == "running"
    assert document["migration"]["interrupted"] is True
    assert 0 < document["items"]["pending"]["objects"] < total
    said = cli("move", "--status")
    assert "(interrupted)" in said.stdout and "--resume" in said.stdout

    resumed = cli("move", "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    after = json.loads(cli("move", "--status", "--json").stdout)
    assert after["migration"]["interrupted"] is False
    assert after["migration"]["phase"] == "copied"  # not "running": no pass runs
    assert after["items"]["repointed"]["objects"] == total
    assert "(copied)" in cli("move", "--status").stdout
    assert catalog(tmp_path, "SELECT count(*) FROM object_locations") == total


def test_a_copy_left_without_its_checksum_is_checked_and_completed(
    tmp_path: Path, cli: Cli
) -> None:
    """A move killed between an object and its checksum sidecar leaves the object alone at
    the destination: its bytes are re-checked against the catalog and the move completes
    it (it stopped with 73, "pick an empty bucket", for good)."""
    written = seed(tmp_path, 4)
    dest = tmp_path / "dest"
    landed = dest / "datasets" / "part-0001.csv"
    landed.parent.mkdir(parents=True)
    landed.write_bytes(written["datasets/part-0001.csv"])  # the object, not its sidecar
    run = cli("move", "--to", str(dest))
    assert run.returncode == 0, run.stdout + run.stderr
    assert LocalStore(dest).head("datasets/part-0001.csv").sha256 is not None
    assert cli("verify").returncode == 0


def test_resume_and_finalize_complete_a_copy_left_without_its_checksum(
    tmp_path: Path, cli: Cli
) -> None:
    """The same state in an open migration: ``--resume`` and ``--finalize`` finish."""
    seed(tmp_path, 3)
    source = tmp_path / "var" / "store" / "datasets" / "part-0002.csv"
    good = source.read_bytes()
    source.write_bytes(b"x" * len(good))  # damaged: this object fails, the move stays open
    dest = tmp_path / "dest"
    first = cli("move", "--to", str(dest))
    assert first.returncode != 0 and "Traceback" not in first.stdout + first.stderr
    source.write_bytes(good)
    bare = dest / "datasets" / "part-0002.csv"
    assert not bare.exists()
    bare.write_bytes(good)  # a later run killed between the object and its sidecar
    resumed = cli("move", "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert LocalStore(dest).head("datasets/part-0002.csv").sha256 is not None
    final = cli("move", "--finalize")
    assert final.returncode == 0, final.stdout + final.stderr
