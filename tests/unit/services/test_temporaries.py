"""Stale temporaries left by crashed processes are collected after the grace period: only
Entrepôt's own names, only in its folders, never a symbolic link's target."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from entrepot.bootstrap import App, bootstrap
from entrepot.config import Settings
from entrepot.fraud_service.uploads import Spool
from entrepot.services.temporaries import TempArea, collect_temporaries
from entrepot.storage.local import TEMP_PREFIX, LocalStore
from tests.support.parts import parts

HOUR = timedelta(hours=1)


def _age(path: Path, hours: float = 2) -> Path:
    when = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(path, (when, when), follow_symlinks=False)
    return path


def _crashed_spool(folder: Path) -> Path:
    """A spooled upload whose process died before the context exited."""
    spool = Spool(folder, limit=1024)
    spool.write(b"a,b\n1,")
    spool.close()  # no __exit__: as after kill -9
    return spool.path


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test alone."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def app(tmp_path: Path, system_temp: Path) -> App:
    settings = Settings(
        store_url=str(tmp_path / "store"),
        database_url="sqlite://",
        var_dir=tmp_path / "var",
        secret_key="s" * 40,
    )
    return bootstrap(settings)


def test_a_crashed_upload_spool_is_collected_after_the_grace(app: App, tmp_path: Path) -> None:
    old = _age(_crashed_spool(tmp_path / "var" / "tmp"))
    young = _crashed_spool(tmp_path / "var" / "tmp")
    report = collect_temporaries(parts(app).temp_areas(), grace=HOUR, dry_run=False)
    assert [item.path for item in report.found] == [old]
    assert report.removed == 1 and report.bytes == 6
    assert not old.exists() and young.exists()


def test_a_dry_run_lists_and_removes_nothing(app: App, tmp_path: Path) -> None:
    old = _age(_crashed_spool(tmp_path / "var" / "tmp"))
    report = collect_temporaries(parts(app).temp_areas(), grace=HOUR, dry_run=True)
    assert [item.path for item in report.found] == [old] and report.removed == 0
    assert old.exists()


def test_a_local_stores_write_temporaries_are_collected_and_objects_kept(
    app: App, tmp_path: Path
) -> None:
    store = parts(app).home_store
    assert isinstance(store, LocalStore)
    store.put("files/deep/kept.csv", b"kept")
    leftovers = []
    for folder in (store.root / "files" / "deep", store.root / ".entrepot" / "meta" / "files"):
        fd, name = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)  # as _atomic_write names it
        os.write(fd, b"half")
        os.close(fd)
        leftovers.append(_age(Path(name)))
    report = collect_temporaries(parts(app).temp_areas(), grace=timedelta(0), dry_run=False)
    assert sorted(item.path for item in report.found) == sorted(leftovers)
    assert not any(path.exists() for path in leftovers)
    assert store.get("files/deep/kept.csv") == b"kept"


def test_names_that_are_not_ours_are_never_taken(app: App, tmp_path: Path) -> None:
    work = tmp_path / "var" / "tmp"
    work.mkdir(parents=True)
    others = [work / "notes.txt", tmp_path / "var" / "upload-x.part"]
    for path in others:
        path.write_bytes(b"someone else's")
        _age(path)
    store_file = tmp_path / "store" / "files" / "upload-1.part"
    store_file.parent.mkdir(parents=True)
    store_file.write_bytes(b"an object named like a temporary")
    _age(store_file)
    report = collect_temporaries(parts(app).temp_areas(), grace=timedelta(0), dry_run=False)
    assert report.found == ()
    assert all(path.exists() for path in [*others, store_file])


def test_a_symbolic_link_is_neither_followed_nor_removed(tmp_path: Path) -> None:
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "data").write_bytes(b"precious")
    work = tmp_path / "tmp"
    work.mkdir()
    (work / "dataset-link").symlink_to(outside)
    _age(work / "dataset-link")
    report = collect_temporaries(
        [TempArea(work, ("dataset-*",))], grace=timedelta(0), dry_run=False
    )
    assert report.found == ()
    assert (outside / "data").read_bytes() == b"precious"


def test_a_folder_is_taken_only_when_all_it_holds_is_old(tmp_path: Path) -> None:
    work = tmp_path / "tmp"
    busy, done = work / "model-busy", work / "model-done"
    for folder in (busy, done):
        folder.mkdir(parents=True)
        (folder / "model.joblib").write_bytes(b"m" * 10)
        _age(folder / "model.joblib")
        _age(folder)
    (busy / "curves.json").write_bytes(b"{}")  # still being written
    report = collect_temporaries([TempArea(work, ("model-*",))], grace=HOUR, dry_run=False)
    assert [item.path for item in report.found] == [done]
    assert report.bytes == 10
    assert busy.exists() and not done.exists()


def test_a_negative_grace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="negative"):
        collect_temporaries([], grace=-HOUR, dry_run=True)


def test_what_a_killed_job_left_in_the_system_temp_folder_is_collected(
    app: App, system_temp: Path
) -> None:
    with tempfile.TemporaryDirectory(prefix="entrepot-city-") as live:
        crashed = Path(tempfile.mkdtemp(prefix="entrepot-reference-"))  # never cleaned up
        (crashed / "model.joblib").write_bytes(b"half a model")
        _age(crashed / "model.joblib")
        _age(crashed)
        foreign = system_temp / "pip-build-1234"
        foreign.mkdir()
        _age(foreign)
        report = collect_temporaries(parts(app).temp_areas(), grace=HOUR, dry_run=False)
        assert [item.path for item in report.found] == [crashed]
        assert report.bytes == len(b"half a model")
        assert not crashed.exists()
        assert Path(live).is_dir() and foreign.is_dir()  # young, or not ours
