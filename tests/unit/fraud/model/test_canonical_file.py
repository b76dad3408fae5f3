"""A model file is the same bytes whatever process wrote it (issue 40 item 4): equal
strings are written once, whether they are one object in memory or several."""

from __future__ import annotations

import hashlib
from pathlib import Path

import joblib
import numpy as np

from entrepot.fraud.model.canonical_file import dump


def _copy(text: str) -> str:
    """An equal string that is another object (as one unpickled from a worker is)."""
    fresh = "".join(list(text))
    assert fresh == text and fresh is not text
    return fresh


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_equal_strings_are_written_alike_whichever_objects_hold_them(tmp_path: Path) -> None:
    name = "min_child_samples"
    shared = {"params": {name: 20}, "names": [name], "array": np.arange(5.0)}
    copied = {"params": {_copy(name): 20}, "names": [_copy(name)], "array": np.arange(5.0)}
    dump(shared, tmp_path / "shared.joblib")
    dump(copied, tmp_path / "copied.joblib")
    assert _digest(tmp_path / "shared.joblib") == _digest(tmp_path / "copied.joblib")
    # joblib's plain dump tells them apart: the reason for this writer
    joblib.dump(shared, tmp_path / "plain-shared.joblib", compress=3)
    joblib.dump(copied, tmp_path / "plain-copied.joblib", compress=3)
    assert _digest(tmp_path / "plain-shared.joblib") != _digest(tmp_path / "plain-copied.joblib")


def test_joblib_reads_it_back(tmp_path: Path) -> None:
    value = {"a": [1, 2.5, "x"], "b": np.linspace(0, 1, 7)}
    dump(value, tmp_path / "value.joblib")
    back = joblib.load(tmp_path / "value.joblib")
    assert back["a"] == value["a"]
    np.testing.assert_array_equal(back["b"], value["b"])
