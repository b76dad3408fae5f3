"""Data-parallel boosting over a local Dask cluster, chosen explicitly (issue 40 item 4,
ADR 0118): the installed ``entrepot fraud train --workers 2 --data-parallel`` fits
LightGBM's defaults with ``lightgbm.dask`` and its card says "approximate", with the
tolerance measured; the model it writes scores as one machine's would be read; without a
cluster the option is refused and nothing is written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.bootstrap.cluster import FRAUD_TASKS, dask_pool
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.data_parallel import AUPRC_TOLERANCE, MEASURED
from entrepot.fraud.train.fits import fit_one
from entrepot.fraud.train.space import DEFAULTS
from entrepot.fraud.train.training import train
from tests.support.cli import installed_in

pytestmark = [pytest.mark.dask, pytest.mark.slow]


def _installed(folder: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The installed ``entrepot`` in ``folder``, the budget in steps (``settings``: more
    variables)."""
    return installed_in(folder, *args, ENTREPOT_TRAINING_CLOCK="steps", **settings)


def _generated() -> pd.DataFrame:
    return generate("card_payments", 8_000, seed=9, variety=False, fraud_rate=0.04).frame


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("dask-data-parallel")
    _generated().to_csv(here / "tx.csv", index=False)
    return here


def test_the_installed_command_fits_over_the_workers_and_says_approximate(folder: Path) -> None:
    done = _installed(
        folder, "fraud", "train", "tx.csv", "--name", "m", "--out", "spread",
        "--time-budget", "2", "--workers", "2", "--data-parallel",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    performance = json.loads((folder / "spread" / "performance.json").read_text())
    distributed = performance["card"]["distributed"]
    assert distributed["mode"] == "approximate" and distributed["engine"] == "lightgbm.dask"
    assert distributed["workers"] == 2
    assert distributed["auprc_tolerance"] == AUPRC_TOLERANCE
    assert distributed["measured"] == [dict(m) for m in MEASURED]
    assert distributed["rounds"] == performance["model"]["iterations"] > 0
    assert performance["model"]["stage"] == "data_parallel"
    assert [t["stage"] for t in performance["selection"]["trials"]] == ["data_parallel"]
    keys = [w["key"] for w in performance["card"]["warnings"]]
    assert "fraud.card.data_parallel" in keys
    assert "approximate" in done.stdout + done.stderr  # the note, said where it trains
    # the workers' LightGBM prints its network's news from C++: never into the output
    assert "[LightGBM]" not in done.stdout and "random open ports" not in done.stdout


def test_without_workers_the_option_is_refused_and_nothing_is_written(folder: Path) -> None:
    done = _installed(
        folder, "fraud", "train", "tx.csv", "--name", "m", "--out", "refused",
        "--time-budget", "2", "--data-parallel",
    )  # fmt: skip
    assert done.returncode == 2
    assert "--workers 2" in done.stderr and "Traceback" not in done.stderr
    assert not (folder / "refused").exists()


def test_its_ranking_is_one_machines_within_a_small_tolerance(tmp_path: Path) -> None:
    """On 8,000 rows (the tolerance of the card was measured on 1M and 5M): the model over
    two workers ranks the test rows as the one-machine default trial does, within a few
    points of AUPRC, and its rows' scores are its own (not the one machine's bits)."""
    frame = _generated()
    with dask_pool(None, 2, FRAUD_TASKS) as pool:
        spread = train(
            frame.copy(),
            "is_fraud",
            time_budget=2,
            clock=StepClock(),
            pool=pool,
            data_parallel=True,
        )
    card = spread.performance["card"]
    assert card["distributed"]["workers"] == 2
    kept: dict[str, object] = {}

    class _Keeping:
        def run(self, task: object, shared: object, items: object) -> list[object]:
            kept["data"] = shared.data  # type: ignore[attr-defined]
            raise _Stop

    class _Stop(Exception):
        pass

    with pytest.raises(_Stop):
        train(frame.copy(), "is_fraud", time_budget=2, clock=StepClock(), pool=_Keeping())
    data = kept["data"]
    alone, _ = fit_one("lightgbm", DEFAULTS["lightgbm"], data, float("inf"), 0, 1)  # type: ignore[arg-type]
    y_val, x_val = data.y_val, data.x_val  # type: ignore[attr-defined]
    p_alone = alone.predict_proba(x_val)[:, 1]
    p_spread = spread.model.estimator.predict_proba(x_val)[:, 1]
    one, two = (float(average_precision_score(y_val, p)) for p in (p_alone, p_spread))
    assert abs(two - one) < 0.05, (one, two)
    saved = FraudModel.load(spread.save(tmp_path / "saved")["model"])
    assert np.array_equal(saved.estimator.predict_proba(x_val)[:, 1], p_spread)
    assert spread.model.estimator.booster_.best_iteration == card["distributed"]["rounds"]
