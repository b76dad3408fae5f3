"""Trained fraud models in the model registry: push a training's folder as a signed
version, and load one back with its schema and performance.

A fraud model version holds the folder :meth:`TrainingResult.save` writes:
``model.joblib`` (the product's preprocessing and the bare estimator, signed by this
installation), ``performance.json`` and ``schema.json``. The CLI and the web service both
go through here, so a model trained by one is scored by the other.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot import temp_names
from entrepot.fraud.errors import FraudError
from entrepot.fraud.model.moved import accept_old_pickles
from entrepot.fraud.model.saved import FraudModel
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.catalog.models.records import ModelVersionRecord
    from entrepot.fraud.train.result import TrainingResult
    from entrepot.registry import Registry
    from entrepot.registry.opened import OpenedVersion

#: The file of a trained model folder that holds the model.
MODEL_FILE = "model.joblib"
#: Test metrics copied onto the model version (finite numbers only).
METRICS = ("auprc", "roc_auc", "precision", "recall", "f1", "brier", "threshold")


@dataclass(frozen=True)
class RegisteredModel:
    """A fraud model version loaded from the registry, verified and signature-checked."""

    name: str
    version: str
    model: FraudModel
    schema: Mapping[str, Any]
    performance: Mapping[str, Any]


def load_opened(opened: OpenedVersion) -> RegisteredModel:
    """The fraud model of a version resolved once (:meth:`Registry.open`) with its
    ``schema.json`` and ``performance.json``. Raises :class:`FraudError` if the version
    holds another kind of model, and the registry's errors for a file that fails its
    check."""
    record = opened.version
    pulled = opened.pulled
    accept_old_pickles()
    model = opened.load()
    if not isinstance(model, FraudModel):
        raise FraudError(
            f"{record.name}@{record.version} holds a {type(model).__name__}, not a fraud model",
            hint="name a model trained by `entrepot fraud train` (see `entrepot models ls`)",
            said=Message(
                N_("error.fraud.not_fraud_model"), {"model": f"{record.name}@{record.version}"}
            ),
        )
    return RegisteredModel(
        name=record.name,
        version=record.version,
        model=model,
        schema=_json(pulled.files.get("schema.json")),
        performance=_json(pulled.files.get("performance.json")),
    )


def register_trained(
    registry: Registry,
    result: TrainingResult,
    name: str,
    *,
    lineage: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    extra: Callable[[Path], None] | None = None,
    temp_dir: Path | None = None,
) -> ModelVersionRecord:
    """Push ``result`` as a new signed version of ``name``: its folder (``extra`` may add
    files to it first), its test metrics, its input schema and ``lineage``."""
    with tempfile.TemporaryDirectory(
        dir=temp_dir, prefix=temp_names.work_prefix(temp_names.MODEL, temp_dir)
    ) as tmp:
        folder = Path(tmp)
        result.save(folder)
        if extra is not None:
            extra(folder)
        return registry.push(
            [folder],
            name,
            metrics=model_metrics(result.performance),
            params={"target": str(result.analysis.target), "kind": result.model.kind},
            lineage=lineage,
            tags=tags,
            input_schema=input_schema(result),
            flavor="sklearn",
            model_file=MODEL_FILE,
        )


def model_metrics(performance: Mapping[str, Any]) -> dict[str, float]:
    """The numbers a model version carries: test metrics, validation AUPRC, data size."""
    found: dict[str, float] = {}
    for name in METRICS:
        value = performance.get("test", {}).get(name)
        if isinstance(value, int | float) and value == value:
            found[name] = float(value)
    validation = performance.get("validation", {}).get("auprc")
    if isinstance(validation, int | float) and validation == validation:
        found["validation_auprc"] = float(validation)
    data = performance.get("data", {})
    for name in ("labelled_rows", "frauds", "fraud_rate"):
        if isinstance(data.get(name), int | float):
            found[name] = float(data[name])
    return found


def input_schema(result: TrainingResult) -> list[tuple[str, str]]:
    """The model's input columns and their types, as the registry records them."""
    pairs = []
    for name in result.model.input_columns:
        if 0 < len(name) <= 128 and name.isprintable():
            pairs.append((name, result.analysis.column(name).dtype or "unknown"))
    return pairs


def _json(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
