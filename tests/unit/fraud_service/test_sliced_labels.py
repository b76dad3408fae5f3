"""A sliced table's own labels found from each slice's counts (issue 40 item 3): the
realised figures are the whole read's, and the label column is never read whole but where
its two values are counted as often each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.tables.io import read_table
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.fraud_service.estimate import file_labels, realised, sliced_realised
from tests.support.sliced_scoring import ROWS, sliced


def _file(tmp_path: Path, labels: list[Any]) -> Path:
    frame = pd.DataFrame({"amount": np.arange(len(labels)) * 1.5, "label": labels})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path


def _whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    reads: list[list[Any]] = []
    columns_of = SlicedTable.columns_of

    def spied(self: SlicedTable, names: Any) -> Any:
        reads.append(list(names))
        return columns_of(self, names)

    monkeypatch.setattr(SlicedTable, "columns_of", spied)
    return reads


@pytest.mark.parametrize(
    "values",
    [
        (1, 0),  # the minority is the fraud
        ("legit", "fraud"),  # the words say which, whatever the counts
        (" Yes", "no"),
        (True, False),
    ],
)
def test_the_labels_found_slice_by_slice_are_the_whole_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: tuple[Any, Any]
) -> None:
    """Regression (issue 40 item 3): the label column was read whole to find its fraud
    value (at 20M rows 310 MB, the peak of the scoring's figures)."""
    rows = 3 * ROWS - 5
    rng = np.random.default_rng(3)
    many = rng.random(rows) < 0.8
    labels: list[Any] = [values[0] if m else values[1] for m in many]
    if not isinstance(values[0], bool):  # (missing, a column of yes/no is text: read whole)
        labels[7] = None  # a missing label is no value
    path = _file(tmp_path, labels)
    expected_labels = file_labels(read_table(path), "label")
    flagged = rng.random(rows) < 0.3
    reads = _whole_reads(monkeypatch)
    with sliced(path) as table:
        found = sliced_realised(table, "label", flagged)
        assert sliced_realised(table, "amount", flagged) is None  # not two values
    assert expected_labels is not None and found is not None
    assert found == realised(flagged, expected_labels, "label", "label")
    assert reads == []


def test_two_values_counted_as_often_each_are_found_on_the_whole_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = 3 * ROWS - 1
    labels: list[Any] = [3, 8] * (rows // 2) + [None]
    path = _file(tmp_path, labels)
    expected_labels = file_labels(read_table(path), "label")
    flagged = np.random.default_rng(1).random(rows) < 0.5
    reads = _whole_reads(monkeypatch)
    with sliced(path) as table:
        found = sliced_realised(table, "label", flagged)
    assert expected_labels is not None and found is not None
    assert found == realised(flagged, expected_labels, "label", "label")
    assert reads == [["label"]]


@pytest.mark.parametrize("tie", [False, True])
def test_the_label_of_a_sliced_table_is_found_from_its_slices_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tie: bool
) -> None:
    """Regression (issue 40 item 3): finding a large file's label read each column that
    may be one whole (at 20M rows 230 MiB, the peak of a scoring before its parts were
    cut); each is counted a slice at a time, and read whole only on a tie."""
    from entrepot.fraud_service.estimate import label_of, sliced_label

    rows = 3 * ROWS - 1
    rng = np.random.default_rng(5)
    labels: list[Any] = [3, 8] * (rows // 2) + [None] if tie else list(rng.random(rows) < 0.1)
    frame = pd.DataFrame(
        {
            "is_fraud": labels,
            "bucket": rng.integers(0, 2, rows),  # two values, named as no label
            "amount": rng.random(rows),
        }
    )
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    expected = label_of(read_table(path))
    reads = _whole_reads(monkeypatch)
    with sliced(path) as table:
        assert sliced_label(table) == expected == "is_fraud"
    assert reads == ([["is_fraud"]] if tie else [])


@pytest.mark.parametrize(
    "values",
    [
        [1, 0, 0, None],
        ["b", "a", "a", "a"],
        [True, False, True],
        [2.5, 2.5, 1.0, 2.5, 7.0],  # three values: never a label
        [4, 4, 4],
        [None, None],
        ["x", "y", "x", "y"],  # a tie: read whole
    ],
)
def test_a_columns_counts_added_slice_by_slice_are_its_value_counts(
    tmp_path: Path, values: list[Any]
) -> None:
    from entrepot.fraud.tables.label_counts import two_counts

    rows = 3 * ROWS
    column = (values * (rows // len(values) + 1))[:rows]
    path = _file(tmp_path, column)
    whole = read_table(path)["label"].value_counts(dropna=True)
    with sliced(path) as table:
        found = two_counts(table, "label")
    if len(whole) > 2:
        assert len(found) == 3 and set(found.index) <= set(whole.index)
    else:
        assert list(found.index) == list(whole.index)
        assert [int(c) for c in found] == [int(c) for c in whole]
        assert found.index.dtype == whole.index.dtype
