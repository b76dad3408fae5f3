"""Issue 40 item 4 (training in bounded memory): a table handed over to the training goes
as its features are made. Its columns are dropped once read for the last time, so that
the search runs without the table beside the matrix, and the model is the same bits as
from a table the caller keeps."""

from __future__ import annotations

import hashlib
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.column_reader import ColumnReader
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.tables.handed import HandedTable, taken
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.replay import replayed_matrix
from entrepot.fraud.train.splits import Splits
from entrepot.fraud.train.training import train


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", 4_000, seed=5, variety=False, fraud_rate=0.05)


def _blocks(frame: pd.DataFrame) -> list[weakref.ref[Any]]:
    """A weak reference to the array each of the table's blocks holds its columns in."""
    return [weakref.ref(block.values) for block in frame._mgr.blocks]


class _Watching:
    """Runs the search's trials here, and notes, as the first one starts, which of the
    table's arrays are still alive."""

    def __init__(self, watched: list[weakref.ref[Any]]) -> None:
        self.watched = watched
        self.alive: int | None = None

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        if self.alive is None:
            self.alive = sum(ref() is not None for ref in self.watched)
        return [task(shared, item) for item in items]


def _digests(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("model.joblib", "performance.json", "schema.json")
    }


def _trained(table: pd.DataFrame | HandedTable, target: str, pool: Any, folder: Path) -> None:
    result = train(table, target, time_budget=2, clock=StepClock(), pool=pool)
    result.save(folder)


def test_a_handed_table_is_gone_before_the_search_and_trains_the_same_model(
    dataset: GeneratedDataset, tmp_path: Path
) -> None:
    kept = dataset.frame.copy()
    watched = _blocks(kept)
    assert len(watched) > 3 and all(ref() is not None for ref in watched)
    pool = _Watching(watched)
    _trained(kept, dataset.target, pool, tmp_path / "kept")
    assert pool.alive == len(watched)  # the caller keeps its table: nothing goes

    given = dataset.frame.copy()
    watched = _blocks(given)
    pool = _Watching(watched)
    table = HandedTable(given)
    del given  # the caller holds it no more
    _trained(table, dataset.target, pool, tmp_path / "handed")
    assert pool.alive == 0  # not one of the table's arrays is left as the search starts
    assert _digests(tmp_path / "handed") == _digests(tmp_path / "kept")


def test_a_handed_table_is_taken_once() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    table = HandedTable(frame)
    got, handed = taken(table)
    assert got is frame and handed
    with pytest.raises(RuntimeError, match="already taken"):
        table.take()
    assert taken(frame) == (frame, False)


def test_a_consumed_table_gives_the_same_matrix_and_loses_its_inputs(
    dataset: GeneratedDataset,
) -> None:
    frame, y = dataset.frame, dataset.labels.astype(float)
    spec = FeatureSpec.from_analysis(analyze(frame, target=dataset.target))
    rows = np.arange(len(frame))
    splits = Splits("time", rows[:2000], rows[2300:3000], rows[3000:], rows[2000:2300])
    builder = FeatureBuilder(spec).fit(frame.iloc[splits.train], y[splits.train])
    expected = replayed_matrix(builder, frame, y, splits, rows=splits.layout)
    assert set(spec.input_columns) <= set(frame.columns)  # a table kept is left whole

    consumed = frame.copy()
    laid = replayed_matrix(builder, HandedTable(consumed), y, splits, rows=splits.layout)
    np.testing.assert_array_equal(laid, expected)
    assert not set(spec.input_columns) & set(consumed.columns)
    assert set(consumed.columns) == set(frame.columns) - set(spec.input_columns)


def test_a_column_read_after_its_counted_reads_is_refused() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    read = ColumnReader(frame, lambda f, col: f[col], Counter({"a": 1}))
    assert read("a").tolist() == [1.0, 2.0]
    assert list(frame.columns) == ["b"]  # dropped after its one counted read
    with pytest.raises(RuntimeError, match="after its last counted read"):
        read("a")  # else it would read as missing: every feature made from it NaN
