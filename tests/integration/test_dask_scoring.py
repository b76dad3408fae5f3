"""Scoring spread over a local Dask cluster of two processes (issue 40, items 3 and 5;
ADR 0086): the output file's bytes are the in-process ones for 1, 2 and 8 parts, a
worker killed mid-task changes nothing, a scheduler that cannot be reached is a refusal
with its message key and nothing written."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from entrepot.bootstrap.cluster import DaskPool, dask_pool
from entrepot.bootstrap.local_fraud import local_fraud
from entrepot.bootstrap.scheduler_health import check_scheduler
from entrepot.errors import SchedulerUnavailable
from entrepot.fraud_service.pipeline.partitioned import Spread
from tests.support.cli import ENTRY_POINT
from tests.support.dask import KillingOnce, ShuttingDown
from tests.support.spread_scoring import scored, trained_folder

pytestmark = [pytest.mark.dask, pytest.mark.slow]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated card-payments file and a model trained on it (the model's budget in
    steps), signed with this module's own user key."""
    return trained_folder(tmp_path_factory.mktemp("dask-scoring"), seed=1)


@pytest.fixture
def user_key(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "user-data"))


@pytest.fixture(scope="module")
def pool() -> Iterator[DaskPool]:
    with dask_pool(None, 2) as found:
        assert found is not None
        yield found


@pytest.mark.usefixtures("user_key")
def test_one_two_and_eight_parts_write_the_in_process_bytes(
    folder: Path, pool: DaskPool, tmp_path: Path
) -> None:
    alone = scored(folder, tmp_path / "alone.csv", Spread())
    assert alone == {"parts": 1, "spread": False, "in_process": None}
    expected = _digest(tmp_path / "alone.csv")
    for parts in (1, 2, 8):
        facts = scored(folder, tmp_path / f"{parts}.csv", Spread(pool, parts))
        assert facts["spread"] is True
        assert 1 <= facts["parts"] <= parts
        assert _digest(tmp_path / f"{parts}.csv") == expected, parts
    assert facts["parts"] > 2  # eight parts over 3,000 rows: no part left empty but few


@pytest.mark.usefixtures("user_key")
def test_a_worker_killed_mid_task_changes_no_byte(
    folder: Path, pool: DaskPool, tmp_path: Path
) -> None:
    scored(folder, tmp_path / "alone.csv", Spread())
    marker = tmp_path / "killed"
    facts = scored(folder, tmp_path / "killed.csv", Spread(KillingOnce(pool, marker), 4))
    assert marker.exists()  # a worker was killed in the middle of a part
    assert facts["spread"] is True
    assert _digest(tmp_path / "killed.csv") == _digest(tmp_path / "alone.csv")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("user_key")
def test_a_scheduler_out_of_reach_is_a_refusal_and_nothing_is_written(
    folder: Path, tmp_path: Path
) -> None:
    url = f"tcp://127.0.0.1:{_closed_port()}"
    fraud = replace(local_fraud(None), pools=lambda workers: dask_pool(url, workers))
    out = tmp_path / "scores.csv"
    with pytest.raises(SchedulerUnavailable) as refused:
        fraud.score(
            folder / "tx.csv",
            out,
            model=str(folder / "model"),
            ensemble=False,
            library=None,
            user=None,
            save_ensemble=None,
            explain=True,
            threads=1,
            workers=2,
        )
    assert refused.value.said is not None
    assert refused.value.said.key == "error.dask.unavailable"
    assert refused.value.said.params == {"address": url}
    assert list(tmp_path.iterdir()) == []


def test_the_doctor_check_says_whether_the_scheduler_answers(pool: DaskPool) -> None:
    assert check_scheduler(pool.address).ok
    gone = check_scheduler(f"tcp://127.0.0.1:{_closed_port()}")
    assert not gone.ok
    assert isinstance(gone.error, SchedulerUnavailable)


def _installed(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``entrepot`` run in ``folder``, in process unless asked (no scheduler
    from the environment), its output captured."""
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "user-data"), "PYTHONHASHSEED": "0"}
    env.pop("ENTREPOT_DASK_URL", None)
    done = subprocess.run(
        [*ENTRY_POINT, *args], cwd=folder, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def test_the_installed_command_writes_the_same_bytes_with_two_workers(folder: Path) -> None:
    digests = {}
    for workers in ("1", "2"):
        out = f"cli-{workers}.csv"
        _installed(
            folder, "fraud", "score", "tx.csv", out, "--model", "./model", "--workers", workers
        )
        digests[workers] = _digest(folder / out)
    assert digests["1"] == digests["2"]


def test_the_installed_command_evaluates_to_the_same_figures_with_two_workers(
    folder: Path,
) -> None:
    found = {}
    for workers in ("1", "2"):
        args = ("fraud", "evaluate", "tx.csv", "--model", "./model", "--json", "--workers", workers)
        found[workers] = json.loads(_installed(folder, *args).stdout)
    assert found["1"]["metrics"]["auprc"] > 0
    assert found["1"] == found["2"]


def test_health_and_the_doctor_check_the_configured_scheduler(
    pool: DaskPool, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from tests.support.web import make_web_app

    gone = f"tcp://127.0.0.1:{_closed_port()}"
    for url, up in ((pool.address, True), (gone, False)):
        app, services = make_web_app(
            tmp_path / str(up), settings={"dask_url": url, "health_timeout": 8}
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            answer = client.get("/health")
        assert {"name": "dask scheduler", "ok": up} in answer.json()["checks"]
        assert answer.status_code == (200 if up else 503)
        [doctor] = [c for c in services.health.doctor() if c.name == "dask scheduler"]
        assert doctor.ok is up


def _transitions(pool: DaskPool) -> int:
    """How many task transitions the scheduler has made (it runs nothing else here)."""
    client = pool._client  # the test's own look at the scheduler
    return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter))


def test_a_scoring_job_spreads_over_the_configured_scheduler_to_the_same_bytes(
    pool: DaskPool, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from tests.support.csvs import labelled_csv
    from tests.support.web import make_web_app, run_jobs, trained_account

    app, services = make_web_app(tmp_path, settings={"dask_url": pool.address})
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id = trained_account(client, services, "dask@example.com", tmp_path)
        later = tmp_path / "later.csv"
        later.write_bytes(labelled_csv(600, seed=9))
        dataset = api.upload(later.read_bytes(), later.name).json()["dataset_id"]
        before = _transitions(pool)
        answer = api.post("/api/predict", json={"model_id": model_id, "dataset_id": dataset})
        assert answer.status_code == 202, answer.text
        run_jobs(services)
        queued = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
        assert queued["state"] == "succeeded", queued
        stored = api.get(f"/api/predictions/{queued['result']['prediction_id']}/download").content
        assert _transitions(pool) > before  # the job's parts ran on the scheduler's workers
        out = tmp_path / "inline.csv"
        local_fraud(services).score(
            later, out, model="m", ensemble=False, library=None, user="dask@example.com",
            save_ensemble=None, explain=True, threads=1,
        )  # fmt: skip
    assert out.read_bytes() == stored


@pytest.mark.usefixtures("user_key")
def test_a_scheduler_gone_mid_run_is_a_refusal_and_nothing_is_written(
    folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    with dask_pool(None, 2) as own:
        assert own is not None
        with pytest.raises(SchedulerUnavailable) as refused:
            scored(folder, out, Spread(ShuttingDown(own), 2))
    assert refused.value.said is not None
    assert refused.value.said.key == "error.dask.unavailable"
    assert list(tmp_path.iterdir()) == []


def test_a_file_read_in_slices_writes_the_whole_reads_bytes_from_its_scores_on_disk(
    folder: Path,
) -> None:
    """Issue 40 item 3 (ADRs 0127, 0129): a CSV large enough to be read in slices, scored
    by the installed command over two workers (its parts routed from its slices, their
    scores held on disk and written a slice at a time), gives the bytes and the figures of
    the same CSV in process (one part: read whole), of its Parquet copy (decoded in slices,
    ADR 0131) and of its gzip copy (read whole); its evaluation over two workers (ADR 0130)
    the figures of the gzip copy's."""
    import pandas as pd

    from entrepot.fraud.tables.csv_columns import ROWS

    rows = ROWS + 40_000  # two slices of the file: read in slices, never whole
    _installed(folder, "fraud", "generate", "big.csv", "--rows", str(rows), "--seed", "5")
    pd.read_csv(folder / "big.csv").to_parquet(folder / "big.parquet", index=False)
    (folder / "big.csv.gz").write_bytes(gzip.compress((folder / "big.csv").read_bytes()))
    digests, figures = {}, {}
    for name, source, workers in (
        ("sliced-1", "big.csv", "1"),
        ("sliced-2", "big.csv", "2"),
        ("parquet-2", "big.parquet", "2"),  # decoded in slices too (ADR 0131)
        ("whole", "big.csv.gz", "1"),  # a compressed file: read whole
    ):
        out = f"{name}.csv"
        done = _installed(
            folder, "fraud", "score", source, out, "--model", "./model", "--workers", workers,
            "--json",
        )  # fmt: skip
        found = json.loads(done.stdout)
        assert found["rows"] == rows
        digests[name] = _digest(folder / out)
        figures[name] = (found["estimate"], found["expected"], found["flagged"])
    assert len(set(digests.values())) == 1 and len(digests) == 4
    assert figures["sliced-1"] == figures["sliced-2"] == figures["parquet-2"] == figures["whole"]
    assert figures["whole"][2] > 0
    # evaluated from its slices over two workers (ADR 0130): the figures of the file read whole
    measured = {}
    for name, source, workers in (
        ("sliced-2", "big.csv", "2"),
        ("parquet-2", "big.parquet", "2"),
        ("whole", "big.csv.gz", "1"),
    ):
        done = _installed(
            folder, "fraud", "evaluate", source, "--model", "./model", "--workers", workers,
            "--json",
        )  # fmt: skip
        measured[name] = json.loads(done.stdout)
    assert measured["sliced-2"] == measured["parquet-2"] == measured["whole"]
    assert measured["whole"]["metrics"]["rows"] == rows and measured["whole"]["metrics"]["auprc"]
