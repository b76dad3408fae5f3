"""A model saved under the flat layout's module paths (before November 2026) still loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import joblib
import pytest

from entrepot.fraud.model import anomaly, calibration, features, saved
from entrepot.fraud.model.moved import MOVED
from tests.support.fraud import trained

#: The classes a saved model pickles, and the paths the flat layout gave them.
OLD_HOMES = {
    saved.FraudModel: "entrepot.fraud.model",
    features.FeatureBuilder: "entrepot.fraud.features",
    features.FeatureSpec: "entrepot.fraud.features",
    anomaly.AnomalyModel: "entrepot.fraud.anomaly",
    calibration.Calibrator: "entrepot.fraud.calibration",
}


def old_pickle(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write a trained model as the flat layout wrote it: its classes under their old paths."""
    for cls, old in OLD_HOMES.items():
        monkeypatch.setattr(cls, "__module__", old)
        if old != "entrepot.fraud.model":
            monkeypatch.setitem(sys.modules, old, sys.modules[MOVED[old]])
    joblib.dump(trained("lightgbm"), path, compress=3)


def test_a_model_pickled_under_the_old_paths_loads_in_a_new_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.joblib"
    with monkeypatch.context() as patched:
        old_pickle(path, patched)
    probe = (
        "import sys; from entrepot.fraud.model.saved import FraudModel; "
        f"m = FraudModel.load({str(path)!r}); print(type(m).__module__, m.kind)"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split()[0] == "entrepot.fraud.model.saved"
    without = subprocess.run(
        [sys.executable, "-c", f"import joblib; joblib.load({str(path)!r})"],
        capture_output=True,
        text=True,
    )
    assert "No module named 'entrepot.fraud.features'" in without.stderr  # the pickle is old
