"""What training returns: the model, its measured performance and its input schema, and
the folder they are saved as (``model.joblib``, ``performance.json``, ``schema.json``)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.schema.analysis import Analysis
from entrepot.fraud.train.search import Trial
from entrepot.fraud.train.splits import Splits


@dataclass
class TrainingResult:
    """The trained model, its measured performance and its input schema."""

    model: FraudModel
    performance: dict[str, Any]
    schema: dict[str, Any]
    analysis: Analysis
    trials: list[Trial] = field(repr=False, default_factory=list)
    splits: Splits | None = field(repr=False, default=None)  # positions among labelled rows
    test_proba: np.ndarray | None = field(repr=False, default=None)  # of splits.test

    def save(self, folder: str | Path) -> dict[str, Path]:
        """Write ``model.joblib``, ``performance.json`` and ``schema.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = {"model": self.model.save(folder / "model.joblib")}
        for name, content in (("performance", self.performance), ("schema", self.schema)):
            written[name] = _write_json(folder / f"{name}.json", content)
        return written


def _write_json(path: Path, content: dict[str, Any]) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(json_ready(content), out, indent=2, ensure_ascii=False, allow_nan=False)
        out.write("\n")
    os.replace(tmp, path)
    return path


def json_ready(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python ones, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
