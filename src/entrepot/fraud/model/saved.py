"""A trained fraud model: the product's own preprocessing plus a bare estimator.

:class:`FraudModel` holds the fitted :class:`~entrepot.fraud.model.features.FeatureBuilder`,
the estimator as its library made it (a LightGBM, XGBoost or scikit-learn object, not
an AutoML wrapper), the calibrator fitted on validation data and the decision
threshold chosen there, and an anomaly model fitted on the legitimate training rows
(``entrepot.fraud.model.anomaly``). It is saved with joblib.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from entrepot.fraud.errors import FraudError, MissingColumns
from entrepot.fraud.model import canonical_file
from entrepot.fraud.model.anomaly import AnomalyModel
from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.model.moved import accept_old_pickles
from entrepot.fraud.model.trust import load_pickle
from entrepot.messages import N_, Message
from entrepot.registry.keyring import KeyRing


@dataclass
class FraudModel:
    """Score transactions: features, estimator, calibration, threshold, anomaly model."""

    features: FeatureBuilder
    estimator: Any
    calibrator: Calibrator
    threshold: float
    kind: str
    anomaly: AnomalyModel | None = None  # fitted on the legitimate training rows
    importances: dict[str, float] | None = None  # feature -> share of the importance
    #: The card's figures by label horizon (``entrepot.fraud.train.horizons``), read by
    #: scoring to say what it promises of a file; ``None`` on models saved before.
    horizons: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """The fields only: the fast path's tables (``entrepot.fraud.score.numpy_path``) are
        rebuilt from them after loading, so the saved format does not change."""
        state = dict(self.__dict__)
        state.pop("_fast", None)
        return state

    @property
    def input_columns(self) -> list[str]:
        """The columns the model reads."""
        return self.features.spec.input_columns

    def coverage(self, frame: pd.DataFrame) -> float:
        """Share of the model's input columns present in ``frame``."""
        needed = self.input_columns
        present = [c for c in needed if c in frame.columns]
        return len(present) / len(needed) if needed else 1.0

    def feature_matrix(
        self, frame: pd.DataFrame, *, history: bool = True, labels: np.ndarray | None = None
    ) -> np.ndarray:
        """The model's features of ``frame``; absent input columns are read as missing.

        ``history=False`` for rows of other entities than the training data's (see
        :meth:`FeatureBuilder.transform`); ``labels``: those known of ``frame``'s rows
        (see :meth:`FeatureBuilder.matrix`).
        """
        if self.input_columns and self.coverage(frame) == 0.0:
            raise MissingColumns(
                f"none of the model's input columns is present: {', '.join(self.input_columns)}",
                said=Message(
                    N_("error.fraud.no_input_column"), {"columns": ", ".join(self.input_columns)}
                ),
            )
        return self.features.matrix(frame, history=history, labels=labels)

    def raw_scores(self, frame: pd.DataFrame) -> np.ndarray:
        """The estimator's uncalibrated scores; absent input columns are read as missing."""
        return positive_scores(self.estimator, self.feature_matrix(frame))

    def proba_of_features(self, x: np.ndarray, *, threads: int = 1) -> np.ndarray:
        """Calibrated probabilities of rows of features made by :meth:`feature_matrix`."""
        return self.calibrator(positive_scores(self.estimator, x, threads=threads))

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of fraud for each row, in input order."""
        return self.calibrator(self.raw_scores(frame))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """1 where the probability reaches the threshold chosen on validation data."""
        return (self.predict_proba(frame) >= self.threshold).astype(np.int8)

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` with joblib, atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            canonical_file.dump(self, tmp)  # the same bytes from any process
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | Path) -> FraudModel:
        """Read a model written by :meth:`save`. Only load files you trust (pickle): a
        folder a user names goes through :meth:`load_signed`."""
        accept_old_pickles()
        return cls._checked(joblib.load(Path(path)), path)

    @classmethod
    def load_signed(
        cls, folder: Path, name: str, ring: KeyRing | None, *, hint: str | None = None
    ) -> FraudModel:
        """Read ``folder/name`` only if this installation signed it (``fraud.model.trust``);
        raises :class:`~entrepot.registry.errors.UnsafeModelFormat` otherwise, naming
        ``hint`` as the fix (by default: push the folder)."""
        accept_old_pickles()
        return cls._checked(load_pickle(folder, name, ring, hint=hint), folder / name)

    @classmethod
    def _checked(cls, model: Any, path: str | Path) -> FraudModel:
        if not isinstance(model, cls):
            raise FraudError(
                f"{path} holds a {type(model).__name__}, not a fraud model",
                hint="give a folder written by `entrepot fraud train --out`",
                said=Message(N_("error.fraud.folder_not_fraud_model"), {"path": str(path)}),
            )
        return model
