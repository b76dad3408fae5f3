"""The saved model: features, estimator scores, calibration, anomaly model, metrics."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """``entrepot.fraud.model.FraudModel``: where models saved before November 2026 say the
    saved model's class lives (see :mod:`entrepot.fraud.model.moved`)."""
    if name == "FraudModel":
        from entrepot.fraud.model.saved import FraudModel

        return FraudModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
