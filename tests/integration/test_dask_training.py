"""A model search over a local Dask cluster of processes (issue 40 items 4 and 5; ADR
0100): with the budget in steps, the installed ``entrepot fraud train --workers N`` writes
the same ``model.joblib`` and ``performance.json`` for 1, 2 and 8 workers; a worker killed
mid-trial changes no byte; a scheduler out of reach is a refusal and nothing is written."""

from __future__ import annotations

import hashlib
import os
import subprocess
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
import xgboost as xgb

from entrepot.bootstrap.cluster import dask_pool
from entrepot.bootstrap.local_fraud import local_fraud
from entrepot.errors import SchedulerUnavailable
from entrepot.fraud.tables.io import read_table
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud_service.job_payloads import SearchOptions
from entrepot.fraud_service.local_files import LocalFraud
from entrepot.fraud_service.pipeline.training import train_table
from tests.support.cli import ENTRY_POINT, installed_in
from tests.support.dask import KillingOnce, ShuttingDown
from tests.support.network import free_port

pytestmark = [pytest.mark.dask, pytest.mark.slow]

SAVED = ("model.joblib", "performance.json", "schema.json")


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in SAVED}


def _installed(folder: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The installed ``entrepot`` in ``folder``, the budget in steps (``settings``: more
    variables)."""
    return installed_in(folder, *args, ENTREPOT_TRAINING_CLOCK="steps", **settings)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("dask-training")
    args = ("fraud", "generate", "tx.csv", "--rows", "6000", "--seed", "5", "--fraud-rate", "0.04")
    done = _installed(here, *args)
    assert done.returncode == 0, done.stderr
    return here


def test_one_two_and_eight_workers_write_the_same_model(folder: Path) -> None:
    found = {}
    for workers in ("1", "2", "8"):
        done = _installed(
            folder, "fraud", "train", "tx.csv", "--name", "m", "--out", f"m{workers}",
            "--time-budget", "4", "--workers", workers,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        found[workers] = _digests(folder / f"m{workers}")
    assert found["1"] == found["2"] == found["8"]


def test_a_worker_killed_mid_trial_changes_no_byte(folder: Path, tmp_path: Path) -> None:
    frame = read_table(folder / "tx.csv")
    search = SearchOptions(3.0, None, 0, 1)

    def trained(pools: object) -> dict[str, str]:
        result = train_table(
            frame,
            None,
            search=search,
            evaluation=None,
            clock=StepClock(),
            progress=lambda _message: None,
            pools=pools,  # type: ignore[arg-type]
        )
        out = tmp_path / f"model-{len(list(tmp_path.iterdir()))}"
        result.save(out)
        return _digests(out)

    alone = trained(lambda: nullcontext(None))
    marker = tmp_path.parent / f"{tmp_path.name}-killed"
    with dask_pool(None, 2) as pool:
        assert pool is not None
        killed = trained(lambda: nullcontext(KillingOnce(pool, marker)))
    assert marker.exists()  # a worker died in the middle of a trial
    assert killed == alone


def _train_into(fraud: LocalFraud, folder: Path, out: Path) -> None:
    """``tx.csv`` trained into the folder ``out`` over two workers of ``fraud``'s pools."""
    fraud.train(
        folder / "tx.csv", "m", out=out, target=None, time_budget=2.0, cost_ratio=None,
        seed=0, jobs=1, user=None, progress=lambda _message: None, workers=2,
    )  # fmt: skip


def test_a_scheduler_gone_mid_search_is_a_refusal_and_nothing_is_written(
    folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "model"
    with dask_pool(None, 2) as own:
        assert own is not None
        fraud = replace(
            local_fraud(None),
            new_clock=StepClock,  # the same rounds as anywhere: the second one is lost
            pools=lambda _workers: nullcontext(ShuttingDown(own, 1)),
        )
        with pytest.raises(SchedulerUnavailable) as refused:
            _train_into(fraud, folder, out)
    assert refused.value.said is not None
    assert refused.value.said.key == "error.dask.unavailable"
    assert not out.exists()


def test_a_scheduler_out_of_reach_is_a_refusal_and_nothing_is_written(
    folder: Path, tmp_path: Path
) -> None:
    url = f"tcp://127.0.0.1:{free_port()}"
    fraud = replace(local_fraud(None), pools=lambda workers: dask_pool(url, workers))
    out = tmp_path / "model"
    with pytest.raises(SchedulerUnavailable) as refused:
        _train_into(fraud, folder, out)
    assert refused.value.said is not None
    assert refused.value.said.key == "error.dask.unavailable"
    assert not out.exists()


def test_the_command_says_so_for_an_unreachable_scheduler(folder: Path, tmp_path: Path) -> None:
    env_url = f"tcp://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [*ENTRY_POINT, "fraud", "train", "tx.csv", "--name", "m", "--out", str(tmp_path / "m"),
         "--time-budget", "2", "--workers", "2"],
        cwd=folder,
        env={**os.environ, "ENTREPOT_DASK_URL": env_url, "LANG": "C.UTF-8",
             "XDG_DATA_HOME": str(folder / "user-data")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 69, done.stderr
    assert env_url in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "m").exists()


def test_workers_are_refused_for_an_account_and_never_ignored(folder: Path) -> None:
    done = _installed(
        folder, "fraud", "train", "tx.csv", "--name", "m", "--user", "a@example.com",
        "--workers", "2",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "--workers" in done.stderr and "ENTREPOT_DASK_URL" in done.stderr


def test_a_training_job_runs_its_trials_on_the_configured_scheduler(tmp_path: Path) -> None:
    """The service's training (a job, here run in this process) hands its trials to the
    scheduler ``dask_url`` names, and keeps the same model as without one."""
    from fastapi.testclient import TestClient

    from entrepot.storage.hashing import sha256_file
    from tests.support.web import make_web_app, trained_account

    def model_file(services: object, email: str) -> Path:
        registry = services.operations.models_of(email)  # type: ignore[attr-defined]
        [version] = registry.versions("m")
        return Path(registry.pull("m", version.version).files["model.joblib"])

    with dask_pool(None, 2) as pool:
        assert pool is not None
        client = pool._client  # the test's own look at the scheduler

        def transitions() -> int:
            return int(
                client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)
            )

        app, services = make_web_app(tmp_path / "spread", settings={"dask_url": pool.address})
        with TestClient(app, raise_server_exceptions=False) as web:
            before = transitions()
            trained_account(web, services, "dask@example.com", tmp_path / "spread")
            assert transitions() > before  # the trials ran on the scheduler's workers
            spread = sha256_file(model_file(services, "dask@example.com"))
    app, services = make_web_app(tmp_path / "alone")
    with TestClient(app, raise_server_exceptions=False) as web:
        trained_account(web, services, "dask@example.com", tmp_path / "alone")
        alone = sha256_file(model_file(services, "dask@example.com"))
    assert spread == alone


#: The device tests need an XGBoost that cannot boost on a GPU (the lock's ``xgboost-cpu``).
without_cuda = pytest.mark.skipif(
    bool(xgb.build_info().get("USE_CUDA")), reason="this XGBoost has CUDA"
)


@without_cuda
def test_a_gpu_asked_for_where_none_answers_is_refused_before_the_features(folder: Path) -> None:
    """``ENTREPOT_TRAINING_DEVICE=cuda`` on a machine whose XGBoost has no CUDA or sees no
    GPU (issue 40 item 6): a message naming the setting, no traceback, nothing written."""
    done = _installed(
        folder, "fraud", "train", "tx.csv", "--name", "m", "--out", "on-gpu",
        ENTREPOT_TRAINING_DEVICE="cuda",
    )  # fmt: skip
    assert done.returncode != 0
    assert "ENTREPOT_TRAINING_DEVICE=cpu" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (folder / "on-gpu").exists()


@without_cuda
def test_doctor_names_a_gpu_asked_for_where_none_answers(tmp_path: Path) -> None:
    """``entrepot doctor`` checks the training device the settings name, so a GPU that is
    not there fails the diagnosis before it fails a training (ADR 0103)."""
    import json

    assert _installed(tmp_path, "db", "upgrade").returncode == 0
    plain = _installed(tmp_path, "doctor", "--json")
    assert "training device" not in {c["check"] for c in json.loads(plain.stdout)}
    done = _installed(tmp_path, "doctor", "--json", ENTREPOT_TRAINING_DEVICE="cuda")
    assert done.returncode != 0
    [device] = [c for c in json.loads(done.stdout) if c["check"] == "training device"]
    assert device["ok"] is False
    assert "ENTREPOT_TRAINING_DEVICE=cpu" in device["detail"]
