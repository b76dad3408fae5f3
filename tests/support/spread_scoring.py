"""A file and a model to score over workers, and the scoring of it (the Dask integration
tests': a local cluster's, a standing cluster's)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from entrepot.bootstrap.local_fraud import local_fraud
from entrepot.fraud.score.written import write_scores
from entrepot.fraud.tables.handed import HandedTable
from entrepot.fraud.tables.io import read_table
from entrepot.fraud_service.local_files import ModelChoice
from entrepot.fraud_service.pipeline.partitioned import Spread
from entrepot.fraud_service.pipeline.scoring import score_frame
from tests.support.cli import ENTRY_POINT


def trained_folder(here: Path, seed: int) -> Path:
    """``here`` with a generated card-payments file (``tx.csv``, 3,000 rows) and a model
    trained on it (``model``, the budget in steps), signed with the user key under
    ``here/user-data`` (the scoring reads it through ``XDG_DATA_HOME``)."""
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(here / "user-data"),
        "ENTREPOT_TRAINING_CLOCK": "steps",
        "PYTHONHASHSEED": "0",
    }
    generate = ["fraud", "generate", "tx.csv", "--rows", "3000", "--seed", str(seed)]
    for args in (
        [*generate, "--fraud-rate", "0.05"],
        ["fraud", "train", "tx.csv", "--name", "m", "--out", "model", "--time-budget", "1"],
    ):
        done = subprocess.run(
            [*ENTRY_POINT, *args], cwd=here, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    return here


def scored(folder: Path, out: Path, spread: Spread) -> dict[str, Any]:
    """Score ``folder``'s ``tx.csv`` with its model into ``out``; the facts of where it
    ran. The table is handed over, as the command line hands it (ADR 0123: its parts wait
    on disk, and a worker lost mid-task has its part read again)."""
    fraud = local_fraud(None)
    outcome = score_frame(
        HandedTable(read_table(folder / "tx.csv")),
        fraud.scorer(ModelChoice(model=str(folder / "model"))),
        spread=spread,
    )
    write_scores(outcome.scores, out)
    return outcome.spread
