"""Issue 40 item 4 (training in bounded memory): the training's test rows are held on disk
while the search runs (it never reads them, ADR 0117), and the model, its card and its
horizons are the same bits as with the rows kept in memory."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train import pipeline
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.training import train
from entrepot.spilled_rows import spilled


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", 4_000, seed=11, variety=False, fraud_rate=0.05)


class _Spills:
    """The real :func:`spilled`, noting each block, what it gave back, and whether a block
    is on disk right now."""

    def __init__(self) -> None:
        self.blocks: list[tuple[tuple[int, ...], int]] = []
        self.on_disk = False

    @contextlib.contextmanager
    def __call__(self, block: np.ndarray) -> Iterator[int]:
        with spilled(block) as given:
            self.blocks.append((block.shape, given))
            self.on_disk = given > 0
            try:
                yield given
            finally:
                self.on_disk = False


class _Pool:
    """Runs the trials here, noting whether the test rows were on disk at each round."""

    def __init__(self, spills: _Spills) -> None:
        self.spills = spills
        self.rounds: list[bool] = []

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        self.rounds.append(self.spills.on_disk)
        return [task(shared, item) for item in items]


def _trained(dataset: GeneratedDataset, folder: Path, pool: Any) -> dict[str, str]:
    result = train(
        dataset.frame.copy(), dataset.target, time_budget=2, clock=StepClock(), pool=pool
    )
    result.save(folder)
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("model.joblib", "performance.json")
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pages given back on Linux")
def test_the_search_runs_with_the_test_rows_on_disk_and_trains_the_same_model(
    dataset: GeneratedDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spills = _Spills()
    monkeypatch.setattr(pipeline, "spilled", spills)
    pool = _Pool(spills)
    spilt = _trained(dataset, tmp_path / "spilt", pool)
    assert len(spills.blocks) == 1
    ((shape, given),) = spills.blocks
    test_rows = 4_000 // 5  # the time cut's last fifth, give or take its gap
    assert abs(shape[0] - test_rows) < test_rows // 2 and given > 0
    assert pool.rounds and all(pool.rounds)  # every round of the search ran without them

    monkeypatch.setattr(pipeline, "spilled", lambda _block: contextlib.nullcontext(0))
    kept = _trained(dataset, tmp_path / "kept", _Pool(_Spills()))
    assert spilt == kept
